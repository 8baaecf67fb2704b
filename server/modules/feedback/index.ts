// feedback: 投诉建议 — submit (optionally anonymous), scoped answers, statuses, a monthly summary.
export { feedbackRoutes } from './routes.js'
export { FEEDBACK_CATEGORIES } from './schemas.js'
export { remindOverdueFeedback, startFeedbackReminders } from './service.js'
