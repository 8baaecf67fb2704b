import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../db/types.js'
import { ANONYMISED_PREFIX } from '../../lib/usernames.js'
import { isoTimeOrNull } from '../../lib/time.js'

type Db = Kysely<Database> | Transaction<Database>

export function findPrivacy(db: Db, userId: number) {
  return db.selectFrom('users').select(['show_on_leaderboards', 'privacy_noticed_at']).where('id', '=', userId).executeTakeFirstOrThrow()
}

export async function setConsent(db: Db, userId: number, show: boolean, at: Date) {
  await db.updateTable('users').set({ show_on_leaderboards: show, privacy_noticed_at: at }).where('id', '=', userId).execute()
}

/** The exams whose boards show this person (her latest 20), to push them again with her new name. */
export async function examsRankingUser(db: Db, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('exam_people')
    .select('exam_id')
    .where('user_id', '=', userId)
    .where('submitted', '=', true)
    .orderBy('exam_id', 'desc')
    .limit(20)
    .execute()
  return rows.map((r) => r.exam_id)
}

export function pendingRequestOf(db: Db, userId: number) {
  return db
    .selectFrom('deletion_requests')
    .select(['id', 'status', 'requested_at'])
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .executeTakeFirst()
}

/** The new pending request's id; undefined when she already has one pending (one at a time, by a partial unique index). */
export async function insertDeletionRequest(db: Db, userId: number, reason: string | null, at: Date) {
  const row = await db
    .insertInto('deletion_requests')
    .values({ user_id: userId, reason, requested_at: at })
    .onConflict((oc) => oc.column('user_id').where('status', '=', 'pending').doNothing())
    .returning('id')
    .executeTakeFirst()
  return row?.id
}

export function findDeletionRequest(db: Db, id: number) {
  return db.selectFrom('deletion_requests').selectAll().where('id', '=', id).executeTakeFirst()
}

export function deletionRequests(db: Db) {
  return db
    .selectFrom('deletion_requests')
    .innerJoin('users', 'users.id', 'deletion_requests.user_id')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select([
      'deletion_requests.id',
      'deletion_requests.user_id',
      'users.name',
      'users.username',
      'orgs.name as org_name',
      'deletion_requests.reason',
      'deletion_requests.status',
      'deletion_requests.requested_at',
      'deletion_requests.decided_at',
      'deletion_requests.note',
    ])
    .orderBy(sql`deletion_requests.status = 'pending'`, 'desc')
    .orderBy('deletion_requests.id', 'desc')
    .limit(500)
    .execute()
}

/**
 * Decides a request that is still pending, in the same statement that checks it: of two admins
 * deciding at once, the second finds it decided. Returns whether this call decided it.
 */
export async function decidePending(db: Db, id: number, status: 'approved' | 'rejected', by: number, at: Date, note: string | null) {
  const row = await db
    .updateTable('deletion_requests')
    .set({ status, decided_by: by, decided_at: at, note })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/**
 * The username an anonymised account gets: `deleted-<id>`. No one can choose a name with that prefix
 * (lib/usernames), but accounts made before that rule may hold one; then the name gets a `#` and the
 * request's id, a character no username may contain, so the approval never fails on it.
 */
async function anonymisedUsername(db: Db, userId: number, requestId: number): Promise<string> {
  const plain = `${ANONYMISED_PREFIX}${userId}`
  const holder = await db.selectFrom('users').select('id').where('username', '=', plain).where('id', '<>', userId).executeTakeFirst()
  return holder ? `${plain}#${requestId}` : plain
}

/** Replaces everything that names the person; keeps the row (and its id) for ledgers and results. */
export async function anonymiseUser(db: Db, userId: number, requestId: number, unusableSecret: string, at: Date) {
  await db
    .updateTable('users')
    .set({
      name: '已注销用户',
      username: await anonymisedUsername(db, userId, requestId),
      password_hash: `!anonymised:${unusableSecret}`,
      active: false,
      show_on_leaderboards: false,
      totp_secret: null,
      totp_enabled_at: null,
      anonymised_at: at,
      updated_at: at,
    })
    .where('id', '=', userId)
    .execute()
  await db.updateTable('sessions').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute()
  await db.updateTable('sessions').set({ ip: null, user_agent: null }).where('user_id', '=', userId).execute()
  await db.updateTable('feedback').set({ user_id: null, anonymous: true }).where('user_id', '=', userId).execute()
  // 发表观点 are her own words under her name: they go with the account.
  await db.deleteFrom('comments').where('user_id', '=', userId).execute()
}

/** Everything kept about one person, selected by her id only. */
export async function ownData(db: Db, userId: number) {
  const [profile, ledger, attempts, study, activities, feedback, sessions, comments] = await Promise.all([
    db
      .selectFrom('users')
      .innerJoin('orgs', 'orgs.id', 'users.org_id')
      .select([
        'users.id',
        'users.username',
        'users.name',
        'users.role',
        'orgs.name as org_name',
        'users.created_at',
        'users.show_on_leaderboards',
        'users.privacy_noticed_at',
      ])
      .where('users.id', '=', userId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('point_ledger')
      .leftJoin('point_rules', (j) =>
        j.onRef('point_rules.code', '=', 'point_ledger.rule_code').onRef('point_rules.version', '=', 'point_ledger.rule_version'),
      )
      .select([
        'point_ledger.rule_code',
        'point_rules.name as rule_name',
        'point_ledger.points',
        sql<string>`point_ledger.day::text`.as('day'),
        'point_ledger.created_at',
        'point_ledger.reason',
      ])
      .where('point_ledger.user_id', '=', userId)
      .orderBy('point_ledger.id')
      .execute(),
    db
      .selectFrom('attempts')
      .innerJoin('exams', 'exams.id', 'attempts.exam_id')
      .select([
        'exams.title',
        'attempts.attempt_no',
        'attempts.status',
        'attempts.started_at',
        'attempts.submitted_at',
        'attempts.score',
        'attempts.max_score',
        'attempts.passed',
      ])
      .where('attempts.user_id', '=', userId)
      .orderBy('attempts.id')
      .execute(),
    db
      .selectFrom('study_time')
      .innerJoin('materials', 'materials.id', 'study_time.material_id')
      .select(['materials.title', sql<string>`study_time.day::text`.as('day'), 'study_time.seconds'])
      .where('study_time.user_id', '=', userId)
      .orderBy('study_time.day')
      .execute(),
    db
      .selectFrom('activity_participants')
      .innerJoin('activities', 'activities.id', 'activity_participants.activity_id')
      .select(['activities.title', 'activities.type', 'activities.starts_at', 'activity_participants.checked_in_at'])
      .where('activity_participants.user_id', '=', userId)
      .orderBy('activities.starts_at')
      .execute()
      .catch(() => []), // the ledger's tables arrive with the campaign feature
    db
      .selectFrom('feedback')
      .select(['category', 'content', 'anonymous', 'status', 'reply', 'created_at', 'replied_at'])
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('sessions')
      .select(['created_at', 'last_seen_at', 'revoked_at', 'ip', 'user_agent'])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('comments')
      .select(['target_type', 'target_id', 'content', 'status', 'reason', 'created_at'])
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute(),
  ])
  return {
    profile: {
      id: profile.id,
      username: profile.username,
      name: profile.name,
      role: profile.role,
      orgName: profile.org_name,
      createdAt: isoTimeOrNull(profile.created_at),
      showOnLeaderboards: profile.show_on_leaderboards,
      privacyNoticeAnsweredAt: isoTimeOrNull(profile.privacy_noticed_at),
    },
    pointsLedger: ledger.map((l) => ({
      rule: l.rule_code,
      name: l.rule_name ?? (l.rule_code === 'adjust' ? '积分调整' : l.rule_code),
      points: l.points,
      day: l.day,
      at: isoTimeOrNull(l.created_at),
      reason: l.reason,
    })),
    attempts: attempts.map((a) => ({
      exam: a.title,
      attemptNo: a.attempt_no,
      status: a.status,
      startedAt: isoTimeOrNull(a.started_at),
      submittedAt: isoTimeOrNull(a.submitted_at),
      score: a.score,
      maxScore: a.max_score,
      passed: a.passed,
    })),
    studyTime: study.map((s) => ({ material: s.title, day: s.day, seconds: s.seconds })),
    activities: activities.map((a) => ({
      title: a.title,
      type: a.type,
      startsAt: isoTimeOrNull(a.starts_at),
      checkedInAt: isoTimeOrNull(a.checked_in_at),
    })),
    feedback: feedback.map((f) => ({
      category: f.category,
      content: f.content,
      anonymous: f.anonymous,
      status: f.status,
      reply: f.reply,
      createdAt: isoTimeOrNull(f.created_at),
      repliedAt: isoTimeOrNull(f.replied_at),
    })),
    comments: comments.map((c) => ({
      on: c.target_type === 'material' ? '学习资料' : '学习专栏',
      targetId: c.target_id,
      content: c.content,
      status: c.status,
      reason: c.reason,
      createdAt: isoTimeOrNull(c.created_at),
    })),
    logins: sessions.map((s) => ({
      at: isoTimeOrNull(s.created_at),
      lastSeenAt: isoTimeOrNull(s.last_seen_at),
      endedAt: isoTimeOrNull(s.revoked_at),
      ip: s.ip,
      userAgent: s.user_agent,
    })),
  }
}
export type OwnData = Awaited<ReturnType<typeof ownData>>
