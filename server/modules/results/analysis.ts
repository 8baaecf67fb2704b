// Item analysis, as Moodle's quiz statistics report does it, over the submitted attempts in the
// caller's scope (every submitted attempt counts; a retake is another response):
//   facility        share of responses that got the question right (unanswered = wrong);
//   discrimination  point-biserial correlation between getting it right and the rest of the paper
//                   (the attempt's score minus this question's), so a question does not correlate
//                   with itself;
//   upperLower      share right among the top 27 % of attempts by score minus that of the bottom 27 %;
//   options         how often each option was chosen, mapped back through each person's shuffle to
//                   the option's text (and the bank's letter for it).
// Flags: too easy (facility > 0.95), too hard (< 0.2), negative discrimination — each only once at
// least MIN_RESPONSES people answered, since a handful of responses says nothing.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Paper, PaperQuestion } from '../questions/index.js'

// A statement takes at most 65,535 parameters. The answers are read by the same filter as the
// attempts (20,000 takers with a few attempts each passed that limit as an id list), and the bank's
// questions, which random draws from a large bank can make tens of thousands, as one array.

type Db = Kysely<Database>

export const MIN_RESPONSES = 5
export const TOO_EASY = 0.95
export const TOO_HARD = 0.2

export type ItemFlag = 'too_easy' | 'too_hard' | 'negative_discrimination'

export interface ItemStats {
  questionId: number
  type: string
  stem: string
  responses: number
  /** Fewer than MIN_RESPONSES responses: no flags, and the indices are not to be read as findings. */
  fewResponses: boolean
  facility: number | null
  discrimination: number | null
  upperLower: number | null
  options: { key: string; text: string; chosen: number; correct: boolean }[]
  flags: ItemFlag[]
}

interface Response {
  attemptId: number
  total: number
  itemScore: number
  correct: boolean
  chosen: string[]
}

const round3 = (n: number) => Math.round(n * 1000) / 1000
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length

/** Point-biserial r between a 0/1 item and a score: (M1 − M0) / s · √(p·q), population s. */
export function pointBiserial(rows: { correct: boolean; score: number }[]): number | null {
  const n = rows.length
  const right = rows.filter((r) => r.correct).map((r) => r.score)
  const wrong = rows.filter((r) => !r.correct).map((r) => r.score)
  if (!right.length || !wrong.length) return null
  const m = mean(rows.map((r) => r.score))
  const s = Math.sqrt(rows.reduce((acc, r) => acc + (r.score - m) ** 2, 0) / n)
  if (s === 0) return null
  const p = right.length / n
  return ((mean(right) - mean(wrong)) / s) * Math.sqrt(p * (1 - p))
}

/** Share right in the top 27 % by score minus the bottom 27 % (at least one attempt in each group). */
export function upperLowerIndex(rows: { correct: boolean; score: number }[]): number | null {
  if (rows.length < 2) return null
  const sorted = [...rows].sort((a, b) => b.score - a.score)
  const g = Math.max(1, Math.round(rows.length * 0.27))
  const share = (xs: typeof rows) => xs.filter((x) => x.correct).length / xs.length
  return share(sorted.slice(0, g)) - share(sorted.slice(-g))
}

const chosenLetters = (q: PaperQuestion, answer: unknown): string[] =>
  q.type === 'single' && typeof answer === 'string'
    ? [answer]
    : q.type === 'multiple' && Array.isArray(answer)
      ? answer.filter((a): a is string => typeof a === 'string')
      : q.type === 'judge' && typeof answer === 'boolean'
        ? [answer ? '正确' : '错误']
        : []

export async function itemAnalysis(db: Db, examId: number, scope: string): Promise<ItemStats[]> {
  const attempts = await db
    .selectFrom('attempts')
    .innerJoin('orgs', 'orgs.id', 'attempts.org_id')
    .select(['attempts.id', 'attempts.score', 'attempts.paper'])
    .where('attempts.exam_id', '=', examId)
    .where('attempts.status', '=', 'submitted')
    .where('orgs.path', 'like', `${scope}%`)
    .execute()
  if (!attempts.length) return []
  const { rows: answers } = await sql<{
    attempt_id: number
    question_id: number
    answer: unknown
    correct: boolean | null
    score: number | null
  }>`
    select aa.attempt_id, aa.question_id, aa.answer, aa.correct, aa.score::float8 as score
    from attempt_answers aa
    join attempts a on a.id = aa.attempt_id
    join orgs o on o.id = a.org_id
    where a.exam_id = ${examId} and a.status = 'submitted' and o.path like ${`${scope}%`}`.execute(db)
  const answerOf = new Map(answers.map((a) => [`${a.attempt_id}:${a.question_id}`, a]))

  // Each response, with the chosen options as texts (letters differ between people's shuffles).
  const byQuestion = new Map<number, { shown: PaperQuestion; texts: Map<string, boolean>; responses: Response[] }>()
  for (const attempt of attempts) {
    for (const q of (attempt.paper as Paper).questions) {
      const a = answerOf.get(`${attempt.id}:${q.id}`)
      const textOf = new Map((q.options ?? []).map((o) => [o.key, o.text]))
      const keyLetters = new Set([q.answer].flat().map(String))
      const entry = byQuestion.get(q.id) ?? { shown: q, texts: new Map<string, boolean>(), responses: [] as Response[] }
      for (const o of q.options ?? []) entry.texts.set(o.text, keyLetters.has(o.key))
      if (q.type === 'judge') {
        entry.texts.set('正确', q.answer === true)
        entry.texts.set('错误', q.answer === false)
      }
      entry.responses.push({
        attemptId: attempt.id,
        total: Number(attempt.score),
        itemScore: Number(a?.score ?? 0),
        correct: Boolean(a?.correct),
        chosen: chosenLetters(q, a?.answer).map((l) => textOf.get(l) ?? l),
      })
      byQuestion.set(q.id, entry)
    }
  }

  // The bank's own letters for option texts, so staff recognise "C" as the bank's C.
  const questionIds = [...byQuestion.keys()]
  const bank = questionIds.length
    ? await db
        .selectFrom('questions')
        .select(['id', 'options'])
        .where(sql<boolean>`id = any(${questionIds}::int[])`)
        .execute()
    : []
  const bankLetter = new Map(
    bank.flatMap((b) =>
      ((b.options as { key: string; text: string }[] | null) ?? []).map((o): [string, string] => [`${b.id}:${o.text}`, o.key]),
    ),
  )

  return [...byQuestion.entries()]
    .map(([questionId, { shown, texts, responses }]) => {
      const rest = responses.map((r) => ({ correct: r.correct, score: r.total - r.itemScore }))
      const n = responses.length
      const facility = n ? responses.filter((r) => r.correct).length / n : null
      const discrimination = pointBiserial(rest)
      const upperLower = upperLowerIndex(responses.map((r) => ({ correct: r.correct, score: r.total })))
      const flags: ItemFlag[] = []
      if (n >= MIN_RESPONSES && facility !== null) {
        if (facility > TOO_EASY) flags.push('too_easy')
        if (facility < TOO_HARD) flags.push('too_hard')
        if (discrimination !== null && discrimination < 0) flags.push('negative_discrimination')
      }
      const options = [...texts.entries()]
        .map(([text, correct]) => ({
          key: bankLetter.get(`${questionId}:${text}`) ?? text,
          text,
          correct,
          chosen: responses.filter((r) => r.chosen.includes(text)).length,
        }))
        .sort((a, b) => a.key.localeCompare(b.key))
      return {
        questionId,
        type: shown.type,
        stem: shown.stem,
        responses: n,
        fewResponses: n < MIN_RESPONSES,
        facility: facility === null ? null : round3(facility),
        discrimination: discrimination === null ? null : round3(discrimination),
        upperLower: upperLower === null ? null : round3(upperLower),
        options,
        flags,
      }
    })
    .sort((a, b) => (a.discrimination ?? 1) - (b.discrimination ?? 1))
}
