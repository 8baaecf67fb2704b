// questions: the bank (CRUD, imports, exports, the shipped bank's sync) and the question model.
export { questionRoutes } from './routes.js'
export { syncBank, BANK_DIR } from './bank-sync.js'
export type { AnswerKey, QuestionInput, QuestionOption, QuestionType } from './model.js'
export { FILL_BLANK } from './model.js'
export { normalizeFillAnswer } from './formats/validate.js'
