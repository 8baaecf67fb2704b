// Scoring one answer against one paper question. Pure: the same inputs always grade the same.
import type { MultipleScoring } from '../../db/types.js'
import { normalizeFillAnswer } from './formats/validate.js'
import type { PaperQuestion } from './presentation.js'

export interface Grade {
  correct: boolean
  score: number
}

export function grade(q: PaperQuestion, answer: unknown, multipleScoring: MultipleScoring): Grade {
  const none = { correct: false, score: 0 }
  if (answer === undefined || answer === null) return none
  switch (q.type) {
    case 'single':
    case 'judge':
      return answer === q.answer ? { correct: true, score: q.score } : none
    case 'multiple': {
      if (!Array.isArray(answer)) return none
      const key = new Set(q.answer as string[])
      const picked = new Set(answer as string[])
      const wrongPick = [...picked].some((a) => !key.has(a))
      if (!wrongPick && picked.size === key.size) return { correct: true, score: q.score }
      // Partial credit: a correct but incomplete choice, with no wrong pick, earns half.
      if (multipleScoring === 'partial' && !wrongPick && picked.size > 0) return { correct: false, score: q.score / 2 }
      return none
    }
    case 'fill': {
      if (!Array.isArray(answer)) return none
      const key = q.answer as string[][]
      const allRight =
        key.length === answer.length &&
        key.every((accepted, i) => accepted.map(normalizeFillAnswer).includes(normalizeFillAnswer(String(answer[i] ?? ''))))
      return allRight ? { correct: true, score: q.score } : none
    }
  }
}

/** Sums scores avoiding float noise (half points are the finest unit we award). */
export function total(scores: number[]): number {
  return Math.round(scores.reduce((a, b) => a + b, 0) * 100) / 100
}
