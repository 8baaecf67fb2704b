// 现场竞答 in real browsers: the hall screen (desktop, a secretary hosting) and two phones joining by
// PIN; a question is asked, one phone answers right and one wrong, the reveal (shown again when the
// hall screen reloads) and the podium show;
// a question an exam opened since holds is named when the screen opens and skipped when it comes up;
// a question an exam takes while it is on screen is voided instead of revealed; one revealed before
// a restart of the server reads as revealed when the screens reopen; the host cancels one from the
// console, and the hall screen and the phone say so.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { DESKTOP, PHONE, loginAs, shot, api as apiJson, createOpenExam, tokenFor, useBrowserServer } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'
import { contestRuntimeOf } from '../../server/modules/contests/index.js'
import { focusNotSeen } from '../helpers/keyboard.js'

const env = useBrowserServer()
const api = (method: string, path: string, token: string | null, body?: unknown) => apiJson(env.server, method, path, token, body)

async function phone(username: string): Promise<Page> {
  const page = await env.browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true })
  await loginAs(page, env.server.baseUrl, username, DEMO_PASSWORD)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  return page
}

/** A member's phone in a contest's lobby, come by its QR link. */
async function inLobby(username: string, pin: string): Promise<Page> {
  const page = await phone(username)
  await page.goto(`${env.server.baseUrl}/contest?pin=${pin}`)
  await page.locator('[data-test=contest-lobby]').waitFor({ timeout: 15_000 })
  return page
}

/** A desktop page signed in to the console as 办公室党支部's secretary. */
async function secretaryDesk(): Promise<Page> {
  const page = await env.browser.newPage({ viewport: DESKTOP })
  await loginAs(page, env.server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
  await page.waitForURL(/\/console/)
  return page
}

/** The hall screen of a contest, once it shows the PIN. */
async function hallScreen(contest: { id: number; pin: string }): Promise<Page> {
  const hall = await secretaryDesk()
  await hall.goto(`${env.server.baseUrl}/contest-host/${contest.id}`)
  await expect.poll(() => hall.locator('[data-test=host-pin]').innerText(), { timeout: 15_000 }).toBe(contest.pin)
  return hall
}

/** 办公室党支部 (the secretary's branch), and a contest its secretary makes on these questions. */
async function branchContest(title: string, questionIds: number[], secondsPerQuestion = 30) {
  const sec = await tokenFor(env.server, 'sj_bgs', DEMO_PASSWORD)
  const orgs = await api('GET', '/api/orgs', sec)
  const branch = orgs.find((o: any) => o.name === '办公室党支部')
  const contest = await api('POST', '/api/contests', sec, { title, orgId: branch.id, questionIds, secondsPerQuestion })
  return { sec, branch, contest }
}

/** `count` published judge questions, the oldest but `skip` (each test takes its own: no exam of another holds them). */
function oldJudges(skip: number, count: number) {
  return env.server.app.db
    .selectFrom('questions')
    .select('id')
    .where('type', '=', 'judge')
    .where('status', '=', 'published')
    .orderBy('id')
    .offset(skip)
    .limit(count)
    .execute()
}

/** An exam for the branch, open now, on these questions. */
async function examOn(title: string, branchId: number, questionIds: number[]) {
  const admin = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
  return createOpenExam(env.server, admin, { title, audienceOrgIds: [branchId], paper: { questionIds, scoreEach: 100 } })
}

describe('a contest in the hall', () => {
  it('the hall screen shows the PIN, two phones join and answer, then the reveal and the podium', async () => {
    const judge = await env.server.app.db
      .selectFrom('questions')
      .select(['id', 'answer'])
      .where('type', '=', 'judge')
      .where('status', '=', 'published')
      .executeTakeFirstOrThrow()
    const { sec, contest } = await branchContest('主题党日现场竞答', [judge.id])

    const hall = await hallScreen(contest)
    await expect.poll(() => hall.locator('img.qr').count()).toBe(1)

    const right = await phone('dy0001')
    const wrong = await phone('dy0002')
    await right.goto(`${env.server.baseUrl}/contest?pin=${contest.pin}`)
    await wrong.goto(`${env.server.baseUrl}/contest`)
    await wrong.locator('[data-test=contest-pin]').fill(contest.pin)
    await wrong.locator('[data-test=contest-enter]').click()
    for (const p of [right, wrong]) await p.locator('[data-test=contest-lobby]').waitFor({ timeout: 15_000 })
    await expect.poll(() => hall.locator('[data-test=host-players]').innerText()).toContain('2')
    await shot(hall, 'contest-hall-lobby')
    // A presenter moves with a keyboard or a clicker: on the hall's dark red the focus ring shows (3:1).
    expect(await focusNotSeen(hall)).toEqual([])

    await hall.locator('[data-test=host-next]').click()
    for (const p of [right, wrong]) await p.locator('[data-test=contest-question]').waitFor({ timeout: 15_000 })
    await shot(right, 'contest-phone-question')
    await right.locator(`[data-test=live-option-${String(judge.answer)}]`).click()
    await wrong.locator(`[data-test=live-option-${String(!judge.answer)}]`).click()

    // Both answered: the reveal comes at once, on the hall screen and on each phone.
    await hall.locator('[data-test=host-reveal]').waitFor({ timeout: 15_000 })
    await expect.poll(() => right.locator('[data-test=contest-verdict]').innerText()).toContain('回答正确')
    await expect.poll(() => wrong.locator('[data-test=contest-verdict]').innerText()).toContain('回答错误')
    await shot(hall, 'contest-hall-reveal')
    // The hall screen reloaded at the reveal shows it again, drawn on its question.
    await hall.reload()
    await hall.locator('[data-test=host-reveal]').waitFor({ timeout: 15_000 })
    await expect.poll(() => hall.locator('.stem').innerText()).not.toBe('')

    await hall.locator('[data-test=host-next]').click()
    await expect.poll(() => hall.locator('[data-test=contest-podium]').innerText(), { timeout: 15_000 }).toMatch(/\d/)
    await right.locator('[data-test=contest-ended]').waitFor({ timeout: 15_000 })
    await shot(hall, 'contest-hall-podium')
    const results = await api('GET', `/api/contests/${contest.id}/results`, sec)
    expect(results.map((r: any) => r.score > 0)).toEqual([true, false])
  })

  it('a question an open exam holds is named on the hall screen, skipped in plain words, and the podium follows', async () => {
    const judges = await env.server.app.db
      .selectFrom('questions')
      .select(['id', 'answer'])
      .where('type', '=', 'judge')
      .where('status', '=', 'published')
      .orderBy('id', 'desc')
      .limit(2)
      .execute()
    const { sec, branch, contest } = await branchContest(
      '跳题演示竞答',
      judges.map((j) => j.id),
    )
    // An exam for the branch opens after the contest was made, on its question 2.
    await examOn('竞答之后开考', branch.id, [judges[1].id])

    const hall = await hallScreen(contest)
    await expect.poll(() => hall.locator('[data-test=host-locked-ahead]').innerText()).toContain('第 2 题也出现在正在进行的考试中')
    await shot(hall, 'contest-hall-locked-ahead')

    const player = await inLobby('dy0003', contest.pin)
    await hall.locator('[data-test=host-next]').click()
    await player.locator('[data-test=contest-question]').waitFor({ timeout: 15_000 })
    await player.locator(`[data-test=live-option-${String(judges[0].answer)}]`).click()
    await hall.locator('[data-test=host-reveal]').waitFor({ timeout: 15_000 })
    await expect.poll(() => hall.locator('[data-test=host-next]').innerText()).toBe('下一题')

    // 下一题: question 2 is skipped, and it was the last, so the podium comes with the reason on both screens.
    await hall.locator('[data-test=host-next]').click()
    await expect.poll(() => hall.locator('[data-test=contest-podium]').innerText(), { timeout: 15_000 }).toMatch(/\d/)
    await expect.poll(() => hall.locator('[data-test=host-skipped]').innerText()).toContain('第 2 题已跳过（正在进行的考试中有这道题')
    await player.locator('[data-test=contest-ended]').waitFor({ timeout: 15_000 })
    await expect.poll(() => player.locator('[data-test=contest-skipped]').innerText()).toContain('第 2 题已跳过')
    await shot(hall, 'contest-hall-skipped')
    await shot(player, 'contest-phone-skipped')
    const item = await api('GET', `/api/contests/${contest.id}`, sec)
    expect(item).toMatchObject({ status: 'finished', questionCount: 2, skippedCount: 1 })
    await hall.goto(`${env.server.baseUrl}/console/contests`)
    await expect.poll(() => hall.locator('[data-test=contest-list]').innerText(), { timeout: 15_000 }).toContain('1（跳过 1）')
  })

  it('a question an exam takes while it is on screen is voided at 揭晓答案, in plain words on both screens', async () => {
    const judges = await oldJudges(3, 2)
    const { branch, contest } = await branchContest(
      '作废演示竞答',
      judges.map((j) => j.id),
      120,
    )
    const hall = await hallScreen(contest)
    const player = await inLobby('dy0005', contest.pin)
    await hall.locator('[data-test=host-next]').click()
    await player.locator('[data-test=contest-question]').waitFor({ timeout: 15_000 })

    // While question 1 is on screen, an exam for the branch opens on it; the host presses 揭晓答案.
    await examOn('竞答题目在屏时开考', branch.id, [judges[0].id])
    await hall.locator('[data-test=host-next]').click()
    await expect
      .poll(() => hall.locator('[data-test=host-voided]').innerText(), { timeout: 15_000 })
      .toContain('第 1 题正被进行中的考试使用，本题作废，不计分')
    await expect.poll(() => player.locator('[data-test=contest-voided]').innerText(), { timeout: 15_000 }).toContain('本题作废，不计分')
    expect(await hall.locator('[data-test=host-reveal]').count()).toBe(0)
    await expect.poll(() => hall.locator('[data-test=host-next]').innerText()).toBe('下一题')
    await shot(hall, 'contest-hall-voided')
    await shot(player, 'contest-phone-voided')
    // 下一题: question 2, as after any reveal.
    await hall.locator('[data-test=host-next]').click()
    await expect.poll(() => hall.locator('.stem').innerText(), { timeout: 15_000 }).not.toBe('')
    await player.locator('[data-test=contest-question]').waitFor({ timeout: 15_000 })
  })

  it('after a restart of the server, a question revealed before it reads as revealed on the hall screen and the phone', async () => {
    const judges = await oldJudges(5, 2)
    const { contest } = await branchContest(
      '重启演示竞答',
      judges.map((j) => j.id),
      120,
    )
    const hall = await hallScreen(contest)
    const player = await inLobby('dy0006', contest.pin)
    await hall.locator('[data-test=host-next]').click()
    await player.locator('[data-test=contest-question]').waitFor({ timeout: 15_000 })
    const { answer } = await env.server.app.db
      .selectFrom('questions')
      .select('answer')
      .where('id', '=', judges[0].id)
      .executeTakeFirstOrThrow()
    await player.locator(`[data-test=live-option-${String(answer)}]`).click()
    await hall.locator('[data-test=host-reveal]').waitFor({ timeout: 15_000 })
    await expect.poll(() => player.locator('[data-test=contest-verdict]').innerText()).toContain('回答正确')

    // The server restarts (the contests in its memory are gone, loaded again from the database), and
    // both screens reopen. The reveal is not rebuilt: they say in plain words where the game stands,
    // and the hall shows the top five again from the saved scores.
    const runtime = contestRuntimeOf(env.server.app)!
    await runtime.settle()
    runtime.close()
    await hall.reload()
    await expect
      .poll(() => hall.locator('[data-test=host-revealed] p').first().innerText(), { timeout: 15_000 })
      .toBe('第 1 题已揭晓。请主持人点“下一题”继续')
    const top = hall.locator('[data-test=host-revealed-top] li')
    await expect.poll(() => top.count()).toBe(1)
    const { name } = await env.server.app.db.selectFrom('users').select('name').where('username', '=', 'dy0006').executeTakeFirstOrThrow()
    expect(await top.first().innerText()).toMatch(new RegExp(`^1\\s+${name}\\s+\\d+$`))
    expect(await hall.locator('[data-test=host-reveal]').count()).toBe(0)
    await player.reload()
    await expect
      .poll(() => player.locator('[data-test=contest-revealed]').innerText(), { timeout: 15_000 })
      .toMatch(/第 1 题已结束，请等待下一题\s+当前 \d+ 分，第 1 名/)
    await shot(hall, 'contest-hall-revealed-before-restart')
    await shot(player, 'contest-phone-revealed-before-restart')
    // 下一题: question 2 on both screens.
    await hall.locator('[data-test=host-next]').click()
    await player.locator('[data-test=contest-question]').waitFor({ timeout: 15_000 })
    expect(await hall.locator('[data-test=host-revealed]').count()).toBe(0)
    expect(await player.locator('[data-test=contest-revealed]').count()).toBe(0)
  })

  it('the host cancels a contest from the console after a confirmation; the hall screen and the phone say so', async () => {
    const [judge] = await oldJudges(2, 1)
    const { sec, contest } = await branchContest('要取消的竞答', [judge.id])
    const hall = await hallScreen(contest)
    const player = await inLobby('dy0004', contest.pin)

    const desk = await secretaryDesk()
    await desk.goto(`${env.server.baseUrl}/console/contests`)
    const cancel = desk.locator(`[data-test=contest-cancel-${contest.id}]`)
    await cancel.waitFor({ timeout: 15_000 })
    // Thinking better of it changes nothing …
    await cancel.click()
    await expect.poll(() => desk.locator('.el-message-box').innerText()).toContain('要取消的竞答')
    await new Promise((r) => setTimeout(r, 400)) // the dialog fades in; the picture wants it whole
    await shot(desk, 'contest-cancel-confirm')
    await desk.locator('.el-message-box .el-button:not(.el-button--primary)').click()
    await desk.locator('.el-message-box').waitFor({ state: 'hidden' })
    expect((await api('GET', `/api/contests/${contest.id}`, sec)).status).toBe('lobby')
    // … confirming cancels it: the list, the hall screen and the phone say so.
    await cancel.click()
    await desk.locator('.el-message-box .el-button--primary').click()
    await expect.poll(() => desk.locator(`[data-test=contest-status-${contest.id}]`).innerText(), { timeout: 15_000 }).toBe('已取消')
    expect(await desk.locator(`[data-test=contest-cancel-${contest.id}]`).count()).toBe(0)
    await expect.poll(() => hall.locator('[data-test=host-cancelled]').innerText(), { timeout: 15_000 }).toContain('本场竞答已取消')
    await expect.poll(() => player.locator('[data-test=contest-cancelled]').innerText(), { timeout: 15_000 }).toContain('主持人已取消')
    await shot(hall, 'contest-hall-cancelled')
    await shot(player, 'contest-phone-cancelled')
  })
})
