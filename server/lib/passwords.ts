// Password hashing with Argon2id (OWASP's first choice) via a maintained native binding, the
// password policy, and strong initial passwords for imported people.
import { randomInt } from 'node:crypto'
import os from 'node:os'
import { hash, verify } from '@node-rs/argon2'
import { AppError } from './errors.js'
import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common'

// OWASP's minimum for argon2id: m = 19 MiB, t = 2 iterations, p = 1. Keeps a login near 20 ms on one core.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }

/** Too many people are signing in at once: come back in a moment (the client waits, with jitter). */
export class HashingBusy extends AppError {
  constructor(readonly retryAfterSeconds = 2) {
    super(503, 'BUSY', '登录的人较多，正在排队，请稍候几秒再试')
  }
}

/** Retry-After never below this (a short wave) nor above the web client's own cap. */
const RETRY_AFTER_MIN_S = 2
const RETRY_AFTER_MAX_S = 10
/** Refusals this recent count as people who will come back. */
const REFUSALS_REMEMBERED_MS = 2_000

/** A login's place in the hashing queue, held from its first check until its hash starts. */
export interface HashPlace {
  release(): void
}

/**
 * Admission control for password hashing. Each Argon2id run takes a core for ~20 ms and 19 MiB, and
 * runs on libuv's thread pool, which file and DNS work share. Unbounded, a login storm fills that
 * pool and every core, and the exam's autosaves wait behind it. So at most `running` hashes run at
 * once (one per core, less one left to the event loop when there are several), at most `queued`
 * wait, and beyond that a login is refused at once with 503 + Retry-After instead of queueing for
 * seconds. The queue bound × 20 ms ÷ `running` is the longest a login waits here (~1 s by default).
 */
export class HashPool {
  private active = 0
  private readonly waiting: (() => void)[] = []
  /** Logins admitted and still on their way to hashing (their database checks): places they hold. */
  private admitted = 0
  /** When recent refusals were made (ms since epoch, oldest first). */
  private refusals: number[] = []
  /** How long a hash takes here, lately (moving average, ms). */
  private hashMs = 20

  constructor(
    public running = Math.max(1, os.availableParallelism() - 1),
    public queued = 50 * Math.max(1, os.availableParallelism() - 1),
  ) {}

  /** Set from the configuration at start (HASH_CONCURRENCY, HASH_QUEUE); unset keeps the defaults. */
  configure(running?: number, queued?: number) {
    if (running) this.running = running
    if (queued) this.queued = queued
  }

  /** True when a new hash would be refused: every place, running or waiting, is taken or held. */
  get full() {
    return this.active + this.waiting.length + this.admitted >= this.running + this.queued
  }

  get stats() {
    return { active: this.active, waiting: this.waiting.length, admitted: this.admitted }
  }

  /**
   * Holds a place for a login from its first step: a storm of 500 at once is then cut to the places
   * there are before any of them reads or writes anything. Checked only at the hash, the whole storm
   * went through its database checks first (three statements each, sent in one burst that held the
   * event loop ~130 ms) and was refused afterwards, charged as an attempt it never made.
   * Throws HashingBusy when full. The place passes to `run` (or is released, if the login ends first).
   */
  admit(): HashPlace {
    if (this.full) throw this.refuse()
    this.admitted++
    let held = true
    return {
      release: () => {
        if (held) this.admitted--
        held = false
      },
    }
  }

  /**
   * When to come back: long enough for everyone now holding a place and everyone just turned away to
   * be hashed. A fixed 2 s sent a storm of 500 back in waves faster than one core hashes, and with
   * refusals answered at once, members used up the web client's five tries before their turn came.
   */
  retryAfterSeconds(now = Date.now()): number {
    while (this.refusals.length && this.refusals[0] < now - REFUSALS_REMEMBERED_MS) this.refusals.shift()
    const backlog = this.active + this.waiting.length + this.admitted + this.refusals.length
    const seconds = Math.ceil((backlog * this.hashMs) / this.running / 1000)
    return Math.min(RETRY_AFTER_MAX_S, Math.max(RETRY_AFTER_MIN_S, seconds))
  }

  private refuse(): HashingBusy {
    this.refusals.push(Date.now())
    return new HashingBusy(this.retryAfterSeconds())
  }

  /** Runs `work` when a slot is free. With a place from `admit`, it is never refused (the place was counted). */
  async run<T>(work: () => Promise<T>, place?: HashPlace): Promise<T> {
    // Without a place (a password change, an import), every place counts, held ones too: logins
    // admitted and still on their way here must not find their slot taken by work that never queued.
    if (!place && this.full) throw this.refuse()
    place?.release()
    if (this.active >= this.running) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.active++
    const started = performance.now()
    try {
      return await work()
    } finally {
      this.hashMs = 0.8 * this.hashMs + 0.2 * (performance.now() - started)
      // Hand the slot straight to the next in line (active stays the same), or free it.
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}

/** The process's one pool; every hash and verification goes through it. */
export const hashPool = new HashPool()

export function hashPassword(password: string): Promise<string> {
  return hashPool.run(() => hash(password, OPTIONS))
}

/**
 * False for a wrong password or a malformed hash; throws HashingBusy when the pool is full (never
 * with a place admitted for it).
 */
export async function verifyPassword(passwordHash: string, password: string, place?: HashPlace): Promise<boolean> {
  return hashPool.run(async () => {
    try {
      return await verify(passwordHash, password)
    } catch {
      return false
    }
  }, place)
}

/** A well-formed hash that matches nothing: verifying against it costs what a real check costs. */
let decoy: Promise<string> | undefined
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy-password-that-no-one-has')
  return decoy
}

export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 128
/** zxcvbn's 3 = "safely unguessable": about 10^8 guesses or more. 0–2 are refused. */
const MIN_SCORE = 3

// The estimator's common list is mostly English. These are the passwords and words that lead the
// published Chinese password leaks (the site's own name and Party vocabulary added), most common
// first: the estimator ranks a word by its position.
const CHINESE_COMMON = [
  'woaini',
  '5201314',
  'woaini1314',
  '1314520',
  'aini1314',
  'woaini520',
  '7758521',
  '7758258',
  '520520',
  '1314521',
  'qq123456',
  'a123456',
  'a123456789',
  'abc123456',
  '123456abc',
  'qwe123456',
  '1qaz2wsx',
  '1q2w3e4r',
  'qazwsxedc',
  'dearbook',
  'xiazhili',
  'wodemima',
  'mima',
  'caonima',
  'nihao',
  'nihao123',
  'zhongguo',
  'china',
  'beijing',
  'shanghai',
  'xuece',
  'xuexi',
  'xuexiqiangguo',
  'dangyuan',
  'dangjian',
  'gongchandang',
  'zhibu',
  'shuji',
  'danwei',
  'bangongshi',
  'zhang',
  'wang',
  'li',
  'zhao',
  'liu',
  'chen',
  'yang',
  'huang',
  'wu',
  'zhou',
  'xu',
  'sun',
  'ma',
  'zhu',
  'hu',
  'guo',
  'he',
  'lin',
  'gao',
  'luo',
  'zhangwei',
  'wangwei',
  'wangfang',
  'liwei',
  'liuyang',
  'zhangmin',
  'lijing',
  'wangjing',
]

let estimator: ZxcvbnFactory | undefined
function strengthEstimator(): ZxcvbnFactory {
  // Built on first use (≈60 ms); Levenshtein matching stays off: it makes one check ~70 ms instead of ~3 ms.
  estimator ??= new ZxcvbnFactory({ dictionary: { ...dictionary, 'zh-common': CHINESE_COMMON }, graphs: adjacencyGraphs })
  return estimator
}

const COMMON_WARNINGS = new Set(['topTen', 'topHundred', 'common', 'similarToCommon'])

/**
 * The password policy, for every password someone sets (new user, import, reset, change); stored
 * passwords are not re-checked at login. Rule: 8–128 characters, not the username, and strong
 * enough by the zxcvbn estimator (score ≥ 3, with the common-password lists and the person's own
 * username and name counted as guessable). No composition rule: a long phrase is fine without digits.
 * Returns a zh-CN reason or null.
 */
export function passwordProblem(password: string, username?: string, name?: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `密码至少 ${PASSWORD_MIN_LENGTH} 位`
  if (password.length > PASSWORD_MAX_LENGTH) return `密码不能超过 ${PASSWORD_MAX_LENGTH} 位`
  if (username && password.toLowerCase() === username.toLowerCase()) return '密码不能与用户名相同'
  const result = strengthEstimator().check(
    password,
    [username, name].filter((s): s is string => !!s),
  )
  if (result.score >= MIN_SCORE) return null
  if (result.feedback.warning && COMMON_WARNINGS.has(result.feedback.warning)) return '密码过于常见，容易被猜中，请换一个'
  return '密码太弱，容易被猜中：请加长密码，或混合大小写字母、数字和符号（避免生日、姓名拼音、键盘顺序）'
}

// No 0/O, 1/l/I: people copy these from a printed list.
const LOWER = 'abcdefghijkmnpqrstuvwxyz'
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ'
const DIGITS = '23456789'

/** Checks many passwords (an import) without holding the event loop: one check takes a few ms. */
export async function passwordProblems(
  items: ({ password: string; username?: string; name?: string } | null)[],
): Promise<(string | null)[]> {
  const problems: (string | null)[] = []
  for (const [i, item] of items.entries()) {
    if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve))
    problems.push(item && passwordProblem(item.password, item.username, item.name))
  }
  return problems
}

/**
 * A random 12-character initial password with lower, upper case and digits: about 69 bits, far
 * beyond what the policy asks, so it is not run through the estimator (an import makes thousands).
 */
export function generatePassword(): string {
  const pick = (set: string) => set[randomInt(set.length)]
  const all = LOWER + UPPER + DIGITS
  const chars = [pick(LOWER), pick(UPPER), pick(DIGITS), ...Array.from({ length: 9 }, () => pick(all))]
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[chars[i], chars[j]] = [chars[j], chars[i]]
  }
  return chars.join('')
}
