// exams: designing exams (papers, windows, audiences), listing them for each person, and the
// exam catalog — the per-app cache of exams and draw pools that attempts, results and practice
// read through. Taking an exam is in attempts/, its outcome in results/.
export { examRoutes } from './routes.js'
export { ExamCatalog, examMeetsScope, isInAudience, type ExamRow, type ExamWithAudience } from './catalog.js'
export { drawPaper, type PaperSpec } from './draw.js'
export { createExam, leaderboardOpenToMembers } from './service.js'
export { mayStillSit, questionsLockedByExams, questionsLockedInSubtree } from './locked-questions.js'
export { examsForNotices, findExam, invitedPeople, orgPaths, takersOf, type Person } from './queries.js'
