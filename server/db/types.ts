// Row types of every table, and the one Database interface Kysely is typed with.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T> = ColumnType<T, string | T, string | T>

export type OrgKind = 'department' | 'branch' | 'unit' | 'agency'
/** `auditor` reads the audit log and nothing else (separation of duties). */
export type Role = 'admin' | 'secretary' | 'member' | 'auditor'

export interface OrgTable {
  id: Generated<number>
  parent_id: number | null
  name: string
  kind: OrgKind
  /** Materialised path of ids, e.g. "/1/4/9/": a subtree is `path LIKE '/1/4/%'`. */
  path: string
  sort: Generated<number>
  active: Generated<boolean>
  created_at: Timestamp
}

export interface UserTable {
  id: Generated<number>
  username: string
  name: string
  password_hash: string
  role: Role
  org_id: number
  active: Generated<boolean>
  must_change_password: Generated<boolean>
  created_at: Timestamp
  updated_at: Timestamp
  /** Leaderboard consent; false until the person chooses. */
  show_on_leaderboards: Generated<boolean>
  privacy_noticed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  totp_secret: string | null
  totp_enabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  password_changed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  anonymised_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

/** One login: a chain of rotating refresh tokens. */
export interface SessionTable {
  id: string
  user_id: number
  token_hash: string
  prev_token_hash: string | null
  rotated_at: Timestamp | null
  expires_at: Timestamp
  revoked_at: Timestamp | null
  created_at: Timestamp
  user_agent: string | null
  ip: string | null
  /** Idle timeout: the session's last request (touched at most once a minute). */
  last_seen_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

/**
 * Failed logins per (normalised lower-case username, client address); username_key '' is the
 * address's count across all accounts. Shared by every node.
 */
export interface LoginFailureTable {
  username_key: string
  ip: string
  failures: number
  first_failed_at: Timestamp
  blocked_until: Timestamp | null
  updated_at: Timestamp
}

export interface AuditLogTable {
  id: Generated<number>
  actor_id: number | null
  action: string
  target_type: string
  target_id: string | null
  reason: string | null
  details: Json<Record<string, unknown>> | null
  at: Timestamp
}

export interface KvTable {
  key: string
  value: string
  updated_at: Timestamp
}

export interface QuestionTable {
  id: Generated<number>
  bank_id: string | null
  type: 'single' | 'multiple' | 'judge' | 'fill'
  stem: string
  options: Json<{ key: string; text: string }[]> | null
  answer: Json<unknown>
  explanation: string | null
  category: string
  tags: Json<string[]>
  difficulty: number
  source: string | null
  status: 'draft' | 'published' | 'retired'
  valid_until: ColumnType<string | null, string | null | undefined, string | null>
  fingerprint: string
  version: Generated<number>
  author_id: number | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface QuestionRevisionTable {
  id: Generated<number>
  question_id: number
  version: number
  snapshot: Json<Record<string, unknown>>
  editor_id: number | null
  at: Timestamp
}

export interface QuestionCategoryTable {
  path: string
  sort: Generated<number>
}

export type ReleasePolicy = 'immediately' | 'after_close'
export type MultipleScoring = 'all_or_nothing' | 'partial'

export interface ExamTable {
  id: Generated<number>
  title: string
  instructions: string | null
  opens_at: Timestamp
  closes_at: Timestamp
  duration_minutes: number
  audience_org_ids: Json<number[]>
  pass_score: number
  max_attempts: number
  shuffle_questions: boolean
  shuffle_options: boolean
  release_results: ReleasePolicy
  multiple_scoring: Generated<MultipleScoring>
  /** The paper spec as authored: fixed ids or draw rules. */
  paper: Json<unknown>
  max_score: number
  one_device: Generated<boolean>
  /** Set when staff archive an exam people have taken: hidden from members, kept for the record. */
  archived_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  created_by: number | null
  created_at: Timestamp
  updated_at: Timestamp
}

export type AttemptStatus = 'in_progress' | 'submitted'

export interface AttemptTable {
  id: Generated<number>
  exam_id: number
  user_id: number
  org_id: number
  attempt_no: number
  status: AttemptStatus
  started_at: Timestamp
  deadline: Timestamp
  submitted_at: Timestamp | null
  submitted_by: 'user' | 'deadline' | 'staff' | null
  score: number | null
  max_score: number
  passed: boolean | null
  /** The paper as drawn for this person: question snapshots with keys, option order, scores. */
  paper: Json<unknown>
  answered_count: Generated<number>
  /** Raised by every answer save: submit closes the attempt only if it did not move since it read the answers. */
  answers_version: Generated<number>
  blur_count: Generated<number>
  device_switches: Generated<number>
  /** Page reloads of the exam page: shown apart from blur_count, never counted as 切屏. */
  reload_count: Generated<number>
  device_id: string | null
}

export interface AttemptAnswerTable {
  attempt_id: number
  question_id: number
  answer: Json<unknown>
  saved_at: Timestamp
  correct: boolean | null
  score: number | null
}

export interface ExamAllowanceTable {
  exam_id: number
  user_id: number
  extra_minutes: Generated<number>
  extra_attempts: Generated<number>
}

export interface PointRuleTable {
  id: Generated<number>
  code: string
  name: string
  points: number
  daily_cap: number | null
  weekly_cap: number | null
  unit_seconds: number | null
  sort: Generated<number>
  effective_from: ColumnType<string, string, string>
  version: number
  created_by: number | null
  created_at: Timestamp
}

export interface PointLedgerTable {
  id: Generated<number>
  user_id: number
  org_id: number
  rule_code: string
  rule_version: number | null
  points: number
  day: ColumnType<string, string, string>
  idem_key: string
  detail: Json<Record<string, unknown>> | null
  actor_id: number | null
  reason: string | null
  created_at: Timestamp
}

export interface PointCounterTable {
  user_id: number
  rule_code: string
  period: string
  earned: Generated<number>
}
export interface PointTotalTable {
  user_id: number
  period: string
  points: Generated<number>
}

export interface MaterialTable {
  id: Generated<number>
  seed_key: string | null
  channel: string
  kind: 'article' | 'video'
  title: string
  summary: string | null
  cover_url: string | null
  body_html: Generated<string>
  video_url: string | null
  duration_seconds: number | null
  source: string | null
  status: Generated<'draft' | 'published' | 'retired'>
  published_at: Timestamp
  created_by: number | null
  created_at: Timestamp
}

export interface StudyClockTable {
  user_id: number
  last_counted_at: Timestamp
}
export interface StudyTimeTable {
  user_id: number
  material_id: number
  day: ColumnType<string, string, string>
  seconds: Generated<number>
}

export interface PracticeAnswerTable {
  id: Generated<number>
  user_id: number
  question_id: number
  mode: string
  run_id: string | null
  correct: boolean
  elapsed_ms: number | null
  day: ColumnType<string, string, string>
  at: Timestamp
}

export interface ChallengeRunTable {
  id: string
  user_id: number
  day: ColumnType<string, string, string>
  correct: Generated<number>
  ended: Generated<boolean>
  current_question_id: number | null
  asked: Json<number[]>
  started_at: Timestamp
}

export interface WrongBookTable {
  user_id: number
  question_id: number
  wrong_count: Generated<number>
  right_days: Json<string[]>
  added_at: Timestamp
  last_wrong_at: Timestamp
  cleared_at: Timestamp | null
  /** The question as the person last saw it (options in her order, key in her letters). */
  question: Json<unknown> | null
}

export interface PracticeItemTable {
  user_id: number
  set_key: string
  question_id: number
  position: number
  /** The served form: a paper question snapshot (options in this person's order, key in her letters). */
  question: Json<unknown>
  served_at: Timestamp
}

export interface ExamPersonTable {
  exam_id: number
  user_id: number
  org_id: number
  submitted: Generated<boolean>
  best: number | null
  best_seconds: number | null
}

export interface ExamOrgCountTable {
  exam_id: number
  org_id: number
  started: Generated<number>
  submitted: Generated<number>
  score_sum: Generated<number>
}

// Campaign ledger (五学 台账): activities, sign-in, task lists, 月工作提示, 简报.
export type ActivityTypeColumn = 'lecture' | 'theme_day' | 'seminar' | 'tutorial' | 'screening' | 'contest' | 'other'

export interface ActivityTable {
  id: Generated<number>
  org_id: number
  type: ActivityTypeColumn
  title: string
  starts_at: Timestamp
  ends_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  place: string | null
  speaker: string | null
  summary: string | null
  guests: Generated<number>
  created_by: number | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ActivityParticipantTable {
  activity_id: number
  user_id: number
  org_id: number
  checked_in_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  late: Generated<boolean>
  added_by: number | null
  created_at: Timestamp
}

export interface ActivityCheckinCodeTable {
  code: string
  activity_id: number
  expires_at: Timestamp
  created_by: number | null
  created_at: Timestamp
}

/** A photo or attachment of an activity; the bytes are on disk under `stored_name`. */
export interface ActivityFileTable {
  id: Generated<number>
  activity_id: number
  kind: 'photo' | 'attachment'
  stored_name: string
  original_name: string
  content_type: string
  bytes: number
  created_by: number | null
  created_at: Timestamp
}

export interface CampaignTaskTable {
  id: Generated<number>
  title: string
  detail: string | null
  due_at: Timestamp
  weeks: Json<{ weekOf: string; text: string }[]>
  created_by: number | null
  created_at: Timestamp
}

export interface CampaignTaskOrgTable {
  task_id: number
  org_id: number
  done_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  done_by: number | null
  note: string | null
  activity_id: number | null
}

export interface CampaignBulletinTable {
  id: Generated<number>
  issue_no: number
  title: string
  body_html: string
  created_by: number | null
  issued_at: Timestamp
}
export interface CampaignBulletinReadTable {
  bulletin_id: number
  user_id: number
  org_id: number
  read_at: Timestamp
}

export interface CampaignBriefingTable {
  id: Generated<number>
  org_id: number
  title: string
  body_html: string
  status: Generated<'submitted' | 'published' | 'returned'>
  submitted_by: number | null
  submitted_at: Timestamp
  reviewed_by: number | null
  review_note: string | null
  published_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  reads: Generated<number>
}
export interface CampaignBriefingReadTable {
  briefing_id: number
  user_id: number
  read_at: Timestamp
}

export interface PolicySettingTable {
  key: string
  value: Json<unknown>
  updated_by: number | null
  updated_at: Timestamp
}

export type FeedbackStatus = 'submitted' | 'answered' | 'closed'
export interface FeedbackTable {
  id: Generated<number>
  user_id: number | null
  org_id: number
  category: string
  content: string
  anonymous: Generated<boolean>
  status: Generated<FeedbackStatus>
  reply: string | null
  replied_by: number | null
  replied_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  created_at: Timestamp
}

export interface DeletionRequestTable {
  id: Generated<number>
  user_id: number
  reason: string | null
  status: Generated<'pending' | 'approved' | 'rejected'>
  requested_at: Timestamp
  decided_by: number | null
  decided_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  note: string | null
}

// Live games (battles and contests): what a game leaves behind once it is played.
export interface BattleTable {
  id: Generated<number>
  mode: 'duel' | 'four'
  matched_in: string
  question_ids: Json<number[]>
  status: Generated<'running' | 'finished' | 'abandoned'>
  day: string
  started_at: Timestamp
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

export interface BattlePlayerTable {
  battle_id: number
  user_id: number
  org_id: number
  score: Generated<number>
  correct: Generated<number>
  rank: number | null
  forfeited: Generated<boolean>
  points: Generated<number>
  flagged: Generated<number>
}

export interface BattleAnswerTable {
  battle_id: number
  user_id: number
  idx: number
  question_id: number
  answer: Json<unknown> | null
  correct: boolean
  score: number
  elapsed_ms: number
  too_fast: Generated<boolean>
}

export interface ContestTable {
  id: Generated<number>
  title: string
  org_id: number
  pin: string
  question_ids: Json<number[]>
  seconds_per_question: number
  status: Generated<'lobby' | 'running' | 'finished'>
  host_node: string | null
  activity_id: number | null
  created_by: number | null
  created_at: Timestamp
  started_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

export interface ContestPlayerTable {
  contest_id: number
  user_id: number
  org_id: number
  score: Generated<number>
  correct: Generated<number>
  rank: number | null
  joined_at: Timestamp
}

export interface ContestAnswerTable {
  contest_id: number
  user_id: number
  idx: number
  question_id: number
  answer: Json<unknown> | null
  correct: boolean
  points: number
  elapsed_ms: number
  too_fast: Generated<boolean>
}

export interface NotificationTable {
  id: Generated<number>
  user_id: number
  kind: string
  title: string
  body: string
  link: string | null
  cause: string
  created_at: Timestamp
  read_at: Timestamp | null
}

export interface NotificationFanoutTable {
  cause: string
  recipients: number
  at: Timestamp
}

export interface QuestionReviewTable {
  id: Generated<number>
  question_id: number
  exam_id: number | null
  figures: Json<Record<string, unknown>>
  requested_by: number | null
  at: Timestamp
}

export type CommentStatus = 'pending' | 'approved' | 'rejected'
export type CommentTarget = 'material' | 'column'

/** 发表观点: a member's comment on a material or a 专栏 item, moderated by staff of her org. */
export interface CommentTable {
  id: Generated<number>
  target_type: CommentTarget
  target_id: number
  user_id: number
  org_id: number
  content: string
  status: Generated<CommentStatus>
  reason: string | null
  moderated_by: number | null
  moderated_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  created_at: Timestamp
}

export interface CommentSensitiveWordTable {
  word: string
  created_by: number | null
  created_at: Timestamp
}

/** A 通报 of organised work as one recipient got it (figures as computed; people by id only). */
export interface CircularTable {
  id: Generated<number>
  period: 'week' | 'month'
  period_start: ColumnType<string, string, string>
  period_end: ColumnType<string, string, string>
  recipient_id: number
  org_id: number | null
  scope_path: string
  scope_name: string
  title: string
  body: string
  figures: Json<unknown>
  includes_list: Generated<boolean>
  created_by: number | null
  created_at: Timestamp
}

export interface Database {
  circulars: CircularTable
  comments: CommentTable
  comment_sensitive_words: CommentSensitiveWordTable
  question_reviews: QuestionReviewTable
  notifications: NotificationTable
  notification_fanouts: NotificationFanoutTable
  policy_settings: PolicySettingTable
  feedback: FeedbackTable
  deletion_requests: DeletionRequestTable
  activities: ActivityTable
  activity_participants: ActivityParticipantTable
  activity_checkin_codes: ActivityCheckinCodeTable
  activity_files: ActivityFileTable
  campaign_tasks: CampaignTaskTable
  campaign_task_orgs: CampaignTaskOrgTable
  campaign_bulletins: CampaignBulletinTable
  campaign_bulletin_reads: CampaignBulletinReadTable
  campaign_briefings: CampaignBriefingTable
  campaign_briefing_reads: CampaignBriefingReadTable
  exam_people: ExamPersonTable
  exam_org_counts: ExamOrgCountTable
  point_rules: PointRuleTable
  point_ledger: PointLedgerTable
  point_counters: PointCounterTable
  point_totals: PointTotalTable
  materials: MaterialTable
  study_clock: StudyClockTable
  study_time: StudyTimeTable
  practice_answers: PracticeAnswerTable
  challenge_runs: ChallengeRunTable
  wrong_book: WrongBookTable
  practice_items: PracticeItemTable
  orgs: OrgTable
  users: UserTable
  sessions: SessionTable
  login_failures: LoginFailureTable
  audit_log: AuditLogTable
  kv: KvTable
  questions: QuestionTable
  question_revisions: QuestionRevisionTable
  question_categories: QuestionCategoryTable
  exams: ExamTable
  attempts: AttemptTable
  attempt_answers: AttemptAnswerTable
  exam_allowances: ExamAllowanceTable
  battles: BattleTable
  battle_players: BattlePlayerTable
  battle_answers: BattleAnswerTable
  contests: ContestTable
  contest_players: ContestPlayerTable
  contest_answers: ContestAnswerTable
}

export type Org = Selectable<OrgTable>
export type User = Selectable<UserTable>
export type NewUser = Insertable<UserTable>
export type UserUpdate = Updateable<UserTable>
