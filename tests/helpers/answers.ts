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
