// questions: the bank (CRUD, imports, exports, the shipped bank's sync), the question model, and how
// a question is presented to a person (paper form, option shuffle, answer shape) and graded — shared
// by exams, practice and live games.
export { questionRoutes } from './routes.js'
export { syncBank, BANK_DIR } from './bank-sync.js'
export type { AnswerKey, QuestionInput, QuestionOption, QuestionType } from './model.js'
export { FILL_BLANK } from './model.js'
export { normalizeFillAnswer } from './formats/validate.js'
export {
  answerShapeProblem,
  blankCount,
  publicQuestion,
  shuffle,
  shuffleOptions,
  type Paper,
  type PaperQuestion,
  type PublicQuestion,
} from './presentation.js'
export { grade, total, type Grade } from './grading.js'
export { holdForReview } from './service.js'
export { loadBankQuestions, notAmong, publishedOn } from './bank-rows.js'
