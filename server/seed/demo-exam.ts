// The demo's exam, made on the embedded database's first start once the bank is loaded: a
// department-wide 党史知识集中测试, open for a year, that most of the demo department sat earlier
// that morning. A new user can then sit it as dy0001 (or any secretary), and watch it as a secretary
// or the admin — who started, who submitted, scores, rankings, item analysis — without first having
// to design an exam. The colleagues' attempts go through the same services as a real exam day
// (start, autosave, submit), on a clock set to when each of them sat it, so every figure the app
// shows of them is one it computed itself.
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import type { Clock } from '../lib/clock.js'
import type { Deps } from '../lib/deps.js'
import { DomainEvents } from '../lib/events.js'
import type { Principal } from '../lib/scope.js'
import { createExam, ExamCatalog } from '../modules/exams/index.js'
import { AttemptState, saveAnswer, startAttempt, submitAttempt } from '../modules/attempts/index.js'
import type { AnswerKey, QuestionOption, QuestionType } from '../modules/questions/index.js'
import { seededRandom } from './demo-names.js'

export const DEMO_EXAM_TITLE = '党史知识集中测试（演示）'
const DURATION_MINUTES = 30
/** The member a new user is told to sit it as (README). The secretaries have not sat it either: only members did. */
const LEFT_FOR_THE_VISITOR = 'dy0001'

/** How the colleagues did: most submitted, a few are still "in the exam", a quarter did not come. */
const SITTING_SHARE = 0.75
const STILL_IN_EXAM = 3

/** The seed runs before the app exists; the services it calls have nothing worth logging here. */
const noop = () => {}
const quietLog: FastifyBaseLogger = {
  level: 'silent',
  ...Object.fromEntries(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => [level, noop])),
  child: () => quietLog,
} as unknown as FastifyBaseLogger

/** A clock the seed moves to each colleague's moment. */
class SeedClock implements Clock {
  constructor(public at: Date) {}
  now() {
    return new Date(this.at)
  }
}

interface PaperItem {
  id: number
  type: QuestionType
  options?: QuestionOption[]
  answer: AnswerKey
}

/** What someone of the given ability (share right, 0–1) answers; undefined: left blank. */
function answerOf(q: PaperItem, ability: number, roll: number, pick: number): unknown {
  if (roll > 0.97) return undefined
  const right = roll < ability
  const keys = (q.options ?? []).map((o) => o.key)
  switch (q.type) {
    case 'judge':
      return right ? q.answer : !q.answer
    case 'single': {
      if (right) return q.answer
      const wrong = keys.filter((k) => k !== q.answer)
      return wrong[Math.floor(pick * wrong.length)]
    }
    case 'multiple': {
      const key = q.answer as string[]
      if (right) return key
      // The usual mistake: one right option missed, or one wrong one added.
      const extra = keys.find((k) => !key.includes(k))
      return pick < 0.5 || !extra ? key.slice(1) : [...key, extra]
    }
    default:
      return undefined
  }
}

export interface DemoExamOutcome {
  examId: number
  submitted: number
  inProgress: number
}

export async function seedDemoExam(db: Kysely<Database>, now = new Date()): Promise<DemoExamOutcome> {
  const clock = new SeedClock(now)
  // One seeded stream for every choice below: the demo is the same on every first start.
  const rand = seededRandom(2026_12_06)
  const deps: Deps = { db, clock, events: new DomainEvents(), log: quietLog }
  const people = await db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.username', 'users.name', 'users.role', 'users.org_id', 'orgs.path'])
    .where('users.active', '=', true)
    .orderBy('users.id')
    .execute()
  const admin = people.find((p) => p.role === 'admin')!
  const root = await db.selectFrom('orgs').select('id').where('parent_id', 'is', null).executeTakeFirstOrThrow()
  const principalOf = (p: (typeof people)[number]): Principal => ({
    userId: p.id,
    sessionId: 'demo-seed',
    username: p.username,
    name: p.name,
    role: p.role,
    orgId: p.org_id,
    orgPath: p.path,
    mustChangePassword: false,
    mustSetUpTotp: false,
  })

  // Opened three hours before the first start; the colleagues sat it in its first two hours.
  const opensAt = new Date(now.getTime() - 3 * 3600_000)
  const exam = await createExam(deps, principalOf(admin), {
    title: DEMO_EXAM_TITLE,
    instructions:
      '本次测试为演示考试，面向全厅党员，共 25 题、满分 100 分、60 分及格，限时 30 分钟，只能作答一次。' +
      '答案随作随存，网络中断后重新打开即可继续；交卷后可查看成绩和每题解析。',
    opensAt: opensAt.toISOString(),
    closesAt: new Date(now.getTime() + 365 * 24 * 3600_000).toISOString(),
    durationMinutes: DURATION_MINUTES,
    audienceOrgIds: [root.id],
    passScore: 60,
    maxAttempts: 1,
    shuffleQuestions: true,
    shuffleOptions: true,
    releaseResults: 'immediately',
    paper: {
      rules: [
        { category: '党史', type: 'single', count: 10, scoreEach: 4 },
        { category: '党史', type: 'multiple', count: 5, scoreEach: 6 },
        { category: '党史', type: 'judge', count: 10, scoreEach: 3 },
      ],
    },
  })

  const exams = new ExamCatalog(deps)
  const state = new AttemptState(deps, { lanes: 1 })

  /** One colleague's attempt: started at `startedAt`, answered as the autosave had it, submitted unless still in it. */
  async function sit(person: (typeof people)[number], startedAt: number, stillIn: boolean) {
    const principal = principalOf(person)
    clock.at = new Date(startedAt)
    const { attemptId } = await startAttempt(deps, exams, state, principal, exam.id)
    const { paper } = await db.selectFrom('attempts').select('paper').where('id', '=', attemptId).executeTakeFirstOrThrow()
    const questions = (paper as { questions: PaperItem[] }).questions
    const ability = 0.55 + 0.4 * rand()
    const took = (8 + 17 * rand()) * 60_000
    // All the answers of those who submitted, the first half of those still in it: one group-commit
    // statement each, at their last save's time.
    const answered = questions.slice(0, stillIn ? Math.ceil(questions.length / 2) : questions.length).flatMap((q) => {
      const answer = answerOf(q, ability, rand(), rand())
      return answer === undefined ? [] : [{ q, answer }]
    })
    clock.at = new Date(stillIn ? now.getTime() : startedAt + took - 60_000)
    await Promise.all(answered.map(({ q, answer }) => saveAnswer(deps, state, principal, attemptId, q.id, answer)))
    if (stillIn) return
    clock.at = new Date(startedAt + took)
    await submitAttempt(deps, principal, attemptId)
  }

  const members = people.filter((p) => p.role === 'member' && p.username !== LEFT_FOR_THE_VISITOR)
  const sitting = members.filter(() => rand() < SITTING_SHARE)
  const submitted = sitting.length - STILL_IN_EXAM
  try {
    // The colleagues started over the exam's first two hours, the last few only minutes ago.
    for (const [i, person] of sitting.entries()) {
      const stillIn = i >= submitted
      const startedAt = stillIn ? now.getTime() - (sitting.length - i) * 60_000 : opensAt.getTime() + (i / sitting.length) * 2 * 3600_000
      await sit(person, startedAt, stillIn)
    }
  } finally {
    await state.close()
    exams.close()
  }
  return { examId: exam.id, submitted, inProgress: STILL_IN_EXAM }
}
