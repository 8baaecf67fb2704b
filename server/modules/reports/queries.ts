// Participation report: the 场次 / 人次 tallies the department used to compile by hand, per direct
// child unit of one org (each rolled up over its subtree) plus a total row. Query functions take
// the db first; every figure is limited to people under the chosen org's path.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import { dayjs, ZONE } from '../../lib/time.js'
import { invitedPeople } from '../exams/index.js'

type Db = Kysely<Database>

/** A row of the table: a unit rolled up over its subtree (`exact`: the org's own people only). */
export interface Bucket {
  key: number
  orgId: number
  name: string
  path: string
  exact: boolean
}

export interface Figures {
  members: number
  learners: number
  learnerDays: number
  points: number
  perCapita: number
  studyHours: number
  practiceAnswers: number
  exams: number
  attempts: number
  takers: number
  /** Of the takers, those who handed in a paper: the pass rate's base, as on an exam's 成绩 page. */
  finishers: number
  passers: number
  avgScore: number | null
}

export interface ReportRow extends Figures {
  orgId: number
  name: string
  own: boolean
}

export interface ExamLine {
  examId: number
  title: string
  date: string
  invited: number
  takers: number
  submitted: number
  passers: number
}

export interface Report {
  org: { id: number; name: string }
  from: string
  to: string
  rows: ReportRow[]
  total: Figures
  exams: ExamLine[]
}

/** [start, end) instants of a Shanghai day range, inclusive of both days. */
export function rangeInstants(from: string, to: string): [Date, Date] {
  return [dayjs.tz(from, ZONE).toDate(), dayjs.tz(to, ZONE).add(1, 'day').toDate()]
}

const round1 = (n: number) => Math.round(n * 10) / 10

/**
 * The buckets of a report on `org`: each active direct child over its subtree, then the org's own
 * people (本级) when it has no children or has people attached to it directly.
 */
export async function bucketsOf(db: Db, org: { id: number; name: string; path: string }): Promise<Bucket[]> {
  const [children, direct] = await Promise.all([
    db
      .selectFrom('orgs')
      .select(['id', 'name', 'path'])
      .where('parent_id', '=', org.id)
      .where('active', '=', true)
      .orderBy('sort')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('users')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('org_id', '=', org.id)
      .where('active', '=', true)
      .where('role', '!=', 'admin')
      .executeTakeFirstOrThrow(),
  ])
  const buckets: Bucket[] = children.map((c, i) => ({ key: i + 1, orgId: c.id, name: c.name, path: c.path, exact: false }))
  if (!children.length || direct.n > 0)
    buckets.push({ key: buckets.length + 1, orgId: org.id, name: org.name, path: org.path, exact: true })
  return buckets
}

interface RawFigures {
  key: number
  members: number
  learners: number
  learner_days: number
  points: number
  seconds: number
  answers: number
  exams: number
  attempts: number
  takers: number
  finishers: number
  passers: number
  avg_score: number | null
}

/**
 * Every figure for each bucket in one statement. Key 0 is the whole subtree of `rootPath` (the
 * total row: distinct counts are counted over the subtree, not summed). Events are placed by the
 * org recorded with them (ledger, attempts) or, when they carry none, by the person's current org.
 * The system account (role admin) is not a Party member and counts nowhere.
 */
export async function figuresFor(db: Db, rootPath: string, buckets: Bucket[], from: string, to: string): Promise<Map<number, Figures>> {
  const [start, end] = rangeInstants(from, to)
  const values = sql.join(
    [{ key: 0, path: rootPath, exact: false }, ...buckets].map((b) => sql`(${b.key}::int, ${b.path}::text, ${b.exact}::boolean)`),
  )
  const inBucket = (col: string) => sql`((b.exact and ${sql.ref(col)} = b.path) or (not b.exact and ${sql.ref(col)} like b.path || '%'))`
  const { rows } = await sql<RawFigures>`
    with b(key, path, exact) as (values ${values}),
    members as (
      select b.key, count(*)::int as members
      from users u join orgs o on o.id = u.org_id join b on ${inBucket('o.path')}
      where u.active and u.role <> 'admin' and o.path like ${rootPath + '%'}
      group by b.key
    ),
    learning as (
      select b.key,
        count(distinct l.user_id) filter (where l.points > 0)::int as learners,
        count(distinct l.user_id::text || ':' || l.day::text) filter (where l.points > 0)::int as learner_days,
        coalesce(sum(l.points), 0)::int as points
      from point_ledger l join users u on u.id = l.user_id join orgs o on o.id = l.org_id join b on ${inBucket('o.path')}
      where l.day between ${from}::date and ${to}::date and u.role <> 'admin' and o.path like ${rootPath + '%'}
      group by b.key
    ),
    reading as (
      select b.key, coalesce(sum(s.seconds), 0)::bigint as seconds
      from study_time s join users u on u.id = s.user_id join orgs o on o.id = u.org_id join b on ${inBucket('o.path')}
      where s.day between ${from}::date and ${to}::date and u.role <> 'admin' and o.path like ${rootPath + '%'}
      group by b.key
    ),
    practice as (
      select b.key, count(*)::int as answers
      from practice_answers p join users u on u.id = p.user_id join orgs o on o.id = u.org_id join b on ${inBucket('o.path')}
      where p.day between ${from}::date and ${to}::date and u.role <> 'admin' and o.path like ${rootPath + '%'}
      group by b.key
    ),
    tries as (
      select b.key, a.exam_id, a.user_id, a.status, a.passed, a.score
      from attempts a join users u on u.id = a.user_id join orgs o on o.id = a.org_id join b on ${inBucket('o.path')}
      where a.started_at >= ${start} and a.started_at < ${end} and u.role <> 'admin' and o.path like ${rootPath + '%'}
    ),
    testing as (
      select key, count(distinct exam_id)::int as exams, count(*)::int as attempts, count(distinct user_id)::int as takers,
        count(distinct user_id) filter (where status = 'submitted')::int as finishers,
        count(distinct user_id) filter (where status = 'submitted' and passed)::int as passers
      from tries group by key
    ),
    best as (
      select key, exam_id, user_id, max(score) filter (where status = 'submitted') as best from tries group by key, exam_id, user_id
    ),
    scores as (select key, avg(best)::float8 as avg_score from best where best is not null group by key)
    select b.key,
      coalesce(members.members, 0) as members, coalesce(learning.learners, 0) as learners, coalesce(learning.learner_days, 0) as learner_days,
      coalesce(learning.points, 0) as points, coalesce(reading.seconds, 0)::float8 as seconds, coalesce(practice.answers, 0) as answers,
      coalesce(testing.exams, 0) as exams, coalesce(testing.attempts, 0) as attempts, coalesce(testing.takers, 0) as takers,
      coalesce(testing.finishers, 0) as finishers, coalesce(testing.passers, 0) as passers, scores.avg_score
    from b
      left join members on members.key = b.key left join learning on learning.key = b.key left join reading on reading.key = b.key
      left join practice on practice.key = b.key left join testing on testing.key = b.key left join scores on scores.key = b.key`.execute(
    db,
  )
  return new Map(
    rows.map((r) => [
      Number(r.key),
      {
        members: Number(r.members),
        learners: Number(r.learners),
        learnerDays: Number(r.learner_days),
        points: Number(r.points),
        perCapita: Number(r.members) ? round1(Number(r.points) / Number(r.members)) : 0,
        studyHours: round1(Number(r.seconds) / 3600),
        practiceAnswers: Number(r.answers),
        exams: Number(r.exams),
        attempts: Number(r.attempts),
        takers: Number(r.takers),
        finishers: Number(r.finishers),
        passers: Number(r.passers),
        avgScore: r.avg_score === null ? null : round1(Number(r.avg_score)),
      },
    ]),
  )
}

/**
 * Exams held in the range for the scope: any exam someone under `rootPath` started in the range,
 * plus exams opening in the range whose audience reaches the scope (应考 without 参考 still shows).
 * 场次 date is the Shanghai day the exam opened.
 */
export async function examLines(db: Db, rootPath: string, from: string, to: string): Promise<ExamLine[]> {
  const [start, end] = rangeInstants(from, to)
  const { rows } = await sql<{
    id: number
    title: string
    opens_at: Date
    audience_org_ids: number[] | string
    takers: number
    submitted: number
    passers: number
  }>`
    with tries as (
      select a.exam_id, a.user_id, a.status, a.passed
      from attempts a join users u on u.id = a.user_id join orgs o on o.id = a.org_id
      where a.started_at >= ${start} and a.started_at < ${end} and u.role <> 'admin' and o.path like ${rootPath + '%'}
    ),
    counts as (
      select exam_id, count(distinct user_id)::int as takers,
        count(distinct user_id) filter (where status = 'submitted')::int as submitted,
        count(distinct user_id) filter (where status = 'submitted' and passed)::int as passers
      from tries group by exam_id
    )
    select e.id, e.title, e.opens_at, e.audience_org_ids,
      coalesce(c.takers, 0) as takers, coalesce(c.submitted, 0) as submitted, coalesce(c.passers, 0) as passers
    from exams e left join counts c on c.exam_id = e.id
    where c.exam_id is not null or (e.opens_at >= ${start} and e.opens_at < ${end})
    order by e.opens_at, e.id`.execute(db)
  const audienceIds = [...new Set(rows.flatMap((r) => idsOf(r.audience_org_ids)))]
  const paths = new Map(
    audienceIds.length
      ? (await db.selectFrom('orgs').select(['id', 'path']).where('id', 'in', audienceIds).execute()).map((o) => [o.id, o.path])
      : [],
  )
  const lines: ExamLine[] = []
  for (const r of rows) {
    const audience = idsOf(r.audience_org_ids)
      .map((id) => paths.get(id))
      .filter((p): p is string => !!p)
    const reaches = audience.some((p) => p.startsWith(rootPath) || rootPath.startsWith(p))
    if (!Number(r.takers) && !reaches) continue
    const invited = reaches ? (await invitedPeople(db, audience, rootPath)).length : 0
    lines.push({
      examId: r.id,
      title: r.title,
      date: dayjs(r.opens_at).tz(ZONE).format('YYYY-MM-DD'),
      // Someone who took it and has since moved or left still counts as expected where they took it.
      invited: Math.max(invited, Number(r.takers)),
      takers: Number(r.takers),
      submitted: Number(r.submitted),
      passers: Number(r.passers),
    })
  }
  return lines
}

const idsOf = (v: number[] | string): number[] => (typeof v === 'string' ? JSON.parse(v) : v) ?? []

export async function participationReport(
  db: Db,
  org: { id: number; name: string; path: string },
  from: string,
  to: string,
): Promise<Report> {
  const buckets = await bucketsOf(db, org)
  const [figures, exams] = await Promise.all([figuresFor(db, org.path, buckets, from, to), examLines(db, org.path, from, to)])
  return {
    org: { id: org.id, name: org.name },
    from,
    to,
    rows: buckets.map((b) => ({ orgId: b.orgId, name: b.name, own: b.exact, ...figures.get(b.key)! })),
    total: figures.get(0)!,
    exams,
  }
}
