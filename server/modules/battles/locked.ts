// Live games show every key after its question, so they never ask a question one of the players
// could still meet on an open exam: the exams module says which those are, per person.
import type { Deps } from '../../lib/deps.js'
import { questionsLockedByExams, type ExamCatalog } from '../exams/index.js'
import type { LockedFor } from './runtime.js'

export function lockedByExams(deps: Pick<Deps, 'db' | 'clock'>, exams: ExamCatalog): LockedFor {
  return (principal) => questionsLockedByExams(deps, exams, principal)
}
