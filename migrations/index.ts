// Every migration, in order. Listed explicitly (not read from disk) so they load the same way under
// tsx, vitest and any bundler; a migration never imports application code.
import type { Migration } from 'kysely/migration'
import * as foundation from './2026-11-30-01-foundation.js'
import * as questions from './2026-11-30-02-questions.js'
import * as exams from './2026-11-30-03-exams.js'
import * as pointsStudy from './2026-11-30-04-points-study.js'
import * as examCounters from './2026-11-30-05-exam-counters.js'
import * as loginThrottle from './2026-12-03-01-login-throttle.js'
import * as practiceItems from './2026-12-03-02-practice-items.js'
import * as examDay from './2026-12-03-03-exam-day.js'
import * as campaign from './2026-12-03-10-campaign.js'
import * as compliance from './2026-12-03-20-compliance.js'
import * as battles from './2026-12-03-30-battles.js'
import * as notifications from './2026-12-03-40-notifications.js'
import * as questionReviews from './2026-12-03-41-question-reviews.js'
import * as questionSearch from './2026-12-03-42-question-search.js'
import * as circulars from './2026-12-03-50-circulars.js'
import * as comments from './2026-12-03-51-comments.js'
import * as activityFiles from './2026-12-03-52-activity-files.js'
import * as answersVersion from './2026-12-03-60-answers-version.js'
import * as questionSearchText from './2026-12-03-61-question-search-text.js'
import * as contestHostNode from './2026-12-03-62-contest-host-node.js'
import * as awardPoints from './2026-12-04-01-award-points.js'
import * as saveAnswers from './2026-12-05-01-save-answers.js'
import * as importProgress from './2026-12-06-01-import-progress.js'
import * as contestSkipped from './2026-12-06-02-contest-skipped.js'
import * as contestPosition from './2026-12-06-03-contest-position.js'
import * as contestCancelled from './2026-12-06-04-contest-cancelled.js'
import * as contestVoided from './2026-12-06-05-contest-voided.js'
import * as totpLastStep from './2026-12-07-20-totp-last-step.js'
import * as reviewShown from './2026-12-07-30-review-shown.js'
import * as practiceAnswered from './2026-12-07-31-practice-answered.js'

export const migrations: Record<string, Migration> = {
  '2026-11-30-01-foundation': foundation,
  '2026-11-30-02-questions': questions,
  '2026-11-30-03-exams': exams,
  '2026-11-30-04-points-study': pointsStudy,
  '2026-11-30-05-exam-counters': examCounters,
  '2026-12-03-01-login-throttle': loginThrottle,
  '2026-12-03-02-practice-items': practiceItems,
  '2026-12-03-03-exam-day': examDay,
  '2026-12-03-10-campaign': campaign,
  '2026-12-03-20-compliance': compliance,
  '2026-12-03-30-battles': battles,
  '2026-12-03-40-notifications': notifications,
  '2026-12-03-41-question-reviews': questionReviews,
  '2026-12-03-42-question-search': questionSearch,
  '2026-12-03-50-circulars': circulars,
  '2026-12-03-51-comments': comments,
  '2026-12-03-52-activity-files': activityFiles,
  '2026-12-03-60-answers-version': answersVersion,
  '2026-12-03-61-question-search-text': questionSearchText,
  '2026-12-03-62-contest-host-node': contestHostNode,
  '2026-12-04-01-award-points': awardPoints,
  '2026-12-05-01-save-answers': saveAnswers,
  '2026-12-06-01-import-progress': importProgress,
  '2026-12-06-02-contest-skipped': contestSkipped,
  '2026-12-06-03-contest-position': contestPosition,
  '2026-12-06-04-contest-cancelled': contestCancelled,
  '2026-12-06-05-contest-voided': contestVoided,
  '2026-12-07-20-totp-last-step': totpLastStep,
  '2026-12-07-30-review-shown': reviewShown,
  '2026-12-07-31-practice-answered': practiceAnswered,
}
