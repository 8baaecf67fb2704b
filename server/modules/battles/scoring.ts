// Scoring of live games, pure: the same answers and timings always score the same.
import type { PaperQuestion } from '../questions/index.js'

/** How fast a person can possibly read a question: a fixed glance plus a time per character. */
export interface ReadingSpeed {
  baseMs: number
  perCharMs: number
  capMs: number
}

/**
 * Below this many milliseconds an answer came before the question could be read (a reader of
 * 40 characters a second — several times the fastest skimming of Chinese text): it is flagged,
 * counted for correctness, and earns no speed part.
 */
export function minReadMs(q: Pick<PaperQuestion, 'stem' | 'options'>, speed: ReadingSpeed): number {
  const chars = q.stem.length + (q.options ?? []).reduce((n, o) => n + o.text.length, 0)
  return Math.min(speed.capMs, speed.baseMs + speed.perCharMs * chars)
}

/**
 * Battle round: a right answer earns 100, plus a speed part ⌊99 × (time left ÷ round time) ÷
 * rounds⌋. The speed parts of a whole battle add up to less than 100, so whoever answers more
 * questions right always ranks higher; among equals, the faster one.
 */
export function battleRoundScore(a: { correct: boolean; tooFast: boolean; elapsedMs: number }, roundMs: number, rounds: number): number {
  if (!a.correct) return 0
  if (a.tooFast) return 100
  const left = Math.max(0, Math.min(1, 1 - a.elapsedMs / roundMs))
  return 100 + Math.floor((99 * left) / rounds)
}

/**
 * Contest (Kahoot's rule): a right answer earns ⌊1000 × (1 − (time taken ÷ question time) ÷ 2)⌉,
 * from 1000 at once down to 500 at the bell; a wrong answer or none earns 0. An answer faster than
 * reading earns the bottom of that range, 500.
 */
export function contestPoints(a: { correct: boolean; tooFast: boolean; elapsedMs: number }, questionMs: number): number {
  if (!a.correct) return 0
  if (a.tooFast) return 500
  const taken = Math.max(0, Math.min(1, a.elapsedMs / questionMs))
  return Math.round(1000 * (1 - taken / 2))
}

/** Standard competition ranking (1, 2, 2, 4) by score, descending. */
export function rankByScore<T extends { score: number; userId?: number }>(rows: T[]): (T & { rank: number })[] {
  // Ties share a rank; within a tie the order is by user id, as the stored results list it.
  // A rank is one more than the number of higher scores: the place of its score's first row once
  // sorted (a hall of 2,000 is ranked at every reveal, so not by counting for each row).
  const sorted = [...rows].sort((a, b) => b.score - a.score || (a.userId ?? 0) - (b.userId ?? 0))
  let rank = 0
  return sorted.map((r, i) => {
    if (i === 0 || sorted[i - 1].score !== r.score) rank = i + 1
    return { ...r, rank }
  })
}

/**
 * Points units by 学习强国's rules of record. 双人对战: the day's first game, a win 2, a loss 1
 * (a draw is a win for both). 四人赛: first game 3 for first place, 2 for second and third, 1 for
 * fourth; second game 2 for first place and 1 for the others. Later games earn nothing.
 * `game` is 1 for the day's first game of that mode.
 */
export function battleUnits(mode: 'duel' | 'four', game: number, rank: number): number {
  if (mode === 'duel') return game === 1 ? (rank === 1 ? 2 : 1) : 0
  if (game === 1) return rank === 1 ? 3 : rank <= 3 ? 2 : 1
  if (game === 2) return rank === 1 ? 2 : 1
  return 0
}
