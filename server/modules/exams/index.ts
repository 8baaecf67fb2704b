// exams: design, taking (attempts, autosave, sweeper), results and live monitoring. Practice uses
// the paper form, grading and the locked-question rule; reports count who was invited.
export { attemptRoutes, examRoutes } from './routes.js'
export { registerExamEvents } from './events.js'
export { startSweeper } from './finalize.js'
export { grade } from './grading.js'
export { answerShapeProblem, publicQuestion, shuffleOptions, type PaperQuestion } from './paper.js'
export { questionsLockedByExams } from './locked-questions.js'
export { invitedPeople } from './queries.js'
