// Which bank questions a person may not practise right now: those that could be on her paper of
// an exam that is still open for her. Practice shows keys, so an open exam's questions stay out of
// it until she can no longer sit that exam (window closed, or no attempt left and none running).
// Fixed papers lock their list; rule papers lock every question the rules could draw.
import { sql, type Expression } from 'kysely'
import type { Deps } from '../../lib/deps.js'
import type { Principal } from '../../lib/scope.js'
import { shanghaiDate } from '../../lib/time.js'
import type { PaperSpec } from './draw.js'
import { isInAudience, type ExamCatalog } from './catalog.js'
import * as q from './queries.js'

/** A person's standing in one exam: attempts made, one running, extra attempts granted. */
interface Standing {
  used: number
  running: boolean
  extra: number
}

/** The standing's three columns, for the exam `examId` (a column of the outer query, or an id). */
const standingColumns = (userId: number, examId: Expression<number> | number) => sql`
  (select count(*)::int from attempts a where a.exam_id = ${examId} and a.user_id = ${userId}) as used,
  exists (select 1 from attempts a where a.exam_id = ${examId} and a.user_id = ${userId} and a.status = 'in_progress') as running,
  coalesce((select extra_attempts from exam_allowances al where al.exam_id = ${examId} and al.user_id = ${userId}), 0) as extra`

/**
 * The one rule of "still open for her", for an exam that has not closed: an attempt running, or one
 * left while she is a taker (invited, or she has started it before).
 */
function canStillSit(s: Standing, maxAttempts: number, invited: () => boolean): boolean {
  if (s.running) return true
  return s.used < maxAttempts + s.extra && (s.used > 0 || invited())
}

export async function questionsLockedByExams(
  deps: Pick<Deps, 'db' | 'clock'>,
  exams: ExamCatalog,
  principal: Principal,
): Promise<Set<number>> {
  if (principal.role === 'admin') return new Set() // admins author the bank and never sit exams
  const now = deps.clock.now()
  // Exams not yet closed, with this person's attempt count, open attempt and allowance in one read.
  const { rows } = await sql<{ id: number; paper: PaperSpec; audience_org_ids: number[]; max_attempts: number } & Standing>`
    select e.id, e.paper, e.audience_org_ids, e.max_attempts, ${standingColumns(principal.userId, sql.ref('e.id'))}
    from exams e where e.closes_at > ${now}`.execute(deps.db)
  // Who may still sit an exam is settled before the audience paths are read (most need none).
  const stillOpen = rows.filter((e) => canStillSit(e, e.max_attempts, () => true))
  if (!stillOpen.length) return new Set()
  const paths = await q.orgPaths(deps.db, [...new Set(stillOpen.flatMap((e) => e.audience_org_ids))])
  const mine = stillOpen.filter((e) =>
    canStillSit(e, e.max_attempts, () =>
      isInAudience(
        principal.orgPath,
        e.audience_org_ids.map((id) => paths.get(id) ?? '\u0000'),
      ),
    ),
  )
  return questionsOf(exams, mine, now)
}

/** Every question these exams' papers could hold (a fixed list, or all that their rules could draw). */
async function questionsOf(exams: ExamCatalog, list: { id: number; paper: PaperSpec }[], now: Date): Promise<Set<number>> {
  const locked = new Set<number>()
  const today = shanghaiDate(now)
  for (const exam of list) {
    // The draw pool is the exam's own short-lived cache: exam day's starts and practice share it.
    const pool = await exams.drawPool(exam.id, exam.paper, today)
    for (const ids of pool.candidates) for (const id of ids) locked.add(id)
  }
  return locked
}

/**
 * Every question that someone of the subtree at `orgPath` could still meet on an open exam: the
 * questions of each exam not yet closed whose audience reaches into the subtree (an audience org
 * above it, or one inside it). Read once for the whole subtree, for screens that show keys to a
 * hall of people (a contest), where asking person by person is not possible.
 */
export async function questionsLockedInSubtree(
  deps: Pick<Deps, 'db' | 'clock'>,
  exams: ExamCatalog,
  orgPath: string,
): Promise<Set<number>> {
  const now = deps.clock.now()
  const open = await deps.db
    .selectFrom('exams')
    .select(['id', 'paper', 'audience_org_ids'])
    .where('closes_at', '>', now)
    .where('max_attempts', '>', 0)
    .execute()
  if (!open.length) return new Set()
  const paths = await q.orgPaths(deps.db, [...new Set(open.flatMap((e) => e.audience_org_ids as number[]))])
  const reaches = (audience: number[]) =>
    audience.some((id) => {
      const path = paths.get(id)
      return !!path && (orgPath.startsWith(path) || path.startsWith(orgPath))
    })
  const reaching = open.filter((e) => reaches(e.audience_org_ids as number[]))
  return questionsOf(
    exams,
    reaching.map((e) => ({ id: e.id, paper: e.paper as PaperSpec })),
    now,
  )
}

/**
 * Whether a secretary can still sit this exam: her unit is invited (or she has started it), it has
 * not closed, and she has an attempt running or one left. Staff views that carry the key (the item
 * analysis marks each option right or wrong) wait until she cannot; admins never sit exams.
 */
export async function mayStillSit(
  deps: Pick<Deps, 'db' | 'clock'>,
  principal: Principal,
  exam: { id: number; closes_at: Date; max_attempts: number },
  audience: string[],
): Promise<boolean> {
  if (principal.role !== 'secretary') return false
  if (deps.clock.now() >= new Date(exam.closes_at)) return false
  const { rows } = await sql<Standing>`select ${standingColumns(principal.userId, exam.id)}`.execute(deps.db)
  return canStillSit(rows[0], exam.max_attempts, () => isInAudience(principal.orgPath, audience))
}
