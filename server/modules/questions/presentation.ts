// A paper is what one person is asked: question snapshots in their order, options in their order
// (re-lettered A, B, … after shuffling), the key in terms of the shown letters, and each score.
// It is stored with the attempt at start, so nothing that happens to the bank later changes it.
import { FILL_BLANK, type AnswerKey, type QuestionOption, type QuestionType } from './model.js'

export interface PaperQuestion {
  id: number
  type: QuestionType
  stem: string
  options?: QuestionOption[]
  answer: AnswerKey
  explanation: string | null
  score: number
}

export interface Paper {
  questions: PaperQuestion[]
}

/** What a member sees while answering: no key, no explanation. */
export interface PublicQuestion {
  id: number
  type: QuestionType
  stem: string
  options: QuestionOption[] | null
  score: number
  blanks?: number
}

export function publicQuestion(q: PaperQuestion): PublicQuestion {
  return {
    id: q.id,
    type: q.type,
    stem: q.stem,
    options: q.options ?? null,
    score: q.score,
    ...(q.type === 'fill' && { blanks: blankCount(q) }),
  }
}

export function blankCount(q: Pick<PaperQuestion, 'stem' | 'answer'>): number {
  return Array.isArray(q.answer) ? q.answer.length : Math.max(1, q.stem.split(FILL_BLANK).length - 1)
}

/** Fisher–Yates with an injected random source (tests use a seeded one). */
export function shuffle<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

const LETTERS = 'ABCDEF'

/** Shuffles options and re-letters them; the key follows its option to the new letter. */
export function shuffleOptions(q: PaperQuestion, random: () => number = Math.random): PaperQuestion {
  if (!q.options || (q.type !== 'single' && q.type !== 'multiple')) return q
  const order = shuffle(q.options, random)
  const newKeyOf = new Map(order.map((o, i) => [o.key, LETTERS[i]]))
  const options = order.map((o, i) => ({ key: LETTERS[i], text: o.text }))
  const answer = q.type === 'single' ? newKeyOf.get(q.answer as string)! : (q.answer as string[]).map((k) => newKeyOf.get(k)!).sort()
  return { ...q, options, answer }
}

/**
 * Checks the shape of a member's answer for a question: single "B"; multiple ["A","C"];
 * judge true|false; fill one string per blank. Returns a zh-CN problem or null.
 */
export function answerShapeProblem(q: PaperQuestion, answer: unknown): string | null {
  const keys = new Set((q.options ?? []).map((o) => o.key))
  switch (q.type) {
    case 'single':
      return typeof answer === 'string' && keys.has(answer) ? null : `单选题答案须为选项字母之一（${[...keys].join('、')}）`
    case 'multiple':
      return Array.isArray(answer) && answer.every((a) => typeof a === 'string' && keys.has(a)) && new Set(answer).size === answer.length
        ? null
        : `多选题答案须为不重复的选项字母数组（${[...keys].join('、')}）`
    case 'judge':
      return typeof answer === 'boolean' ? null : '判断题答案须为 true 或 false'
    case 'fill': {
      const blanks = blankCount(q)
      return Array.isArray(answer) && answer.length === blanks && answer.every((a) => typeof a === 'string' && a.length <= 200)
        ? null
        : `填空题答案须为 ${blanks} 个字符串的数组（每空一个）`
    }
  }
}
