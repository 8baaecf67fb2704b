// Drawing a paper from the bank: a fixed list, or rules drawn per person. Same rules → same
// number of questions of each type and score → the same total for everyone; no question twice.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../db/types.js'
import { conflict, unprocessable } from '../../lib/errors.js'
import { shuffle, shuffleOptions, type AnswerKey, type Paper, type PaperQuestion, type QuestionType } from '../questions/index.js'

type Db = Kysely<Database> | Transaction<Database>

export interface PaperRule {
  category?: string
  type: QuestionType
  count: number
  scoreEach: number
  difficulty?: number
}
export type PaperSpec = { questionIds: number[]; scoreEach: number } | { rules: PaperRule[] }

const TYPE_NAMES: Record<QuestionType, string> = { single: '单选题', multiple: '多选题', judge: '判断题', fill: '填空题' }

const isFixed = (spec: PaperSpec): spec is { questionIds: number[]; scoreEach: number } => 'questionIds' in spec

function ruleFilter(rule: PaperRule, today: string) {
  return sql<boolean>`status = 'published' and type = ${rule.type}
    and (valid_until is null or valid_until >= ${today}::date)
    ${rule.category ? sql`and (category = ${rule.category} or category like ${rule.category + '/%'})` : sql``}
    ${rule.difficulty ? sql`and difficulty = ${rule.difficulty}` : sql``}`
}

export interface PaperCheck {
  maxScore: number
  questionCount: number
  rules?: { index: number; available: number; needed: number }[]
}

/** Validates a spec against the bank; throws 422 naming the first problem. */
export async function checkPaper(db: Db, spec: PaperSpec, today: string): Promise<PaperCheck> {
  if (isFixed(spec)) {
    const ids = [...new Set(spec.questionIds)]
    if (ids.length !== spec.questionIds.length)
      throw unprocessable('试卷中有重复的题目', [{ field: 'paper.questionIds', message: '题目重复' }])
    const found = await db.selectFrom('questions').select(['id', 'status']).where('id', 'in', ids).execute()
    const missing = ids.filter((id) => !found.some((q) => q.id === id))
    if (missing.length)
      throw unprocessable(`题目不存在：${missing.join('、')}`, [
        { field: 'paper.questionIds', message: `题目不存在：${missing.join('、')}` },
      ])
    const retired = found.filter((q) => q.status === 'retired').map((q) => q.id)
    if (retired.length) throw unprocessable(`题目已停用：${retired.join('、')}`, [{ field: 'paper.questionIds', message: '含已停用题目' }])
    return { maxScore: round(ids.length * spec.scoreEach), questionCount: ids.length }
  }
  const rules = await Promise.all(
    spec.rules.map(async (rule, index) => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from questions where ${ruleFilter(rule, today)}`.execute(db)
      return { index, available: rows[0].n, needed: rule.count }
    }),
  )
  const short = rules.find((r) => r.available < r.needed)
  if (short) {
    const rule = spec.rules[short.index]
    throw unprocessable(
      `第 ${short.index + 1} 条抽题规则需要 ${short.needed} 道题，题库中符合条件（${rule.category ?? '全部分类'}、${TYPE_NAMES[rule.type]}${rule.difficulty ? `、难度 ${rule.difficulty}` : ''}）的已发布题目只有 ${short.available} 道`,
      [{ field: `paper.rules.${short.index}.count`, message: `题目不足（可用 ${short.available}）` }],
    )
  }
  return {
    maxScore: round(spec.rules.reduce((s, r) => s + r.count * r.scoreEach, 0)),
    questionCount: spec.rules.reduce((s, r) => s + r.count, 0),
    rules,
  }
}

type QuestionRow = {
  id: number
  type: QuestionType
  stem: string
  options: { key: string; text: string }[] | null
  answer: unknown
  explanation: string | null
}

/**
 * What one exam's draws pick from: the eligible question ids per rule and the rows themselves.
 * On exam day hundreds of people start each second with the same rules; reading the pool once and
 * drawing in memory takes the bank out of every start. Kept briefly, so bank edits still arrive.
 */
export interface DrawPool {
  at: number
  candidates: number[][]
  rows: Map<number, QuestionRow>
}
export const DRAW_POOL_TTL_MS = 15_000

async function loadPool(db: Db, spec: PaperSpec, today: string): Promise<DrawPool> {
  const candidates = isFixed(spec)
    ? [spec.questionIds]
    : await Promise.all(
        spec.rules.map(async (rule) =>
          (await sql<{ id: number }>`select id from questions where ${ruleFilter(rule, today)}`.execute(db)).rows.map((r) => r.id),
        ),
      )
  const ids = [...new Set(candidates.flat())]
  // One array parameter, not one per id: a rule may match more questions than the 65,535 parameters
  // a statement can take.
  const rows = ids.length
    ? await db
        .selectFrom('questions')
        .select(['id', 'type', 'stem', 'options', 'answer', 'explanation'])
        .where(sql<boolean>`id = any(${ids}::int[])`)
        .execute()
    : []
  return { at: Date.now(), candidates, rows: new Map(rows.map((r) => [r.id, r as QuestionRow])) }
}

/** Draws one person's paper, snapshotting each question as it is in the (recent) pool. */
export async function drawPaper(
  db: Db,
  spec: PaperSpec,
  opts: { shuffleQuestions: boolean; shuffleOptions: boolean; today: string; pool?: DrawPool },
): Promise<Paper> {
  const pool = opts.pool ?? (await loadPool(db, spec, opts.today))
  const picks: { id: number; score: number }[] = []
  if (isFixed(spec)) {
    picks.push(...spec.questionIds.map((id) => ({ id, score: spec.scoreEach })))
  } else {
    spec.rules.forEach((rule, i) => {
      const taken = new Set(picks.map((p) => p.id))
      const drawn = shuffle(pool.candidates[i].filter((id) => !taken.has(id))).slice(0, rule.count)
      if (drawn.length < rule.count) throw conflict('题库中符合规则的题目不足，无法组卷，请联系管理员')
      picks.push(...drawn.map((id) => ({ id, score: rule.scoreEach })))
    })
  }
  let questions: PaperQuestion[] = picks.map(({ id, score }) => {
    const q = pool.rows.get(id)
    if (!q) throw conflict('试卷中的题目已不存在，请联系管理员')
    return {
      id,
      type: q.type,
      stem: q.stem,
      options: q.options ?? undefined,
      answer: q.answer as AnswerKey,
      explanation: q.explanation,
      score,
    }
  })
  if (opts.shuffleQuestions) questions = shuffle(questions)
  if (opts.shuffleOptions) questions = questions.map((q) => shuffleOptions(q))
  return { questions }
}

/** A per-exam pool cache; `get` reloads it when older than DRAW_POOL_TTL_MS or for another day. */
export class DrawPools {
  private pools = new Map<string, Promise<DrawPool>>()
  async get(db: Db, examId: number, spec: PaperSpec, today: string): Promise<DrawPool> {
    const key = `${examId}:${today}`
    const hit = await this.pools.get(key)?.catch(() => null)
    if (hit && Date.now() - hit.at < DRAW_POOL_TTL_MS) return hit
    const loading = loadPool(db, spec, today)
    if (this.pools.size > 1000) this.pools.clear()
    this.pools.set(key, loading)
    loading.catch(() => this.pools.delete(key))
    return loading
  }

  clear() {
    this.pools.clear()
  }
}

const round = (n: number) => Math.round(n * 100) / 100
