// The role × scope matrix: every route of the OpenAPI description, called by an admin, a secretary
// on something inside her subtree, the same secretary on something outside it, and a member, must
// answer as the table says. A route without a row fails the coverage check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { csv } from './helpers/sheets.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../server/seed/demo.js'
import { generate as generateTotp } from 'otplib'

type Who = 'admin' | 'secIn' | 'secOut' | 'member' | 'memberOut'
type Expect = 'ok' | 403 | 404
interface Req {
  method: string
  url: string
  body?: unknown
  file?: { name: string; data: Buffer }
  token?: string
}
interface Case {
  route: string
  call: (who: Who) => Promise<Req> | Req
  expect: Partial<Record<Who, Expect>> & { admin: Expect; secIn: Expect; member: Expect }
}

let t: TestContext
const tok: Record<string, string> = {}
const f: Record<string, any> = {}
let seq = 0
const uniq = () => `${Date.now().toString(36)}${seq++}`
const isOut = (who: Who) => who === 'secOut' || who === 'memberOut'
const tokenOf = (who: Who) => tok[who === 'secIn' || who === 'secOut' ? 'sec' : who === 'memberOut' ? 'member' : who]

async function api(method: string, url: string, token: string, body?: unknown) {
  const http = t.http()
  const res = await http[method.toLowerCase() as 'post'](url)
    .set(bearer(token))
    .send(body as object)
  if (res.status >= 400) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

async function newExam(audienceOrgId: number) {
  return api('POST', '/api/exams', tok.admin, {
    title: `权限矩阵 ${uniq()}`,
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 30,
    audienceOrgIds: [audienceOrgId],
    passScore: 0,
    maxAttempts: 100,
    shuffleQuestions: false,
    shuffleOptions: false,
    releaseResults: 'immediately',
    paper: { rules: [{ type: 'judge', count: 1, scoreEach: 100 }] },
  })
}
const startAttempt = (token: string, examId: number) => api('POST', `/api/exams/${examId}/attempts`, token, {})
async function submittedAttempt(token: string, examId: number) {
  const a = await startAttempt(token, examId)
  await api('POST', `/api/attempts/${a.attemptId}/submit`, token)
  return a.attemptId
}
const newQuestion = () =>
  api('POST', '/api/questions', tok.admin, { type: 'judge', stem: `矩阵测试题 ${uniq()}`, answer: true, category: '测试/矩阵' })
const userBody = (orgId: number) => ({ username: `m${uniq()}`, name: '矩阵', password: 'Harbor-Lamp-2026', orgId, role: 'member' })
async function freshSession() {
  const username = `s${uniq()}`
  await api('POST', '/api/users', tok.admin, userBody(f.orgIn.id) && { ...userBody(f.orgIn.id), username })
  const res = await t.http().post('/api/auth/login').send({ username, password: 'Harbor-Lamp-2026' })
  return res.body as { accessToken: string; refreshToken: string }
}
const examFor = (who: Who) => (isOut(who) ? f.examOut : f.examIn)
const userFor = (who: Who) => (isOut(who) ? f.userOut : f.userIn)
const orgFor = (who: Who) => (isOut(who) ? f.orgOut : f.orgIn)

const ALL_OK = { admin: 'ok', secIn: 'ok', member: 'ok' } as const
const ADMIN_ONLY = { admin: 'ok', secIn: 403, member: 403 } as const
const STAFF = { admin: 'ok', secIn: 'ok', member: 403 } as const
const STAFF_SCOPED_403 = { admin: 'ok', secIn: 'ok', secOut: 403, member: 403 } as const
const STAFF_SCOPED_404 = { admin: 'ok', secIn: 'ok', secOut: 404, member: 403 } as const
const OWN_ATTEMPT = { admin: 404, secIn: 404, member: 'ok' } as const

// Campaign ledger (五学 台账): an activity of the caller's side, open for sign-in now; one task sent to both sides.
const newActivity = (orgId: number) =>
  api('POST', '/api/activities', tok.admin, {
    orgId,
    type: 'theme_day',
    title: `矩阵活动 ${uniq()}`,
    startsAt: new Date().toISOString(),
    guests: 1,
  })
const activityFor = async (w: Who) => (f[isOut(w) ? 'activityOut' : 'activityIn'] ??= await newActivity(orgFor(w).id))
const campaignTask = async () =>
  (f.task ??= await api('POST', '/api/tasks', tok.admin, {
    title: `矩阵任务 ${uniq()}`,
    dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    orgIds: [f.orgIn.id, f.orgOut.id],
  }))
const newBriefing = (token: string, orgId: number) =>
  api('POST', '/api/campaign/briefings', token, { orgId, title: `矩阵简报 ${uniq()}`, bodyHtml: '<p>简报</p>' })
// A briefing is reviewed from above its unit: the in-scope one belongs to a child of the secretary's branch.
const childOfIn = async () =>
  (f.childOfIn ??= await api('POST', '/api/orgs', tok.admin, { name: `矩阵小组${uniq()}`, parentId: f.orgIn.id, kind: 'branch' }))
const briefingToReview = async (w: Who) =>
  isOut(w) ? newBriefing(tok.outsider, f.orgOut.id) : newBriefing(w === 'admin' ? tok.sec : tok.admin, (await childOfIn()).id)
const publishedBriefing = async () => {
  if (!f.published) {
    f.published = await newBriefing(tok.outsider, f.orgOut.id)
    await api('POST', `/api/campaign/briefings/${f.published.id}/review`, tok.admin, { action: 'publish' })
  }
  return f.published
}
const bulletin = async () =>
  (f.bulletin ??= await api('POST', '/api/campaign/bulletins', tok.admin, { title: `矩阵工作提示 ${uniq()}`, bodyHtml: '<p>提示</p>' }))
// Files of an activity (photos, attachments), uploaded by the admin to the caller's side of the matrix.
const MATRIX_PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])
const MATRIX_PDF = Buffer.from('%PDF-1.4\n%%EOF\n')
async function adminUpload(url: string, name: string, data: Buffer) {
  const res = await t.http().post(url).set(bearer(tok.admin)).attach('file', data, name)
  if (res.status !== 201) throw new Error(`POST ${url} → ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as { id: number; url: string }
}
const newPhoto = async (w: Who) => adminUpload(`/api/activities/${(await activityFor(w)).id}/photos`, 'matrix.png', MATRIX_PNG)
const newAttachment = async (w: Who) => adminUpload(`/api/activities/${(await activityFor(w)).id}/attachments`, 'matrix.pdf', MATRIX_PDF)
const attachmentFor = async (w: Who) => (f[isOut(w) ? 'attachmentOut' : 'attachmentIn'] ??= await newAttachment(w))

// 投诉建议 of each side of the matrix: one by the member (inside), one by the other branch's secretary (outside).
const feedbackFor = async (w: Who) =>
  isOut(w)
    ? (f.feedbackOut ??= await api('POST', '/api/feedback', tok.outsider, { category: '建议', content: '矩阵：外部门的建议' }))
    : (f.feedbackIn ??= await api('POST', '/api/feedback', tok.member, { category: '建议', content: '矩阵：本支部的建议' }))

// 发表观点 waiting for moderation: by a new member of the secretary's branch (inside) or by the other branch's secretary (outside).
const pendingComment = async (w: Who) =>
  api('POST', '/api/comments', isOut(w) ? tok.outsider : (f.commenter ??= (await freshSession()).accessToken), {
    targetType: 'material',
    targetId: f.material.id,
    content: `矩阵观点 ${uniq()}`,
  })

// 通报: one run, then the caller's own (admin, sj_bgs) or another secretary's (sj_dzxx, for secOut).
async function circularFor(w: Who): Promise<number> {
  f.circularsRun ??= await api('POST', '/api/bulletins/run', tok.admin, { period: 'week' })
  const owner = w === 'admin' ? DEMO_ADMIN.username : isOut(w) ? 'sj_dzxx' : 'sj_bgs'
  const row = await t.db
    .selectFrom('circulars')
    .innerJoin('users', 'users.id', 'circulars.recipient_id')
    .select('circulars.id')
    .where('users.username', '=', owner)
    .executeTakeFirstOrThrow()
  return row.id
}

// A notification of the member's own (dy0001): only she may mark it read; anyone else gets 404.
async function memberNotification() {
  if (!f.notificationId) {
    const me = await t.db.selectFrom('users').select('id').where('username', '=', 'dy0001').executeTakeFirstOrThrow()
    f.notificationId = (
      await t.db
        .insertInto('notifications')
        .values({ user_id: me.id, kind: 'bulletin', title: '矩阵通知', body: '矩阵', cause: `authz:${uniq()}`, created_at: new Date() })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id
  }
  return f.notificationId as number
}

const CASES: Case[] = [
  { route: 'GET /api/health', call: () => ({ method: 'GET', url: '/api/health' }), expect: ALL_OK },
  { route: 'GET /api/health/metrics', call: () => ({ method: 'GET', url: '/api/health/metrics' }), expect: ADMIN_ONLY },
  {
    route: 'POST /api/auth/login',
    call: () => ({ method: 'POST', url: '/api/auth/login', body: { username: 'dy0009', password: DEMO_PASSWORD } }),
    expect: ALL_OK,
  },
  {
    route: 'POST /api/auth/refresh',
    call: async () => ({ method: 'POST', url: '/api/auth/refresh', body: { refreshToken: (await freshSession()).refreshToken } }),
    expect: ALL_OK,
  },
  {
    route: 'POST /api/auth/logout',
    call: async () => ({ method: 'POST', url: '/api/auth/logout', token: (await freshSession()).accessToken }),
    expect: ALL_OK,
  },
  {
    route: 'POST /api/auth/password',
    call: async () => ({
      method: 'POST',
      url: '/api/auth/password',
      token: (await freshSession()).accessToken,
      body: { currentPassword: 'Harbor-Lamp-2026', newPassword: 'Changed2026x' },
    }),
    expect: ALL_OK,
  },
  { route: 'GET /api/me', call: () => ({ method: 'GET', url: '/api/me' }), expect: ALL_OK },
  { route: 'GET /api/orgs', call: () => ({ method: 'GET', url: '/api/orgs' }), expect: ALL_OK },
  {
    route: 'POST /api/orgs',
    call: () => ({ method: 'POST', url: '/api/orgs', body: { name: `矩阵支部${uniq()}`, parentId: f.orgIn.id, kind: 'branch' } }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'PATCH /api/orgs/{id}',
    call: (w) => ({ method: 'PATCH', url: `/api/orgs/${orgFor(w).id}`, body: { sort: 1 } }),
    expect: ADMIN_ONLY,
  },
  { route: 'GET /api/users', call: () => ({ method: 'GET', url: '/api/users' }), expect: STAFF },
  {
    route: 'POST /api/users',
    call: (w) => ({ method: 'POST', url: '/api/users', body: userBody(orgFor(w).id) }),
    expect: STAFF_SCOPED_403,
  },
  { route: 'GET /api/users/{id}', call: (w) => ({ method: 'GET', url: `/api/users/${userFor(w).id}` }), expect: STAFF_SCOPED_404 },
  {
    route: 'PATCH /api/users/{id}',
    call: (w) => ({ method: 'PATCH', url: `/api/users/${userFor(w).id}`, body: { name: '改名' } }),
    expect: STAFF_SCOPED_404,
  },
  {
    route: 'POST /api/users/import',
    call: () => ({
      method: 'POST',
      url: '/api/users/import?dryRun=true',
      file: {
        name: 'p.csv',
        data: csv(['用户名', '姓名', '组织', '角色', '初始密码'], [[`i${uniq()}`, '导入', '办公室党支部', '党员', 'Init2026a']]),
      },
    }),
    expect: STAFF,
  },
  {
    // Progress is read under the caller's own id: "outside" here is an import someone else (the admin) ran.
    route: 'GET /api/users/import/progress/{progressId}',
    call: async (w) => {
      const id = `authz-progress-${uniq()}`
      await t
        .http()
        .post(`/api/users/import?dryRun=true&progressId=${id}`)
        .set(bearer(isOut(w) ? tok.admin : tokenOf(w)))
        .attach(
          'file',
          csv(['用户名', '姓名', '组织', '角色', '初始密码'], [[`p${uniq()}`, '进度', '办公室党支部', '党员', 'Init2026a']]),
          'p.csv',
        )
      return { method: 'GET', url: `/api/users/import/progress/${id}` }
    },
    expect: STAFF_SCOPED_404,
  },
  { route: 'GET /api/users/import/template', call: () => ({ method: 'GET', url: '/api/users/import/template' }), expect: STAFF },
  {
    route: 'POST /api/users/import/passwords.xlsx',
    call: () => ({
      method: 'POST',
      url: '/api/users/import/passwords.xlsx',
      body: { people: [{ username: 'x1', name: '甲', initialPassword: 'Init2026a' }] },
    }),
    expect: STAFF,
  },
  { route: 'GET /api/questions', call: () => ({ method: 'GET', url: '/api/questions' }), expect: ADMIN_ONLY },
  {
    route: 'POST /api/questions',
    call: () => ({
      method: 'POST',
      url: '/api/questions',
      body: { type: 'judge', stem: `新题 ${uniq()}`, answer: false, category: '测试/矩阵' },
    }),
    expect: ADMIN_ONLY,
  },
  { route: 'GET /api/questions/{id}', call: () => ({ method: 'GET', url: `/api/questions/${f.question.id}` }), expect: ADMIN_ONLY },
  {
    route: 'PUT /api/questions/{id}',
    call: () => ({
      method: 'PUT',
      url: `/api/questions/${f.question.id}`,
      body: { type: 'judge', stem: `改过的题 ${uniq()}`, answer: true, category: '测试/矩阵' },
    }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'DELETE /api/questions/{id}',
    call: async () => ({ method: 'DELETE', url: `/api/questions/${(await newQuestion()).id}` }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'GET /api/questions/{id}/revisions',
    call: () => ({ method: 'GET', url: `/api/questions/${f.question.id}/revisions` }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/questions/bulk',
    call: () => ({ method: 'POST', url: '/api/questions/bulk', body: { ids: [f.question.id], action: 'tag', tags: ['矩阵'] } }),
    expect: ADMIN_ONLY,
  },
  { route: 'GET /api/questions/categories', call: () => ({ method: 'GET', url: '/api/questions/categories' }), expect: STAFF },
  {
    route: 'POST /api/questions/categories',
    call: () => ({ method: 'POST', url: '/api/questions/categories', body: { path: `测试/分类${uniq()}` } }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/questions/categories/rename',
    call: async () => {
      const from = `测试/改名${uniq()}`
      await api('POST', '/api/questions/categories', tok.admin, { path: from })
      return { method: 'POST', url: '/api/questions/categories/rename', body: { from, to: `${from}新` } }
    },
    expect: ADMIN_ONLY,
  },
  {
    route: 'DELETE /api/questions/categories',
    call: async () => {
      const path = `测试/删除${uniq()}`
      await api('POST', '/api/questions/categories', tok.admin, { path })
      return { method: 'DELETE', url: `/api/questions/categories?path=${encodeURIComponent(path)}` }
    },
    expect: ADMIN_ONLY,
  },
  {
    route: 'GET /api/questions/export',
    call: () => ({ method: 'GET', url: '/api/questions/export?format=json&category=测试' }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/questions/import',
    call: () => ({
      method: 'POST',
      url: '/api/questions/import?dryRun=true',
      file: {
        name: 'q.json',
        data: Buffer.from(JSON.stringify([{ type: 'judge', stem: `导入 ${uniq()}`, answer: true, category: '测试' }])),
      },
    }),
    expect: ADMIN_ONLY,
  },
  { route: 'GET /api/questions/template', call: () => ({ method: 'GET', url: '/api/questions/template' }), expect: ADMIN_ONLY },
  { route: 'GET /api/exams', call: () => ({ method: 'GET', url: '/api/exams' }), expect: ALL_OK },
  {
    route: 'POST /api/exams',
    call: () => ({
      method: 'POST',
      url: '/api/exams',
      body: {
        title: '新考试',
        opensAt: new Date().toISOString(),
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
        durationMinutes: 10,
        audienceOrgIds: [f.orgIn.id],
        passScore: 0,
        maxAttempts: 1,
        shuffleQuestions: false,
        shuffleOptions: false,
        releaseResults: 'immediately',
        paper: { rules: [{ type: 'judge', count: 1, scoreEach: 1 }] },
      },
    }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/exams/preview',
    call: () => ({ method: 'POST', url: '/api/exams/preview', body: { paper: { rules: [{ type: 'judge', count: 2, scoreEach: 5 }] } } }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'GET /api/exams/{id}',
    call: (w) => ({ method: 'GET', url: `/api/exams/${examFor(w).id}` }),
    expect: { admin: 'ok', secIn: 'ok', secOut: 403, member: 'ok', memberOut: 403 },
  },
  {
    route: 'PATCH /api/exams/{id}',
    call: (w) => ({ method: 'PATCH', url: `/api/exams/${examFor(w).id}`, body: { instructions: '请认真作答' } }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'DELETE /api/exams/{id}',
    call: async (w) => ({ method: 'DELETE', url: `/api/exams/${(await newExam(orgFor(w).id)).id}` }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/exams/{id}/archive',
    call: async (w) => ({ method: 'POST', url: `/api/exams/${(await newExam(orgFor(w).id)).id}/archive`, body: {} }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/exams/{id}/attempts',
    call: (w) => ({ method: 'POST', url: `/api/exams/${examFor(w).id}/attempts`, body: {} }),
    expect: { admin: 403, secIn: 'ok', secOut: 403, member: 'ok', memberOut: 403 },
  },
  {
    route: 'POST /api/exams/{id}/allowances',
    call: (w) => ({
      method: 'POST',
      url: `/api/exams/${examFor(w).id}/allowances`,
      body: { userId: userFor(w).id, extraMinutes: 5, reason: '矩阵' },
    }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/exams/{id}/leaderboard',
    call: (w) => ({ method: 'GET', url: `/api/exams/${examFor(w).id}/leaderboard` }),
    expect: { admin: 'ok', secIn: 'ok', secOut: 403, member: 'ok', memberOut: 403 },
  },
  {
    route: 'GET /api/exams/{id}/monitor',
    call: (w) => ({ method: 'GET', url: `/api/exams/${examFor(w).id}/monitor` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/exams/{id}/results',
    call: (w) => ({ method: 'GET', url: `/api/exams/${examFor(w).id}/results` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/exams/{id}/analysis',
    // The analysis marks the key: an exam of a unit below her branch, which she watches but does not sit.
    call: async (w) => ({
      method: 'GET',
      url: `/api/exams/${isOut(w) ? f.examOut.id : (f.examBelowIn ??= await newExam((await childOfIn()).id)).id}/analysis`,
    }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/exams/{id}/analysis/{questionId}/review',
    call: async () => {
      const exam = await newExam(f.orgIn.id)
      const a = await startAttempt(tok.member, exam.id)
      await api('POST', `/api/attempts/${a.attemptId}/submit`, tok.member)
      return { method: 'POST', url: `/api/exams/${exam.id}/analysis/${a.questions[0].id}/review` }
    },
    expect: ADMIN_ONLY,
  },
  {
    route: 'GET /api/exams/{id}/stats',
    call: (w) => ({ method: 'GET', url: `/api/exams/${examFor(w).id}/stats` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/attempts/{id}',
    call: async () => ({ method: 'GET', url: `/api/attempts/${(await startAttempt(tok.member, f.examIn.id)).attemptId}` }),
    expect: OWN_ATTEMPT,
  },
  {
    route: 'PUT /api/attempts/{id}/answers/{questionId}',
    call: async () => {
      const a = await startAttempt(tok.member, f.examIn.id)
      return { method: 'PUT', url: `/api/attempts/${a.attemptId}/answers/${a.questions[0].id}`, body: { answer: true } }
    },
    expect: OWN_ATTEMPT,
  },
  {
    route: 'POST /api/attempts/{id}/events',
    call: async () => ({
      method: 'POST',
      url: `/api/attempts/${(await startAttempt(tok.member, f.examIn.id)).attemptId}/events`,
      body: { type: 'blur' },
    }),
    expect: OWN_ATTEMPT,
  },
  {
    route: 'POST /api/attempts/{id}/submit',
    call: async () => ({ method: 'POST', url: `/api/attempts/${(await startAttempt(tok.member, f.examIn.id)).attemptId}/submit` }),
    expect: OWN_ATTEMPT,
  },
  {
    route: 'POST /api/attempts/{id}/reopen',
    call: async (w) => {
      const id = isOut(w) ? await submittedAttempt(tok.outsider, f.examOut.id) : await submittedAttempt(tok.member, f.examIn.id)
      return { method: 'POST', url: `/api/attempts/${id}/reopen`, body: { reason: '矩阵' } }
    },
    expect: STAFF_SCOPED_403,
  },
  { route: 'GET /api/notifications', call: () => ({ method: 'GET', url: '/api/notifications' }), expect: ALL_OK },
  { route: 'GET /api/notifications/unread-count', call: () => ({ method: 'GET', url: '/api/notifications/unread-count' }), expect: ALL_OK },
  {
    route: 'POST /api/notifications/{id}/read',
    call: async () => ({ method: 'POST', url: `/api/notifications/${await memberNotification()}/read` }),
    expect: OWN_ATTEMPT,
  },
  { route: 'POST /api/notifications/read-all', call: () => ({ method: 'POST', url: '/api/notifications/read-all' }), expect: ALL_OK },
  // 通报 of organised work: admins run it and edit its wording; each recipient downloads only her own.
  {
    route: 'POST /api/bulletins/run',
    call: () => ({ method: 'POST', url: '/api/bulletins/run', body: { period: 'week' } }),
    expect: ADMIN_ONLY,
  },
  { route: 'GET /api/bulletins', call: () => ({ method: 'GET', url: '/api/bulletins' }), expect: STAFF },
  { route: 'GET /api/bulletins/template', call: () => ({ method: 'GET', url: '/api/bulletins/template' }), expect: ADMIN_ONLY },
  {
    route: 'PUT /api/bulletins/template',
    call: () => ({
      method: 'PUT',
      url: '/api/bulletins/template',
      body: { title: '{单位}{期间}组织工作通报', body: '{期间}参考率{考试参与率}。' },
    }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'GET /api/bulletins/{id}/xlsx',
    call: async (w) => ({ method: 'GET', url: `/api/bulletins/${await circularFor(w)}/xlsx` }),
    expect: STAFF_SCOPED_404,
  },
  { route: 'GET /api/points/me', call: () => ({ method: 'GET', url: '/api/points/me' }), expect: ALL_OK },
  { route: 'GET /api/points/ledger', call: () => ({ method: 'GET', url: '/api/points/ledger' }), expect: ALL_OK },
  { route: 'GET /api/points/rules', call: () => ({ method: 'GET', url: '/api/points/rules' }), expect: ALL_OK },
  {
    route: 'POST /api/points/rules',
    call: () => ({ method: 'POST', url: '/api/points/rules', body: { rule: 'opinion', points: 1 } }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/points/adjustments',
    call: (w) => ({ method: 'POST', url: '/api/points/adjustments', body: { userId: userFor(w).id, points: 1, reason: '矩阵' } }),
    expect: STAFF_SCOPED_404,
  },
  { route: 'GET /api/points/flags', call: () => ({ method: 'GET', url: '/api/points/flags' }), expect: STAFF },
  {
    route: 'GET /api/leaderboards/points',
    call: (w) => ({ method: 'GET', url: `/api/leaderboards/points?period=total&orgId=${orgFor(w).id}` }),
    expect: { admin: 'ok', secIn: 'ok', secOut: 403, member: 'ok', memberOut: 403 },
  },
  {
    route: 'GET /api/reports/participation',
    call: (w) => ({ method: 'GET', url: `/api/reports/participation?orgId=${orgFor(w).id}&from=2026-01-01&to=2026-01-31` }),
    expect: STAFF_SCOPED_403,
  },
  { route: 'GET /api/study/channels', call: () => ({ method: 'GET', url: '/api/study/channels' }), expect: ALL_OK },
  { route: 'GET /api/study/materials', call: () => ({ method: 'GET', url: '/api/study/materials' }), expect: ALL_OK },
  {
    route: 'POST /api/study/materials',
    call: () => ({
      method: 'POST',
      url: '/api/study/materials',
      body: { channel: '党史', kind: 'article', title: '矩阵文章', bodyHtml: '<p>x</p>' },
    }),
    expect: ADMIN_ONLY,
  },
  { route: 'GET /api/study/materials/{id}', call: () => ({ method: 'GET', url: `/api/study/materials/${f.material.id}` }), expect: ALL_OK },
  {
    route: 'PUT /api/study/materials/{id}',
    call: () => ({
      method: 'PUT',
      url: `/api/study/materials/${f.material.id}`,
      body: { channel: f.material.channel, kind: f.material.kind, title: f.material.title },
    }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/study/media',
    call: () => ({
      method: 'POST',
      url: '/api/study/media',
      file: { name: 'cover.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]) },
    }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/study/materials/{id}/heartbeat',
    call: () => ({ method: 'POST', url: `/api/study/materials/${f.material.id}/heartbeat`, body: { visible: true } }),
    expect: ALL_OK,
  },
  { route: 'GET /api/study/quiz/{mode}', call: () => ({ method: 'GET', url: '/api/study/quiz/daily' }), expect: ALL_OK },
  {
    route: 'POST /api/study/answers',
    call: async (w) => {
      // Practice grades only what it served this person: take a random run first, then answer from it.
      const run = await api('GET', '/api/study/quiz/random?size=1', tokenOf(w))
      const q = run.questions[0]
      const answer =
        q.type === 'judge'
          ? true
          : q.type === 'single'
            ? q.options[0].key
            : q.type === 'multiple'
              ? [q.options[0].key]
              : Array(q.blanks).fill('答')
      return { method: 'POST', url: '/api/study/answers', body: { mode: 'random', runId: run.runId, questionId: q.id, answer } }
    },
    expect: ALL_OK,
  },
  { route: 'POST /api/study/challenge', call: () => ({ method: 'POST', url: '/api/study/challenge' }), expect: ALL_OK },
  { route: 'GET /api/study/wrong-book', call: () => ({ method: 'GET', url: '/api/study/wrong-book' }), expect: ALL_OK },
  {
    route: 'POST /api/activities',
    call: (w) => ({
      method: 'POST',
      url: '/api/activities',
      body: { orgId: orgFor(w).id, type: 'seminar', title: `矩阵研讨 ${uniq()}`, startsAt: new Date().toISOString() },
    }),
    expect: STAFF_SCOPED_403,
  },
  { route: 'GET /api/activities', call: () => ({ method: 'GET', url: '/api/activities' }), expect: STAFF },
  {
    route: 'GET /api/activities/tally',
    call: (w) => ({ method: 'GET', url: `/api/activities/tally?orgId=${orgFor(w).id}` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/activities/ledger.xlsx',
    call: (w) => ({ method: 'GET', url: `/api/activities/ledger.xlsx?orgId=${orgFor(w).id}` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/activities/checkin',
    call: async () => {
      const { code } = await api('POST', `/api/activities/${(await newActivity(f.orgIn.id)).id}/checkin-code`, tok.admin)
      return { method: 'POST', url: '/api/activities/checkin', body: { code } }
    },
    expect: ALL_OK,
  },
  {
    route: 'GET /api/activities/{id}',
    call: async (w) => ({ method: 'GET', url: `/api/activities/${(await activityFor(w)).id}` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'PATCH /api/activities/{id}',
    call: async (w) => ({ method: 'PATCH', url: `/api/activities/${(await activityFor(w)).id}`, body: { guests: 2 } }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'DELETE /api/activities/{id}',
    call: async (w) => ({ method: 'DELETE', url: `/api/activities/${(await newActivity(orgFor(w).id)).id}` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/activities/{id}/participants',
    call: async (w) => ({ method: 'GET', url: `/api/activities/${(await activityFor(w)).id}/participants` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/activities/{id}/participants',
    call: async (w) => ({
      method: 'POST',
      url: `/api/activities/${(await activityFor(w)).id}/participants`,
      body: { userIds: [userFor(w).id] },
    }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'DELETE /api/activities/{id}/participants/{userId}',
    call: async (w) => ({ method: 'DELETE', url: `/api/activities/${(await activityFor(w)).id}/participants/${userFor(w).id}` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/activities/{id}/checkin-code',
    call: async (w) => ({ method: 'POST', url: `/api/activities/${(await activityFor(w)).id}/checkin-code` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/activities/{id}/photos',
    call: async (w) => ({ method: 'GET', url: `/api/activities/${(await activityFor(w)).id}/photos` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/activities/{id}/photos',
    call: async (w) => ({
      method: 'POST',
      url: `/api/activities/${(await activityFor(w)).id}/photos`,
      file: { name: 'photo.png', data: MATRIX_PNG },
    }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'DELETE /api/activities/{id}/photos/{photoId}',
    call: async (w) => ({ method: 'DELETE', url: `/api/activities/${(await activityFor(w)).id}/photos/${(await newPhoto(w)).id}` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/activities/{id}/attachments',
    call: async (w) => ({ method: 'GET', url: `/api/activities/${(await activityFor(w)).id}/attachments` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/activities/{id}/attachments',
    call: async (w) => ({
      method: 'POST',
      url: `/api/activities/${(await activityFor(w)).id}/attachments`,
      file: { name: 'minutes.pdf', data: MATRIX_PDF },
    }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/activities/{id}/attachments/{attachmentId}',
    call: async (w) => ({ method: 'GET', url: (await attachmentFor(w)).url }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'DELETE /api/activities/{id}/attachments/{attachmentId}',
    call: async (w) => ({ method: 'DELETE', url: (await newAttachment(w)).url }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/campaign/images',
    call: () => ({ method: 'POST', url: '/api/campaign/images', file: { name: 'picture.png', data: MATRIX_PNG } }),
    expect: STAFF,
  },
  {
    route: 'POST /api/tasks',
    call: () => ({
      method: 'POST',
      url: '/api/tasks',
      body: { title: `矩阵任务 ${uniq()}`, dueAt: new Date(Date.now() + 86_400_000).toISOString(), orgIds: [f.orgIn.id] },
    }),
    expect: ADMIN_ONLY,
  },
  { route: 'GET /api/tasks', call: (w) => ({ method: 'GET', url: `/api/tasks?orgId=${orgFor(w).id}` }), expect: STAFF_SCOPED_403 },
  {
    route: 'POST /api/tasks/{id}/done',
    call: async (w) => ({
      method: 'POST',
      url: `/api/tasks/${(await campaignTask()).id}/done`,
      body: { orgId: orgFor(w).id, note: '矩阵' },
    }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/reports/campaign',
    call: (w) => ({ method: 'GET', url: `/api/reports/campaign?orgId=${orgFor(w).id}` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/campaign/bulletins',
    call: () => ({ method: 'POST', url: '/api/campaign/bulletins', body: { title: `矩阵工作提示 ${uniq()}`, bodyHtml: '<p>提示</p>' } }),
    expect: ADMIN_ONLY,
  },
  { route: 'GET /api/campaign/bulletins', call: () => ({ method: 'GET', url: '/api/campaign/bulletins' }), expect: ALL_OK },
  {
    route: 'POST /api/campaign/bulletins/{id}/read',
    call: async () => ({ method: 'POST', url: `/api/campaign/bulletins/${(await bulletin()).id}/read` }),
    expect: ALL_OK,
  },
  {
    route: 'GET /api/campaign/bulletins/{id}/receipts',
    call: async (w) => ({ method: 'GET', url: `/api/campaign/bulletins/${(await bulletin()).id}/receipts?orgId=${orgFor(w).id}` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/campaign/briefings',
    call: (w) => ({
      method: 'POST',
      url: '/api/campaign/briefings',
      body: { orgId: orgFor(w).id, title: `矩阵简报 ${uniq()}`, bodyHtml: '<p>简报</p>' },
    }),
    expect: STAFF_SCOPED_403,
  },
  { route: 'GET /api/campaign/briefings', call: () => ({ method: 'GET', url: '/api/campaign/briefings' }), expect: STAFF },
  {
    route: 'GET /api/campaign/briefings/{id}',
    call: async (w) => ({ method: 'GET', url: `/api/campaign/briefings/${(await newBriefing(tok.admin, orgFor(w).id)).id}` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/campaign/briefings/{id}/review',
    call: async (w) => ({
      method: 'POST',
      url: `/api/campaign/briefings/${(await briefingToReview(w)).id}/review`,
      body: { action: 'publish' },
    }),
    expect: STAFF_SCOPED_403,
  },
  { route: 'GET /api/campaign/column', call: () => ({ method: 'GET', url: '/api/campaign/column' }), expect: ALL_OK },
  {
    route: 'GET /api/campaign/column/{id}',
    call: async () => ({ method: 'GET', url: `/api/campaign/column/${(await publishedBriefing()).id}` }),
    expect: ALL_OK,
  },
  { route: 'GET /api/battles/today', call: () => ({ method: 'GET', url: '/api/battles/today' }), expect: ALL_OK },
  { route: 'GET /api/battles/colleagues', call: () => ({ method: 'GET', url: '/api/battles/colleagues' }), expect: ALL_OK },
  { route: 'GET /api/battles/flags', call: () => ({ method: 'GET', url: '/api/battles/flags' }), expect: STAFF },
  {
    route: 'POST /api/contests',
    call: (w) => ({
      method: 'POST',
      url: '/api/contests',
      body: { title: `矩阵竞答 ${uniq()}`, orgId: orgFor(w).id, questionIds: [], draw: { count: 1 }, secondsPerQuestion: 10 },
    }),
    expect: STAFF_SCOPED_403,
  },
  { route: 'GET /api/contests', call: () => ({ method: 'GET', url: '/api/contests' }), expect: STAFF },
  {
    route: 'GET /api/contests/{id}',
    call: async (w) => ({ method: 'GET', url: `/api/contests/${(await matrixContest(w)).id}` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'POST /api/contests/{id}/cancel',
    call: async (w) => ({ method: 'POST', url: `/api/contests/${(await matrixContest(w)).id}/cancel` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/contests/{id}/results',
    call: async (w) => ({ method: 'GET', url: `/api/contests/${(await matrixContest(w)).id}/results` }),
    expect: STAFF_SCOPED_403,
  },
  {
    route: 'GET /api/contests/{id}/export',
    call: async (w) => ({ method: 'GET', url: `/api/contests/${(await matrixContest(w)).id}/export` }),
    expect: STAFF_SCOPED_403,
  },
  // Compliance (policy switches, privacy, 投诉建议, audit log, second factor).
  { route: 'GET /api/policy', call: () => ({ method: 'GET', url: '/api/policy' }), expect: ADMIN_ONLY },
  {
    route: 'PATCH /api/policy',
    call: () => ({ method: 'PATCH', url: '/api/policy', body: { feedbackAnswerDays: 5 } }),
    expect: ADMIN_ONLY,
  },
  { route: 'GET /api/about', call: () => ({ method: 'GET', url: '/api/about' }), expect: ALL_OK },
  { route: 'GET /api/me/privacy', call: () => ({ method: 'GET', url: '/api/me/privacy' }), expect: ALL_OK },
  {
    route: 'PUT /api/me/privacy',
    call: () => ({ method: 'PUT', url: '/api/me/privacy', body: { showOnLeaderboards: true } }),
    expect: ALL_OK,
  },
  { route: 'GET /api/me/data', call: () => ({ method: 'GET', url: '/api/me/data?format=json' }), expect: ALL_OK },
  {
    route: 'POST /api/me/deletion-request',
    call: async () => ({
      method: 'POST',
      url: '/api/me/deletion-request',
      token: (await freshSession()).accessToken,
      body: { reason: '矩阵' },
    }),
    expect: ALL_OK,
  },
  {
    route: 'GET /api/privacy/deletion-requests',
    call: () => ({ method: 'GET', url: '/api/privacy/deletion-requests' }),
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/privacy/deletion-requests/{id}/decide',
    call: async () => {
      const { id } = await api('POST', '/api/me/deletion-request', (await freshSession()).accessToken, {})
      return { method: 'POST', url: `/api/privacy/deletion-requests/${id}/decide`, body: { approve: false, note: '矩阵' } }
    },
    expect: ADMIN_ONLY,
  },
  {
    route: 'POST /api/feedback',
    call: () => ({ method: 'POST', url: '/api/feedback', body: { category: '建议', content: `矩阵建议 ${uniq()}` } }),
    expect: ALL_OK,
  },
  { route: 'GET /api/feedback', call: () => ({ method: 'GET', url: '/api/feedback' }), expect: ALL_OK },
  { route: 'GET /api/feedback/summary', call: () => ({ method: 'GET', url: '/api/feedback/summary' }), expect: ADMIN_ONLY },
  {
    route: 'GET /api/feedback/{id}',
    call: async (w) => ({ method: 'GET', url: `/api/feedback/${(await feedbackFor(w)).id}` }),
    expect: { admin: 'ok', secIn: 'ok', secOut: 404, member: 'ok', memberOut: 404 },
  },
  {
    route: 'POST /api/feedback/{id}/reply',
    call: async (w) => ({ method: 'POST', url: `/api/feedback/${(await feedbackFor(w)).id}/reply`, body: { text: '矩阵答复' } }),
    expect: STAFF_SCOPED_404,
  },
  {
    route: 'POST /api/feedback/{id}/close',
    call: async (w) => {
      // Members close their own (memberOut: someone else's); staff close what has been answered, in scope.
      if (w === 'member' || w === 'memberOut') {
        const owner = await freshSession()
        const { id } = await api('POST', '/api/feedback', owner.accessToken, { category: '其他', content: `矩阵办结 ${uniq()}` })
        return { method: 'POST', url: `/api/feedback/${id}/close`, token: w === 'member' ? owner.accessToken : tok.member }
      }
      const { id } = await api('POST', '/api/feedback', isOut(w) ? tok.outsider : (await freshSession()).accessToken, {
        category: '其他',
        content: `矩阵办结 ${uniq()}`,
      })
      await api('POST', `/api/feedback/${id}/reply`, tok.admin, { text: '已办理' })
      return { method: 'POST', url: `/api/feedback/${id}/close` }
    },
    expect: { admin: 'ok', secIn: 'ok', secOut: 404, member: 'ok', memberOut: 404 },
  },
  {
    route: 'POST /api/comments',
    call: () => ({
      method: 'POST',
      url: '/api/comments',
      body: { targetType: 'material', targetId: f.material.id, content: `矩阵 ${uniq()}` },
    }),
    expect: ALL_OK,
  },
  {
    route: 'GET /api/comments',
    call: () => ({ method: 'GET', url: `/api/comments?targetType=material&targetId=${f.material.id}` }),
    expect: ALL_OK,
  },
  { route: 'GET /api/comments/moderation', call: () => ({ method: 'GET', url: '/api/comments/moderation' }), expect: STAFF },
  {
    route: 'POST /api/comments/{id}/approve',
    call: async (w) => ({ method: 'POST', url: `/api/comments/${(await pendingComment(w)).id}/approve` }),
    expect: STAFF_SCOPED_404,
  },
  {
    route: 'POST /api/comments/{id}/reject',
    call: async (w) => ({ method: 'POST', url: `/api/comments/${(await pendingComment(w)).id}/reject`, body: { reason: '矩阵' } }),
    expect: STAFF_SCOPED_404,
  },
  { route: 'GET /api/comments/sensitive-words', call: () => ({ method: 'GET', url: '/api/comments/sensitive-words' }), expect: ADMIN_ONLY },
  {
    route: 'PUT /api/comments/sensitive-words',
    call: () => ({ method: 'PUT', url: '/api/comments/sensitive-words', body: { words: [] } }),
    expect: ADMIN_ONLY,
  },
  { route: 'GET /api/audit', call: () => ({ method: 'GET', url: '/api/audit?action=auth.' }), expect: ADMIN_ONLY },
  { route: 'GET /api/audit/actions', call: () => ({ method: 'GET', url: '/api/audit/actions' }), expect: ADMIN_ONLY },
  { route: 'GET /api/audit/export', call: () => ({ method: 'GET', url: '/api/audit/export?action=policy.update' }), expect: ADMIN_ONLY },
  { route: 'GET /api/auth/security', call: () => ({ method: 'GET', url: '/api/auth/security' }), expect: ALL_OK },
  {
    route: 'POST /api/auth/totp/setup',
    call: async () => ({ method: 'POST', url: '/api/auth/totp/setup', token: (await freshSession()).accessToken }),
    expect: ALL_OK,
  },
  {
    route: 'POST /api/auth/totp/enable',
    call: async () => {
      const { accessToken } = await freshSession()
      const { secret } = await api('POST', '/api/auth/totp/setup', accessToken)
      return { method: 'POST', url: '/api/auth/totp/enable', token: accessToken, body: { code: await generateTotp({ secret }) } }
    },
    expect: ALL_OK,
  },
  {
    route: 'POST /api/auth/totp/disable',
    call: async () => ({
      method: 'POST',
      url: '/api/auth/totp/disable',
      token: (await freshSession()).accessToken,
      body: { code: '000000' },
    }),
    expect: ALL_OK,
  },
]

/** A live contest of the caller's side of the matrix (made by the admin). */
function matrixContest(who: Who) {
  return api('POST', '/api/contests', tok.admin, {
    title: `矩阵竞答 ${uniq()}`,
    orgId: orgFor(who).id,
    questionIds: [],
    draw: { count: 1 },
    secondsPerQuestion: 10,
  })
}

beforeAll(async () => {
  t = await createTestContext()
  tok.admin = await t.login(DEMO_ADMIN.username)
  tok.sec = await t.login('sj_bgs') // 办公室党支部
  tok.member = await t.login('dy0001') // 办公室党支部
  tok.outsider = await t.login('sj_dzxx') // 电子信息处党支部
  const orgs = await api('GET', '/api/orgs', tok.admin)
  f.orgIn = orgs.find((o: any) => o.name === '办公室党支部')
  f.orgOut = orgs.find((o: any) => o.name === '电子信息处党支部')
  f.userIn = (await api('GET', `/api/users?orgId=${f.orgIn.id}&role=member&pageSize=1&page=3`, tok.admin)).items[0]
  f.userOut = (await api('GET', `/api/users?orgId=${f.orgOut.id}&role=member&pageSize=1`, tok.admin)).items[0]
  f.examIn = await newExam(f.orgIn.id)
  f.examOut = await newExam(f.orgOut.id)
  f.question = await newQuestion()
  f.material = (await api('GET', '/api/study/materials?pageSize=1', tok.admin)).items[0]
})
afterAll(async () => {
  await t?.close()
})

describe('authorisation matrix', () => {
  it('has a row for every route of the API description', () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> }
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
    expect(routes.filter((r) => !CASES.some((c) => c.route === r))).toEqual([])
  })

  it("each route's declared access agrees with its row of the matrix", () => {
    const declared = new Map(
      t.app.routeTable
        .filter((r) => r.method !== 'HEAD' && r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
        .map((r) => [`${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`, r.config?.access]),
    )
    const PUBLIC = new Set(['GET /api/health', 'POST /api/auth/login', 'POST /api/auth/refresh'])
    const expected = (c: Case) =>
      PUBLIC.has(c.route)
        ? 'public'
        : c.expect.secIn === 403 && c.expect.member === 403
          ? 'admin'
          : c.expect.member === 403 && c.expect.secIn !== 403
            ? 'staff'
            : 'signed-in'
    expect(
      CASES.filter((c) => declared.get(c.route) !== expected(c)).map(
        (c) => `${c.route}: declared ${declared.get(c.route)}, matrix says ${expected(c)}`,
      ),
    ).toEqual([])
  })

  it('answers every route × role × scope as expected', async () => {
    const mismatches: string[] = []
    // Members and secretaries first: destructive admin calls must not change what they meet.
    for (const who of ['member', 'memberOut', 'secIn', 'secOut', 'admin'] as Who[]) {
      for (const c of CASES) {
        const expected = c.expect[who] ?? (who === 'secOut' ? c.expect.secIn : who === 'memberOut' ? c.expect.member : undefined)
        const req = await c.call(who)
        const http = t.http()
        let r = http[req.method.toLowerCase() as 'post'](req.url).set(bearer(req.token ?? tokenOf(who)))
        if (req.file) r = r.attach('file', req.file.data, req.file.name)
        else if (req.body !== undefined) r = r.send(req.body as object)
        const res = await r
        const ok = expected === 'ok' ? res.status >= 200 && res.status < 300 : res.status === expected
        if (!ok) mismatches.push(`${c.route} as ${who}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`)
      }
    }
    expect(mismatches).toEqual([])
    // Every route five times over, some of them real work (a 通报 run, imports, uploads): more than the default 30 s on a busy machine.
  }, 240_000)
})
