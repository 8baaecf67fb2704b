// What staff see of an exam: results per person, the leaderboard, live progress per unit and
// per-question statistics. Every figure is limited to the caller's scope.
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import ExcelJS from 'exceljs'
import { scopePrefix, type Principal } from '../../lib/scope.js'
import type { Paper } from './paper.js'
import * as q from './queries.js'

export type PersonStatus = 'not_started' | 'in_progress' | 'submitted'

export interface ResultRow {
  userId: number; name: string; username: string; orgId: number; orgName: string; status: PersonStatus
  score: number | null; passed: boolean | null; startedAt: string | null; submittedAt: string | null
  attempts: number; answered: number; blurCount: number; deviceSwitches: number; deadline: string | null; attemptId: number | null
}

interface AttemptSummary {
  id: number; user_id: number; org_id: number; status: string; score: number | null; passed: boolean | null
  started_at: Date; submitted_at: Date | null; deadline: Date; answered_count: number; blur_count: number; device_switches: number
  org_path: string; org_name: string; user_name: string; username: string
}

/** Each person's attempts in scope, best submitted first (then the newest open one). */
async function attemptsInScope(app: FastifyInstance, examId: number, scope: string) {
  const rows = await app.db.selectFrom('attempts')
    .innerJoin('orgs', 'orgs.id', 'attempts.org_id')
    .innerJoin('users', 'users.id', 'attempts.user_id')
    .select([
      'attempts.id', 'attempts.user_id', 'attempts.org_id', 'attempts.status', 'attempts.score', 'attempts.passed', 'attempts.started_at',
      'attempts.submitted_at', 'attempts.deadline', 'attempts.answered_count', 'attempts.blur_count', 'attempts.device_switches',
      'orgs.path as org_path', 'orgs.name as org_name', 'users.name as user_name', 'users.username',
    ])
    .where('attempts.exam_id', '=', examId)
    .where('orgs.path', 'like', `${scope}%`)
    .execute() as AttemptSummary[]
  const byUser = new Map<number, AttemptSummary[]>()
  for (const r of rows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r])
  return byUser
}

function representative(list: AttemptSummary[]): AttemptSummary {
  const submitted = list.filter((a) => a.status === 'submitted').sort((a, b) => Number(b.score) - Number(a.score) || a.id - b.id)
  const open = list.find((a) => a.status === 'in_progress')
  return open ?? submitted[0] ?? list[0]
}

export async function examResults(app: FastifyInstance, principal: Principal, examId: number, audience: string[]): Promise<ResultRow[]> {
  const scope = scopePrefix(principal)
  const [people, attempts] = await Promise.all([q.invitedPeople(app.db, audience, scope), attemptsInScope(app, examId, scope)])
  const rows: ResultRow[] = []
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)
  const seen = new Set<number>()
  const push = (userId: number, name: string, username: string, orgId: number, orgName: string) => {
    seen.add(userId)
    const list = attempts.get(userId)
    if (!list) {
      rows.push({ userId, name, username, orgId, orgName, status: 'not_started', score: null, passed: null, startedAt: null, submittedAt: null, attempts: 0, answered: 0, blurCount: 0, deviceSwitches: 0, deadline: null, attemptId: null })
      return
    }
    const a = representative(list)
    // A person who has an open retake still shows their best submitted score.
    const best = list.filter((x) => x.status === 'submitted').sort((x, y) => Number(y.score) - Number(x.score))[0]
    rows.push({
      userId, name, username, orgId: a.org_id, orgName: a.org_name, status: a.status as PersonStatus,
      score: best ? Number(best.score) : null, passed: best ? Boolean(best.passed) : null,
      startedAt: iso(a.started_at), submittedAt: iso(best?.submitted_at ?? null), attempts: list.length,
      answered: a.answered_count, blurCount: list.reduce((s, x) => s + x.blur_count, 0), deviceSwitches: list.reduce((s, x) => s + x.device_switches, 0),
      deadline: a.status === 'in_progress' ? iso(a.deadline) : null, attemptId: a.id,
    })
  }
  for (const p of people) push(p.user_id, p.name, p.username, p.org_id, p.org_name)
  // People who took it but have since left the audience (moved or disabled) keep their result.
  for (const [userId, list] of attempts) if (!seen.has(userId)) push(userId, list[0].user_name, list[0].username, list[0].org_id, list[0].org_name)
  return rows
}

/** Members see others' scores only once results are released (after_close exams: after closing). */
export function leaderboardOpenToMembers(exam: { release_results: string; closes_at: Date | string }, now: Date) {
  return exam.release_results === 'immediately' || now >= new Date(exam.closes_at)
}

export interface LeaderboardRow { rank: number; userId: number; name: string; orgName: string; score: number; durationSeconds: number }

/** Best submitted attempt per person; ties broken by time taken, then by who finished first. */
export interface BoardRow { user_id: number; name: string; org_name: string; org_path: string; score: number; duration: number }

/** Every person's best submitted attempt under `scope`, ranked: the whole board, to slice per scope. */
export async function loadBoard(app: FastifyInstance, examId: number, scope: string): Promise<BoardRow[]> {
  const { rows } = await sql<BoardRow>`
    select distinct on (a.user_id) a.user_id, u.name, o.name as org_name, o.path as org_path, a.score::float8 as score,
      extract(epoch from (a.submitted_at - a.started_at))::int as duration
    from attempts a join users u on u.id = a.user_id join orgs o on o.id = a.org_id
    where a.exam_id = ${examId} and a.status = 'submitted' and o.path like ${scope + '%'}
    order by a.user_id, a.score desc, (a.submitted_at - a.started_at) asc`.execute(app.db)
  // Ties on score are broken by time taken, then by who it was (stable).
  return rows.sort((a, b) => b.score - a.score || a.duration - b.duration || a.user_id - b.user_id)
}

export function topOf(board: BoardRow[], scope: string, limit: number): LeaderboardRow[] {
  return board.filter((r) => r.org_path.startsWith(scope)).slice(0, limit)
    .map((r, i) => ({ rank: i + 1, userId: r.user_id, name: r.name, orgName: r.org_name, score: r.score, durationSeconds: r.duration }))
}

export async function leaderboard(app: FastifyInstance, examId: number, scope: string, limit = 100): Promise<LeaderboardRow[]> {
  return topOf(await loadBoard(app, examId, scope), scope, limit)
}

export interface Monitor {
  invited: number; started: number; submitted: number
  byOrg: { orgId: number; name: string; invited: number; started: number; submitted: number; avgScore: number | null }[]
}

interface ProgressRow { user_id: number; org_id: number; org_name: string; org_path: string; submitted: boolean; best: number | null }
export interface ProgressData { people: q.Person[]; rows: ProgressRow[] }

/** The raw material of `monitor`: who is invited, and each person's state (one row per person). */
export async function loadProgress(app: FastifyInstance, examId: number, audience: string[], scope: string, people?: q.Person[]): Promise<ProgressData> {
  const [invited, { rows }] = await Promise.all([
    people ? Promise.resolve(people) : q.invitedPeople(app.db, audience, scope),
    sql<ProgressRow>`
      select a.user_id, min(a.org_id) as org_id, min(o.name) as org_name, min(o.path) as org_path, bool_or(a.status = 'submitted') as submitted,
        max(a.score) filter (where a.status = 'submitted')::float8 as best
      from attempts a join orgs o on o.id = a.org_id
      where a.exam_id = ${examId} and o.path like ${scope + '%'}
      group by a.user_id`.execute(app.db),
  ])
  return { people: invited, rows }
}

/** CONTRACT `monitor` for one scope, from data loaded for that scope or any wider one. */
export function summarizeProgress(data: ProgressData, scope: string): Monitor {
  const people = data.people.filter((p) => p.org_path.startsWith(scope))
  const rows = data.rows.filter((r) => r.org_path.startsWith(scope))
  const byOrg = new Map<number, Monitor['byOrg'][number] & { scores: number[] }>()
  const org = (id: number, name: string) => {
    if (!byOrg.has(id)) byOrg.set(id, { orgId: id, name, invited: 0, started: 0, submitted: 0, avgScore: null, scores: [] })
    return byOrg.get(id)!
  }
  const invitedIds = new Set(people.map((p) => p.user_id))
  for (const p of people) org(p.org_id, p.org_name).invited++
  for (const r of rows) {
    const o = org(r.org_id, r.org_name)
    if (!invitedIds.has(r.user_id)) o.invited++ // took it, then left the audience: still counted
    o.started++
    if (r.submitted) { o.submitted++; if (r.best !== null) o.scores.push(r.best) }
  }
  const list = [...byOrg.values()].map(({ scores, ...o }) => ({ ...o, avgScore: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10 : null }))
  return {
    invited: list.reduce((s, o) => s + o.invited, 0),
    started: rows.length,
    submitted: rows.filter((r) => r.submitted).length,
    byOrg: list,
  }
}

/** CONTRACT `monitor`: counts of people (not attempts), per org of the person. */
export async function monitor(app: FastifyInstance, examId: number, audience: string[], scope: string): Promise<Monitor> {
  return summarizeProgress(await loadProgress(app, examId, audience, scope), scope)
}

/** Correct rate per question and the score distribution, over submitted attempts in scope. */
export async function examStats(app: FastifyInstance, examId: number, scope: string) {
  const attempts = await app.db.selectFrom('attempts').innerJoin('orgs', 'orgs.id', 'attempts.org_id')
    .select(['attempts.id', 'attempts.score', 'attempts.max_score', 'attempts.paper'])
    .where('attempts.exam_id', '=', examId).where('attempts.status', '=', 'submitted').where('orgs.path', 'like', `${scope}%`).execute()
  const { rows: perQuestion } = await sql<{ question_id: number; answered: number; correct: number }>`
    select aa.question_id, count(*)::int as answered, count(*) filter (where aa.correct)::int as correct
    from attempt_answers aa join attempts a on a.id = aa.attempt_id join orgs o on o.id = a.org_id
    where a.exam_id = ${examId} and a.status = 'submitted' and o.path like ${scope + '%'}
    group by aa.question_id`.execute(app.db)
  const stems = new Map<number, { stem: string; type: string; shown: number }>()
  for (const a of attempts) for (const pq of (a.paper as Paper).questions) {
    const s = stems.get(pq.id) ?? { stem: pq.stem, type: pq.type, shown: 0 }
    s.shown++
    stems.set(pq.id, s)
  }
  const maxScore = attempts.length ? Number(attempts[0].max_score) : 0
  const buckets = Array.from({ length: 10 }, (_, i) => ({ from: Math.round((maxScore * i) / 10), to: Math.round((maxScore * (i + 1)) / 10), count: 0 }))
  for (const a of attempts) {
    const i = maxScore ? Math.min(9, Math.floor((Number(a.score) / maxScore) * 10)) : 0
    buckets[i].count++
  }
  return {
    submitted: attempts.length,
    average: attempts.length ? Math.round((attempts.reduce((s, a) => s + Number(a.score), 0) / attempts.length) * 10) / 10 : null,
    distribution: buckets,
    questions: [...stems.entries()].map(([id, s]) => {
      const pq = perQuestion.find((p) => p.question_id === id)
      return { questionId: id, stem: s.stem, type: s.type, shown: s.shown, answered: pq?.answered ?? 0, correct: pq?.correct ?? 0, correctRate: s.shown ? Math.round(((pq?.correct ?? 0) / s.shown) * 1000) / 10 : null }
    }).sort((a, b) => (a.correctRate ?? 0) - (b.correctRate ?? 0)),
  }
}

const STATUS_ZH: Record<PersonStatus, string> = { not_started: '未开始', in_progress: '答题中', submitted: '已交卷' }

/** The results table as the staff's spreadsheet, values safe from formula injection. */
export async function resultsXlsx(title: string, rows: ResultRow[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('成绩')
  sheet.addRow([title])
  sheet.addRow(['用户名', '姓名', '组织', '状态', '得分', '是否及格', '开始时间', '交卷时间', '作答次数', '切屏次数'])
  const safe = (v: string) => (/^[=+\-@]/.test(v) ? `'${v}` : v)
  const time = (v: string | null) => (v ? new Date(v).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '')
  for (const r of rows) {
    sheet.addRow([safe(r.username), safe(r.name), safe(r.orgName), STATUS_ZH[r.status], r.score ?? '', r.passed === null ? '' : r.passed ? '及格' : '不及格', time(r.startedAt), time(r.submittedAt), r.attempts, r.blurCount])
  }
  sheet.getRow(1).font = { bold: true, size: 14 }
  sheet.getRow(2).font = { bold: true }
  sheet.columns.forEach((c, i) => (c.width = [14, 10, 26, 8, 8, 10, 20, 20, 10, 10][i]))
  return Buffer.from(await wb.xlsx.writeBuffer())
}
