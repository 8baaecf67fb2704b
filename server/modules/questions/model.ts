// The question model shared by the API, the importers and the shipped bank.

export const QUESTION_TYPES = ['single', 'multiple', 'judge', 'fill'] as const
export type QuestionType = (typeof QUESTION_TYPES)[number]

export const QUESTION_STATUSES = ['draft', 'published', 'retired'] as const
export type QuestionStatus = (typeof QUESTION_STATUSES)[number]

export interface QuestionOption {
  key: string // "A".."F"
  text: string
}

/** single: "B"; multiple: ["A","C"]; judge: true|false; fill: accepted alternatives per blank. */
export type AnswerKey = string | string[] | boolean | string[][]

/** A question as authored, before it has a database id. */
export interface QuestionInput {
  type: QuestionType
  stem: string
  options?: QuestionOption[]
  answer: AnswerKey
  explanation?: string
  category: string
  tags?: string[]
  difficulty?: number
  source?: string
  status?: QuestionStatus
  validUntil?: string | null // YYYY-MM-DD
  /** Stable id of a question shipped in question-bank/ (e.g. "dsxm-001"). */
  bankId?: string
}

export const OPTION_KEYS = ['A', 'B', 'C', 'D', 'E', 'F'] as const
export const FILL_BLANK = '____'
