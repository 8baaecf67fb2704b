// Helpers for live-game tests (battles, contests): every event a client receives, recorded in
// order; the key of a question as the test (not the client) knows it, from the bank row mapped
// onto the shuffled options the client was shown; and a scan for any key sent too early.
import type { Kysely } from 'kysely'
import type { Database } from '../../server/db/types.js'
import type { LiveQuestion } from '../../server/realtime/events-map.js'
import type { ClientSocket } from './sockets.js'

export interface Received {
  event: string
  at: number
  payload: any
}

/** Records every event this socket receives. */
export function recordAll(socket: ClientSocket): Received[] {
  const log: Received[] = []
  socket.onAny((event: string, payload: unknown) => log.push({ event, at: Date.now(), payload }))
  return log
}

/** The right answer in the letters this client was shown (options are shuffled per game). */
export async function keyFor(db: Kysely<Database>, q: LiveQuestion): Promise<unknown> {
  const row = await db.selectFrom('questions').select(['type', 'options', 'answer']).where('id', '=', q.id).executeTakeFirstOrThrow()
  if (row.type === 'judge') return row.answer
  const textOf = new Map((row.options ?? []).map((o) => [o.key, o.text]))
  const shown = (letter: string) => q.options!.find((o) => o.text === textOf.get(letter))!.key
  return row.type === 'single' ? shown(row.answer as string) : (row.answer as string[]).map(shown).sort()
}

/** A wrong answer of the right shape. */
export async function wrongFor(db: Kysely<Database>, q: LiveQuestion): Promise<unknown> {
  const key = await keyFor(db, q)
  if (q.type === 'judge') return !key
  const other = q.options!.map((o) => o.key).find((k) => (Array.isArray(key) ? !key.includes(k) : k !== key))!
  return q.type === 'single' ? other : [other]
}

const KEY_FIELDS = new Set(['answer', 'correctAnswer', 'explanation'])

/** Field paths in `value` that could carry a key. */
export function keyFieldsIn(value: unknown, path = ''): string[] {
  if (!value || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => [...(KEY_FIELDS.has(k) ? [`${path}${k}`] : []), ...keyFieldsIn(v, `${path}${k}.`)])
}

/**
 * Every payload received before the reveal of question `index` (its `revealEvent`) must carry no
 * key field at all; a reveal must name exactly the question it closes.
 */
export function keysSentEarly(log: Received[], revealEvent: 'battle:round' | 'contest:reveal'): string[] {
  const problems: string[] = []
  const revealed = new Set<number>()
  for (const e of log) {
    if (e.event === revealEvent) {
      revealed.add(e.payload.index)
      continue
    }
    const fields = keyFieldsIn(e.payload)
    if (fields.length) problems.push(`${e.event} carried ${fields.join(', ')}`)
    const q = e.payload?.question
    if (q && !revealed.has(e.payload.index) && Object.keys(q).sort().join() !== 'id,options,stem,type')
      problems.push(`${e.event} question has ${Object.keys(q)}`)
  }
  return problems
}

/**
 * Counts a contest runtime's readings of the open exams from now on, each made slow (300 ms) so
 * that a burst of presses meets it; `restore()` puts the real reading back.
 */
export function countedReads(runtime: object) {
  const r = runtime as { lockedIn: (orgPath: string) => Promise<Set<number>> }
  const real = r.lockedIn
  const counted = {
    reads: 0,
    restore: () => {
      r.lockedIn = real
    },
  }
  r.lockedIn = async (orgPath) => {
    counted.reads++
    await new Promise((done) => setTimeout(done, 300))
    return real(orgPath)
  }
  return counted
}
