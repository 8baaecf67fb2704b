// Answers made from a question's key, for tests that answer as a member would.
import type { AnswerKey } from '../../server/modules/questions/model.js'

export interface QuestionKey {
  type: string
  answer: AnswerKey
  options: { key: string }[] | null
}

/** An answer of the right shape that the key marks wrong. */
export const wrongAnswer = (k: QuestionKey) =>
  k.type === 'judge'
    ? !k.answer
    : k.type === 'single'
      ? k.options!.find((o) => o.key !== k.answer)!.key
      : k.type === 'multiple'
        ? [k.options!.find((o) => !(k.answer as string[]).includes(o.key))!.key]
        : (k.answer as string[][]).map(() => '错')

/** The answer the key marks right, as a member would give it: a blank filled with its first accepted wording. */
export const rightAnswer = (k: QuestionKey) => (k.type === 'fill' ? (k.answer as string[][]).map((accepted) => accepted[0]) : k.answer)
