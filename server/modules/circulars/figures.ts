// The figures of one 通报: organised work of a subtree in a period, never how much anyone used the
// app. Exams that closed in the period (who was invited, who submitted, who missed), task-list items
// due in the period per unit, activities held (场次/人次, from the campaign tally), units ranked by
// activity attendance per member, and study points only as counts per band — a list of people under
// the line only when the deployment switched individual lists on.
import { dayjs, ZONE } from '../../lib/time.js'
import { ACTIVITY_TYPES, TYPE_LABELS, activityTotals, computeTally, tasksOfSubtree, type TypeFigures } from '../campaign/index.js'
import { invitedPeople, orgPaths } from '../exams/index.js'
import type { CircularPeriod } from './periods.js'
import * as q from './queries.js'

export interface Scope {
  /** null: every top-level org (an admin of a deployment with several). */
  orgId: number | null
  name: string
  path: string
}

export interface ExamFigure {
  examId: number
  title: string
  opensAt: string
  closesAt: string
  maxScore: number
  invited: number
  submitted: number
  missed: number
  rate: number | null
  avgScore: number | null
  passed: number
  passRate: number | null
  /** Invited, not submitted: user ids with their unit (named when downloaded). */
  missedPeople: { userId: number; orgName: string }[]
}

export type TaskOutcome = 'on_time' | 'late' | 'not_done'

export interface TaskFigure {
  taskId: number
  title: string
  dueAt: string
  orgId: number
  orgName: string
  outcome: TaskOutcome
  doneAt: string | null
}

export interface UnitFigure {
  /** 1 = most activity attendance per member; equal figures share a rank; null when the unit has no members. */
  rank: number | null
  orgId: number
  name: string
  people: number
  sessions: number
  attendance: number
  perCapita: number | null
  invited: number
  submitted: number
  examRate: number | null
  tasks: number
  tasksDone: number
  taskRate: number | null
}

export interface PointBand {
  label: string
  min: number | null
  max: number | null
  count: number
}

export interface CircularFigures {
  version: 1
  scope: Scope
  period: { kind: CircularPeriod['kind']; start: string; end: string; label: string }
  generatedAt: string
  generatedOn: string
  people: number
  exams: ExamFigure[]
  examTotals: {
    exams: number
    invited: number
    submitted: number
    missed: number
    rate: number | null
    passed: number
    passRate: number | null
  }
  tasks: { items: TaskFigure[]; assigned: number; done: number; late: number; notDone: number; rate: number | null }
  activities: {
    sessions: number
    attendance: number
    perCapita: number | null
    byType: { type: string; label: string; sessions: number; attendance: number }[]
  }
  units: UnitFigure[]
  points: { threshold: number; bands: PointBand[]; below: number }
  /** Only when individual lists are switched on: people under the line, fewest points first. */
  lowScorers?: { userId: number; orgName: string; points: number }[]
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null)
const under = (path: string, prefix: string) => path.startsWith(prefix)

/** The scope of a recipient: a secretary's org subtree; an admin's whole deployment. */
export async function scopeOf(db: q.Db, r: { role: string; org_id: number; org_name: string; org_path: string }): Promise<Scope> {
  if (r.role !== 'admin') return { orgId: r.org_id, name: r.org_name, path: r.org_path }
  const roots = await q.rootOrgs(db)
  if (roots.length === 1) return { orgId: roots[0].id, name: roots[0].name, path: roots[0].path }
  return { orgId: null, name: '全部组织', path: '/' }
}

/** Point bands for a line T: 0; 1 to T−1 (when T > 1); T to 2T−1; 2T and above. */
export function pointBands(threshold: number): PointBand[] {
  const t = threshold
  const bands: PointBand[] = [{ label: '0分', min: null, max: 0, count: 0 }]
  if (t > 1) bands.push({ label: t === 2 ? '1分' : `1–${t - 1}分`, min: 1, max: t - 1, count: 0 })
  bands.push({ label: t === 1 ? '1分' : `${t}–${2 * t - 1}分`, min: t, max: 2 * t - 1, count: 0 })
  bands.push({ label: `${2 * t}分及以上`, min: 2 * t, max: null, count: 0 })
  return bands
}

export async function computeFigures(
  db: q.Db,
  scope: Scope,
  period: CircularPeriod,
  opts: { threshold: number; withList: boolean; now: Date },
): Promise<CircularFigures> {
  const range = { from: period.from, to: period.to }
  const roots = scope.orgId === null ? await q.rootOrgs(db) : []
  const scopeOrg = scope.orgId === null ? null : { id: scope.orgId, name: scope.name, path: scope.path }
  const children = scopeOrg ? await q.childOrgs(db, scopeOrg.id) : roots
  const units = children.length ? children : scopeOrg ? [{ ...scopeOrg, parent_id: null }] : []
  const unitOf = (path: string) => units.find((u) => under(path, u.path))

  // ── people ──
  const people = await q.peopleUnder(db, scope.path)
  const headcount = new Map<number, number>(units.map((u) => [u.id, 0]))
  for (const p of people) {
    const u = unitOf(p.path)
    if (u) headcount.set(u.id, headcount.get(u.id)! + 1)
  }

  // ── exams that closed in the period ──
  const exams: ExamFigure[] = []
  const unitExam = new Map<number, { invited: number; submitted: number }>(units.map((u) => [u.id, { invited: 0, submitted: 0 }]))
  for (const exam of await q.examsClosedIn(db, period.from, period.to)) {
    const audience = [...(await orgPaths(db, exam.audience_org_ids as number[])).values()]
    if (!audience.length) continue
    const invited = await invitedPeople(db, audience, scope.path)
    if (!invited.length) continue
    const taken = new Map((await q.examPeople(db, exam.id)).map((r) => [r.user_id, r]))
    const submitted = invited.filter((p) => taken.get(p.user_id)?.submitted)
    const missed = invited.filter((p) => !taken.get(p.user_id)?.submitted)
    const scores = submitted.map((p) => Number(taken.get(p.user_id)!.best ?? 0))
    const passed = scores.filter((s) => s >= exam.pass_score).length
    for (const p of invited) {
      const u = unitOf(p.org_path)
      if (!u) continue
      const f = unitExam.get(u.id)!
      f.invited++
      if (taken.get(p.user_id)?.submitted) f.submitted++
    }
    exams.push({
      examId: exam.id,
      title: exam.title,
      opensAt: new Date(exam.opens_at).toISOString(),
      closesAt: new Date(exam.closes_at).toISOString(),
      maxScore: exam.max_score,
      invited: invited.length,
      submitted: submitted.length,
      missed: missed.length,
      rate: ratio(submitted.length, invited.length),
      avgScore: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100 : null,
      passed,
      passRate: ratio(passed, submitted.length),
      missedPeople: missed.map((p) => ({ userId: p.user_id, orgName: p.org_name })),
    })
  }
  const sumOf = (key: 'invited' | 'submitted' | 'missed' | 'passed') => exams.reduce((a, e) => a + e[key], 0)
  const examTotals = {
    exams: exams.length,
    invited: sumOf('invited'),
    submitted: sumOf('submitted'),
    missed: sumOf('missed'),
    rate: ratio(sumOf('submitted'), sumOf('invited')),
    passed: sumOf('passed'),
    passRate: ratio(sumOf('passed'), sumOf('submitted')),
  }

  // ── task-list items due in the period ──
  const paths = new Map((await q.orgsUnder(db, scope.path)).map((o) => [o.id, o.path]))
  const taskItems: TaskFigure[] = []
  const unitTasks = new Map<number, { tasks: number; done: number }>(units.map((u) => [u.id, { tasks: 0, done: 0 }]))
  for (const task of await tasksOfSubtree(db, scope.path, opts.now, range)) {
    for (const o of task.orgs) {
      const outcome: TaskOutcome = !o.doneAt ? 'not_done' : new Date(o.doneAt) <= new Date(task.dueAt) ? 'on_time' : 'late'
      taskItems.push({
        taskId: task.id,
        title: task.title,
        dueAt: task.dueAt,
        orgId: o.orgId,
        orgName: o.name,
        outcome,
        doneAt: o.doneAt ?? null,
      })
      const u = unitOf(paths.get(o.orgId) ?? '')
      if (!u) continue
      const f = unitTasks.get(u.id)!
      f.tasks++
      if (outcome !== 'not_done') f.done++
    }
  }
  const done = taskItems.filter((t) => t.outcome !== 'not_done').length

  // ── activities held (the campaign tally's recorded types, not 知识测试 or 自学) ──
  const byType = new Map<string, { sessions: number; attendance: number }>(ACTIVITY_TYPES.map((t) => [t, { sessions: 0, attendance: 0 }]))
  const unitActivity = new Map<number, { sessions: number; attendance: number }>()
  const addTypes = (types: TypeFigures[]) => {
    for (const f of types) {
      const slot = byType.get(f.type)
      if (!slot) continue
      slot.sessions += f.sessions
      slot.attendance += f.attendance
    }
  }
  for (const org of scopeOrg ? [scopeOrg] : roots) {
    const tally = await computeTally(db, { id: org.id, name: org.name, path: org.path }, range)
    addTypes(tally.byType)
    if (!scopeOrg) unitActivity.set(org.id, activityTotals(tally.byType))
    else if (!children.length) unitActivity.set(org.id, activityTotals(tally.byType))
    else for (const child of tally.byOrg) unitActivity.set(child.orgId, activityTotals(child.byType))
  }
  const activityByType = [...byType].map(([type, f]) => ({ type, label: TYPE_LABELS[type as keyof typeof TYPE_LABELS] ?? type, ...f }))
  const sessions = activityByType.reduce((a, f) => a + f.sessions, 0)
  const attendance = activityByType.reduce((a, f) => a + f.attendance, 0)

  // ── units ranked per capita ──
  const unitRows: UnitFigure[] = units.map((u) => {
    const n = headcount.get(u.id) ?? 0
    const act = unitActivity.get(u.id) ?? { sessions: 0, attendance: 0 }
    const ex = unitExam.get(u.id)!
    const tk = unitTasks.get(u.id)!
    return {
      rank: null,
      orgId: u.id,
      name: u.name,
      people: n,
      sessions: act.sessions,
      attendance: act.attendance,
      perCapita: ratio(act.attendance, n),
      invited: ex.invited,
      submitted: ex.submitted,
      examRate: ratio(ex.submitted, ex.invited),
      tasks: tk.tasks,
      tasksDone: tk.done,
      taskRate: ratio(tk.done, tk.tasks),
    }
  })
  for (const u of unitRows) {
    if (u.perCapita === null) continue
    u.rank = 1 + unitRows.filter((o) => o.perCapita !== null && o.perCapita > u.perCapita!).length
  }
  unitRows.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.name.localeCompare(b.name, 'zh-CN'))

  // ── study points: a distribution only ──
  const points = await q.pointsByUser(db, scope.path, period.start, period.end)
  const bands = pointBands(opts.threshold)
  const earned = people.map((p) => ({ person: p, points: points.get(p.id) ?? 0 }))
  for (const { points: n } of earned) {
    const band = bands.find((b) => (b.min === null || n >= b.min) && (b.max === null || n <= b.max))!
    band.count++
  }
  const belowLine = earned.filter((e) => e.points < opts.threshold)

  const now = opts.now
  return {
    version: 1,
    scope,
    period: { kind: period.kind, start: period.start, end: period.end, label: period.label },
    generatedAt: now.toISOString(),
    generatedOn: dayjs(now).tz(ZONE).format('YYYY年M月D日'),
    people: people.length,
    exams,
    examTotals,
    tasks: {
      items: taskItems,
      assigned: taskItems.length,
      done,
      late: taskItems.filter((t) => t.outcome === 'late').length,
      notDone: taskItems.length - done,
      rate: ratio(done, taskItems.length),
    },
    activities: { sessions, attendance, perCapita: ratio(attendance, people.length), byType: activityByType },
    units: unitRows,
    points: { threshold: opts.threshold, bands, below: belowLine.length },
    ...(opts.withList && {
      lowScorers: belowLine
        .sort((a, b) => a.points - b.points || a.person.path.localeCompare(b.person.path) || a.person.id - b.person.id)
        .map((e) => ({ userId: e.person.id, orgName: e.person.org_name, points: e.points })),
    }),
  }
}
