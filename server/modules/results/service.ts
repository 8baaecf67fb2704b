// What staff see of an exam: results per person, the leaderboard, live progress per unit and
// per-question statistics. Every figure is limited to the caller's scope.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import { scopePrefix, type Principal } from '../../lib/scope.js'
import { invitedPeople } from '../exams/index.js'
import { holdForReview, type Paper } from '../questions/index.js'
import type { Deps } from '../../lib/deps.js'
import { notFound } from '../../lib/errors.js'
import { withTransaction } from '../../lib/transaction.js'
import { itemAnalysis } from './analysis.js'
import { boardRowsOrNone } from '../privacy/index.js'
import { isoTime, isoTimeOrNull } from '../../lib/time.js'

type Db = Kysely<Database>

export type PersonStatus = 'not_started' | 'in_progress' | 'submitted'

export interface ResultRow {
  userId: number
  name: string
  username: string
  orgId: number
  orgName: string
  status: PersonStatus
  score: number | null
  passed: boolean | null
  startedAt: string | null
  submittedAt: string | null
  attempts: number
  answered: number
  blurCount: number
  reloadCount: number
  deviceSwitches: number
  deadline: string | null
  attemptId: number | null
  /** A review has shown this person the exam's key: no reopen and no extra attempt (the server refuses both). */
  keyShown: boolean
}

interface AttemptSummary {
  id: number
  user_id: number
  org_id: number
  status: string
  score: number | null
  passed: boolean | null
  started_at: Date
  submitted_at: Date | null
  deadline: Date
  answered_count: number
  blur_count: number
  reload_count: number
  device_switches: number
  org_path: string
  org_name: string
  user_name: string
  username: string
}

/** Each person's attempts in scope, best submitted first (then the newest open one). */
async function attemptsInScope(db: Db, examId: number, scope: string) {
  const rows = (await db
    .selectFrom('attempts')
    .innerJoin('orgs', 'orgs.id', 'attempts.org_id')
    .innerJoin('users', 'users.id', 'attempts.user_id')
    .select([
      'attempts.id',
      'attempts.user_id',
      'attempts.org_id',
      'attempts.status',
      'attempts.score',
      'attempts.passed',
      'attempts.started_at',
      'attempts.submitted_at',
      'attempts.deadline',
      'attempts.answered_count',
      'attempts.blur_count',
      'attempts.reload_count',
      'attempts.device_switches',
      'orgs.path as org_path',
      'orgs.name as org_name',
      'users.name as user_name',
      'users.username',
    ])
    .where('attempts.exam_id', '=', examId)
    .where('orgs.path', 'like', `${scope}%`)
    .execute()) as AttemptSummary[]
  const byUser = new Map<number, AttemptSummary[]>()
  for (const r of rows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r])
  return byUser
}

/**
 * Everyone whose review of this exam has shown the key, in any attempt, in scope or not: the
 * reopen and the extra attempt are refused once any attempt has shown it. An attempt made before
 * she moved into the caller's scope counts, even where her row here says 未开始. Only ids come
 * back, and only rows of people in scope are marked with them.
 */
async function peopleShownTheKey(db: Db, examId: number): Promise<Set<number>> {
  const rows = await db
    .selectFrom('attempts')
    .select('user_id')
    .distinct()
    .where('exam_id', '=', examId)
    .where('review_shown_at', 'is not', null)
    .execute()
  return new Set(rows.map((r) => r.user_id))
}

function representative(list: AttemptSummary[]): AttemptSummary {
  const submitted = list.filter((a) => a.status === 'submitted').sort((a, b) => Number(b.score) - Number(a.score) || a.id - b.id)
  const open = list.find((a) => a.status === 'in_progress')
  return open ?? submitted[0] ?? list[0]
}

export async function examResults(db: Db, principal: Principal, examId: number, audience: string[]): Promise<ResultRow[]> {
  const scope = scopePrefix(principal)
  const [people, attempts, shownTheKey] = await Promise.all([
    invitedPeople(db, audience, scope),
    attemptsInScope(db, examId, scope),
    peopleShownTheKey(db, examId),
  ])
  const rows: ResultRow[] = []
  const seen = new Set<number>()
  const push = (userId: number, name: string, username: string, orgId: number, orgName: string) => {
    seen.add(userId)
    const list = attempts.get(userId)
    if (!list) {
      rows.push({
        userId,
        name,
        username,
        orgId,
        orgName,
        status: 'not_started',
        score: null,
        passed: null,
        startedAt: null,
        submittedAt: null,
        attempts: 0,
        answered: 0,
        blurCount: 0,
        reloadCount: 0,
        deviceSwitches: 0,
        deadline: null,
        attemptId: null,
        keyShown: shownTheKey.has(userId),
      })
      return
    }
    const a = representative(list)
    // A person who has an open retake still shows their best submitted score.
    const best = list.filter((x) => x.status === 'submitted').sort((x, y) => Number(y.score) - Number(x.score))[0]
    rows.push({
      userId,
      name,
      username,
      orgId: a.org_id,
      orgName: a.org_name,
      status: a.status as PersonStatus,
      score: best ? Number(best.score) : null,
      passed: best ? Boolean(best.passed) : null,
      startedAt: isoTime(a.started_at),
      submittedAt: isoTimeOrNull(best?.submitted_at),
      attempts: list.length,
      answered: a.answered_count,
      blurCount: list.reduce((s, x) => s + x.blur_count, 0),
      reloadCount: list.reduce((s, x) => s + x.reload_count, 0),
      deviceSwitches: list.reduce((s, x) => s + x.device_switches, 0),
      deadline: a.status === 'in_progress' ? isoTime(a.deadline) : null,
      attemptId: a.id,
      keyShown: shownTheKey.has(userId),
    })
  }
  for (const p of people) push(p.user_id, p.name, p.username, p.org_id, p.org_name)
  // People who took it but have since left the audience (moved or disabled) keep their result.
  for (const [userId, list] of attempts)
    if (!seen.has(userId)) push(userId, list[0].user_name, list[0].username, list[0].org_id, list[0].org_name)
  return rows
}

export interface LeaderboardRow {
  rank: number
  userId: number
  name: string
  orgName: string
  score: number
  durationSeconds: number
}

/**
 * Best submitted attempt per person under `scope`, ranked by score, then time taken — read from
 * `exam_people` through its board index, so the top rows cost a few index reads, not a scan.
 */
export async function leaderboard(db: Db, examId: number, scope: string, limit = 100): Promise<LeaderboardRow[]> {
  return (await leaderboards(db, examId, [scope], limit)).get(scope) ?? []
}

/**
 * The top `limit` of several scopes at once: one statement (each scope's rows through the board
 * index, side by side) and one consent read for everyone on any of the boards. A live push serves
 * every watcher room of an exam, one scope each; a query per room made the last room's push wait
 * for all the others' round trips.
 */
export async function leaderboards(db: Db, examId: number, scopes: string[], limit: number): Promise<Map<string, LeaderboardRow[]>> {
  const wanted = [...new Set(scopes)]
  const boards = new Map<string, LeaderboardRow[]>(wanted.map((s) => [s, []]))
  if (!wanted.length) return boards
  const { rows } = await sql<{ scope: string; user_id: number; name: string; org_name: string; best: string; best_seconds: number | null }>`
    select s.scope, t.user_id, t.name, t.org_name, t.best, t.best_seconds
    from (values ${sql.join(wanted.map((scope) => sql`(${scope}::text)`))}) as s(scope)
    cross join lateral (
      select p.user_id, u.name, o.name as org_name, p.best, p.best_seconds
      from exam_people p
      join users u on u.id = p.user_id
      join orgs o on o.id = p.org_id
      where p.exam_id = ${examId} and p.submitted and o.path like s.scope || '%'
      order by p.best desc, p.best_seconds asc, p.user_id
      limit ${limit}
    ) t
    order by s.scope, t.best desc, t.best_seconds asc, t.user_id`.execute(db)
  const all = rows.map((r) => ({
    scope: r.scope,
    name: r.name,
    userId: r.user_id,
    orgName: r.org_name,
    score: Number(r.best),
    durationSeconds: r.best_seconds ?? 0,
  }))
  // Names by consent (个人信息保护法): 张* with the unit until the person agrees; no rows while boards are off.
  for (const { scope, ...row } of await boardRowsOrNone(db, all, (r) => r.userId)) {
    const board = boards.get(scope)!
    board.push({ rank: board.length + 1, ...row })
  }
  return boards
}

export interface Monitor {
  invited: number
  started: number
  submitted: number
  byOrg: { orgId: number; name: string; invited: number; started: number; submitted: number; avgScore: number | null }[]
}

export interface OrgInvited {
  org_id: number
  org_name: string
  org_path: string
  invited: number
}
export interface OrgCounts {
  org_id: number
  org_name: string
  org_path: string
  started: number
  submitted: number
  score_sum: number
}
export interface ProgressData {
  invited: OrgInvited[]
  counts: OrgCounts[]
}

/** How many active people each org of the audience holds (changes rarely; callers may cache it). */
export async function invitedByOrg(db: Db, audience: string[], scope: string): Promise<OrgInvited[]> {
  const people = await invitedPeople(db, audience, scope)
  const byOrg = new Map<number, OrgInvited>()
  for (const p of people) {
    const o = byOrg.get(p.org_id) ?? { org_id: p.org_id, org_name: p.org_name, org_path: p.org_path, invited: 0 }
    o.invited++
    byOrg.set(p.org_id, o)
  }
  return [...byOrg.values()]
}

/** The exam's counters per org under `scope`: one row per org, kept up to date by counters.ts. */
export async function orgCounts(db: Db, examId: number, scope: string): Promise<OrgCounts[]> {
  const rows = await db
    .selectFrom('exam_org_counts as c')
    .innerJoin('orgs as o', 'o.id', 'c.org_id')
    .select(['c.org_id', 'o.name as org_name', 'o.path as org_path', 'c.started', 'c.submitted', 'c.score_sum'])
    .where('c.exam_id', '=', examId)
    .where('o.path', 'like', `${scope}%`)
    .execute()
  return rows.map((r) => ({ ...r, score_sum: Number(r.score_sum) }))
}

/** The public `monitor` figures for one scope, from data loaded for that scope or any wider one. */
export function summarizeProgress(data: ProgressData, scope: string): Monitor {
  const byOrg = new Map<number, Monitor['byOrg'][number] & { scoreSum: number }>()
  const org = (id: number, name: string) => {
    if (!byOrg.has(id)) byOrg.set(id, { orgId: id, name, invited: 0, started: 0, submitted: 0, avgScore: null, scoreSum: 0 })
    return byOrg.get(id)!
  }
  for (const i of data.invited) if (i.org_path.startsWith(scope)) org(i.org_id, i.org_name).invited = i.invited
  for (const c of data.counts) {
    if (!c.org_path.startsWith(scope)) continue
    const o = org(c.org_id, c.org_name)
    o.started = c.started
    o.submitted = c.submitted
    o.scoreSum = c.score_sum
    // People who took it and then left the audience still count as invited where they took it.
    o.invited = Math.max(o.invited, c.started)
  }
  const list = [...byOrg.values()].map(({ scoreSum, ...o }) => ({
    ...o,
    avgScore: o.submitted ? Math.round((scoreSum / o.submitted) * 10) / 10 : null,
  }))
  return {
    invited: list.reduce((s, o) => s + o.invited, 0),
    started: list.reduce((s, o) => s + o.started, 0),
    submitted: list.reduce((s, o) => s + o.submitted, 0),
    byOrg: list,
  }
}

/** The public `monitor` figures: counts of people (not attempts), per org of the person. */
export async function monitor(db: Db, examId: number, audience: string[], scope: string): Promise<Monitor> {
  const [invited, counts] = await Promise.all([invitedByOrg(db, audience, scope), orgCounts(db, examId, scope)])
  return summarizeProgress({ invited, counts }, scope)
}

/** Correct rate per question and the score distribution, over submitted attempts in scope. */
export async function examStats(db: Db, examId: number, scope: string) {
  const attempts = await db
    .selectFrom('attempts')
    .innerJoin('orgs', 'orgs.id', 'attempts.org_id')
    .select(['attempts.id', 'attempts.score', 'attempts.max_score', 'attempts.paper'])
    .where('attempts.exam_id', '=', examId)
    .where('attempts.status', '=', 'submitted')
    .where('orgs.path', 'like', `${scope}%`)
    .execute()
  const { rows: perQuestion } = await sql<{ question_id: number; answered: number; correct: number }>`
    select aa.question_id, count(*)::int as answered, count(*) filter (where aa.correct)::int as correct
    from attempt_answers aa join attempts a on a.id = aa.attempt_id join orgs o on o.id = a.org_id
    where a.exam_id = ${examId} and a.status = 'submitted' and o.path like ${scope + '%'}
    group by aa.question_id`.execute(db)
  const stems = new Map<number, { stem: string; type: string; shown: number }>()
  for (const a of attempts)
    for (const pq of (a.paper as Paper).questions) {
      const s = stems.get(pq.id) ?? { stem: pq.stem, type: pq.type, shown: 0 }
      s.shown++
      stems.set(pq.id, s)
    }
  const maxScore = attempts.length ? Number(attempts[0].max_score) : 0
  const buckets = Array.from({ length: 10 }, (_, i) => ({
    from: Math.round((maxScore * i) / 10),
    to: Math.round((maxScore * (i + 1)) / 10),
    count: 0,
  }))
  for (const a of attempts) {
    const i = maxScore ? Math.min(9, Math.floor((Number(a.score) / maxScore) * 10)) : 0
    buckets[i].count++
  }
  return {
    submitted: attempts.length,
    average: attempts.length ? Math.round((attempts.reduce((s, a) => s + Number(a.score), 0) / attempts.length) * 10) / 10 : null,
    distribution: buckets,
    questions: [...stems.entries()]
      .map(([id, s]) => {
        const pq = perQuestion.find((p) => p.question_id === id)
        return {
          questionId: id,
          stem: s.stem,
          type: s.type,
          shown: s.shown,
          answered: pq?.answered ?? 0,
          correct: pq?.correct ?? 0,
          correctRate: s.shown ? Math.round(((pq?.correct ?? 0) / s.shown) * 1000) / 10 : null,
        }
      })
      .sort((a, b) => (a.correctRate ?? 0) - (b.correctRate ?? 0)),
  }
}

/** Sends a question of this exam back to the bank for review, with its figures from this exam. */
export async function sendToReview(deps: Deps, principal: Principal, examId: number, questionId: number) {
  const item = (await itemAnalysis(deps.db, examId, '/')).find((i) => i.questionId === questionId)
  if (!item) throw notFound('本场考试中的该题目')
  const figures = {
    responses: item.responses,
    facility: item.facility,
    discrimination: item.discrimination,
    upperLower: item.upperLower,
    flags: item.flags,
  }
  return withTransaction(deps, (tx) => holdForReview(tx, questionId, { examId, figures, by: principal.userId }, deps.clock.now()))
}
