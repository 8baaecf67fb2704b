// The API's shapes as the server declares them, imported type-only (nothing of the server reaches
// the bundle). This is the one web file that knows where the server keeps its schemas: when a
// server file moves, only the paths here change. Rule: a file imported here must import nothing
// but TypeBox and other such schema files — vue-tsc type-checks whatever it reaches, and the web
// build has no Node types. Shared pieces (the public question) live in server/lib/schemas.ts for
// that reason. Where a schema leaves a value open (an answer is `unknown` on the wire), the api/
// module narrows it with Omit<…> & {…} — the rest of the shape still comes from here.
import type { Static } from '@sinclair/typebox'
import type { OrgKind as OrgKindSchema, Role as RoleSchema, UserBody } from '../../../server/lib/schemas'
import type { PublicQuestionBody } from '../../../server/lib/schemas'
import type { QuestionType } from '../../../server/modules/questions/model'

// ── people and orgs ──
export type User = Static<typeof UserBody>
export type Role = Static<typeof RoleSchema>
export type OrgKind = Static<typeof OrgKindSchema>
export type { OrgDto as Org, CreateOrgInput, UpdateOrgInput } from '../../../server/modules/orgs/schemas'
export type {
  CreateUserInput,
  UpdateUserInput,
  ListUsersFilter,
  UserImportResult,
  UserImportProgress,
} from '../../../server/modules/users/schemas'

// ── question bank ──
export type { QuestionType, QuestionStatus, QuestionOption, AnswerKey, QuestionInput } from '../../../server/modules/questions/model'
export type {
  QuestionDto,
  CategoryDto as Category,
  RevisionDto,
  BulkInput,
  QuestionImportResult,
} from '../../../server/modules/questions/schemas'
/** A question as a member meets it (no key, no 解析); the schema leaves `type` a plain string. */
export type PaperQuestion = Omit<Static<typeof PublicQuestionBody>, 'type'> & { type: QuestionType }

// ── exams, attempts ──
export type { ExamDto, ExamInput, ExamPatch, PaperRuleInput, PaperSpecInput, PreviewResultDto } from '../../../server/modules/exams/schemas'
export type { StartedAttempt, SubmitResult, AttemptViewBody } from '../../../server/modules/attempts/schemas'

// ── study ──
export type {
  MaterialInput,
  MaterialDto,
  QuestionSetBody,
  PracticeResult,
  ChallengeStart as ChallengeStartDto,
  WrongBookItem,
  HeartbeatResultDto,
} from '../../../server/modules/study/schemas'

// ── results, monitor, live board ──
export type {
  ResultRowBody as ResultRow,
  LeaderboardRowBody as LeaderboardRow,
  MonitorBody as Monitor,
  StatsBody as ExamStats,
} from '../../../server/modules/results/schemas'
export type {
  ExamProgress,
  ExamLeaderboardRow,
  OrgProgress,
  PointsLeaderboardRow,
  PointsPeriod,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../../server/realtime/events-map'

// ── reports ──
export type { ReportFilter, ParticipationReport } from '../../../server/modules/reports/schemas'

// ── notifications ──
export type { NotificationBody as Notification, NotificationKind } from '../../../server/modules/notifications/schemas'

// ── points ──
export type { MyPointsBody, LedgerPage, RuleDto, FlagRow } from '../../../server/modules/points/schemas'
