import { Type, type Static } from '@sinclair/typebox'

export const LeaderboardMode = Type.Union([Type.Literal('off'), Type.Literal('opt-in'), Type.Literal('on')])
export type LeaderboardMode = Static<typeof LeaderboardMode>

/** Every switch, with its stored value or its default. */
export const Policy = Type.Object({
  /** Study points at all (学习强国-style motivation someone chooses). */
  pointsEnabled: Type.Boolean(),
  /** Rule codes switched off one by one (e.g. `login`, the time rules). */
  disabledPointRules: Type.Array(Type.String({ pattern: '^[a-z_]{1,40}$' }), { maxItems: 50, uniqueItems: true }),
  /** off: no leaderboard anywhere; opt-in: names only of people who consented; on: every name. */
  leaderboards: LeaderboardMode,
  /** Whether secretaries may see a list of individual study points (通报 and reports). */
  secretaryIndividualLists: Type.Boolean(),
  /** Reminders and 通报 only about organised work (exams, tasks, activities), never about study habits. */
  remindersOrganisedOnly: Type.Boolean(),
  /** Minutes without a request after which a session ends (an open exam attempt keeps it alive). */
  idleMinutes: Type.Integer({ minimum: 15, maximum: 480 }),
  /** Hours after login after which a session ends whatever its activity. */
  sessionMaxHours: Type.Integer({ minimum: 1, maximum: 720 }),
  /** Password expiry in days; 0 = passwords do not expire. */
  passwordMaxDays: Type.Integer({ minimum: 0, maximum: 365 }),
  /** Admins must sign in with a second factor (TOTP). */
  totpRequiredForAdmins: Type.Boolean(),
  /** Days a feedback item may wait for an answer before it is overdue. */
  feedbackAnswerDays: Type.Integer({ minimum: 1, maximum: 60 }),
  /** About page: the 主办单位, the 备案 number and the privacy policy text. */
  sponsor: Type.String({ maxLength: 100 }),
  filingNumber: Type.String({ maxLength: 100 }),
  privacyPolicy: Type.String({ maxLength: 20_000 }),
})
export type Policy = Static<typeof Policy>

export const PolicyPatch = Type.Partial(Policy, { minProperties: 1, additionalProperties: false })
export type PolicyPatch = Static<typeof PolicyPatch>

/** What every signed-in page needs to know: the about page and whether points and boards are on. */
export const PublicPolicy = Type.Object({
  pointsEnabled: Type.Boolean(),
  leaderboards: LeaderboardMode,
  sponsor: Type.String(),
  filingNumber: Type.String(),
  privacyPolicy: Type.String(),
  version: Type.String(),
})
export type PublicPolicy = Static<typeof PublicPolicy>
