// The shipped bank's content rules beyond one question's schema (question-bank/README.md, "Rules"):
// explanations that survive option shuffling, answer-letter balance, near-duplicate stems and the
// bank's size. Pure functions over loaded questions; `checkBank` and `npm run bank:check` call them.
import { OPTION_KEYS, QUESTION_TYPES, type QuestionInput, type QuestionType } from '../model.js'
import { normalizeFillAnswer, normalizeStem, toHalfWidth } from './validate.js'

/** A loaded question and where it came from, as messages name it: "<file> <id>". */
export interface LocatedQuestion {
  question: QuestionInput
  where: string
}

// ---- thresholds ----

/** Multiple choice: no letter may be correct in more than this share of the items (else "pick A" pays). */
export const MULTIPLE_MAX_LETTER_SHARE = 0.75
/** Multiple choice: no exact answer pattern (e.g. A+B+C) may fit more than this share of the items. */
export const MULTIPLE_MAX_PATTERN_SHARE = 0.2
export const MULTIPLE_MIN_OPTIONS = 4
export const MULTIPLE_MAX_OPTIONS = 5
/** Single choice with 4 options: each letter's share of answers must lie within 25 % ± 7 points. */
export const SINGLE_LETTER_TARGET_SHARE = 0.25
export const SINGLE_LETTER_TOLERANCE = 0.07
/** The balance rules judge a whole bank; below this many items of a type a share says nothing, so they wait. */
export const BALANCE_MIN_QUESTIONS = 20
/** Stems this similar are one question written twice, whatever the answers (they may even contradict). */
export const NEAR_DUPLICATE_STEM_SIMILARITY = 0.95
/**
 * Stems this similar with the same answer are a rewording ("遵义会议在哪一年召开？" / "遵义会议是在哪一年
 * 召开的？" score 0.80). Template stems that differ in one name ("〇一一基地" / "〇六一基地") score higher
 * (0.92) but ask something else and have different answers, which is why the answer is part of the test.
 */
export const REWORDED_STEM_SIMILARITY = 0.75
/** Size of a bank fit to draw exams from (checked by `checkBankSize`, separately from the content rules). */
export const MIN_QUESTIONS_PER_TYPE = 80
export const MIN_BANK_QUESTIONS = 750

const TYPE_NAMES: Record<QuestionType, string> = { single: '单选题', multiple: '多选题', judge: '判断题', fill: '填空题' }

/** Every content rule; messages are zh-CN and name the file and id of each question concerned. */
export function checkBankRules(questions: LocatedQuestion[]): string[] {
  return [
    ...questions.flatMap(checkExplanationLetters),
    ...questions.flatMap(checkMultipleShape),
    ...checkMultipleBalance(questions.map((q) => q.question)),
    ...checkSingleBalance(questions.map((q) => q.question)),
    ...checkNearDuplicates(questions),
  ]
}

// ---- explanations name options by their text ----

// Exams shuffle options, so "B项" in an explanation points at the wrong option for most candidates.
// A letter reference is one option letter or a list of them ("B、D", "AB", "A, B 和 C") standing
// alone (no Latin letter or digit touching it, so "GDP", "FAST", "5G", "C919" never match) and
// either preceded by 选项/故选/答案为 or followed by a word that treats it as an option
// ("项", "两项", "均", "都", "分别", "是", "错误", "出自" …). "A股" has neither and is left alone.
const LETTER_LIST = String.raw`[A-F](?:(?:\s*[、,/和与及]\s*)?[A-F])*`
const BEFORE_LETTERS = String.raw`(?:选项|[故应即]选|选择|答案(?:应?[为是])?)\s*`
const AFTER_LETTERS = String.raw`\s*(?:[两二三四五六]?\s*个?(?:选项|项)|[两二三四五六]\s*(?:方面|者)|均|都|皆|分别|是|为|系|属|指|错|对|正确|有误|不|出自|与|说法|表述|所述)`
const LETTER_REFERENCE = new RegExp(
  String.raw`${BEFORE_LETTERS}(?<![A-Za-z0-9])${LETTER_LIST}(?![A-Za-z0-9])|(?<![A-Za-z0-9])${LETTER_LIST}(?![A-Za-z0-9])${AFTER_LETTERS}`,
  'g',
)

/** The passages of `text` that refer to options by letter (empty when it names them by content). */
export function findOptionLetterReferences(text: string): string[] {
  return [...toHalfWidth(text).matchAll(LETTER_REFERENCE)].map((m) => m[0].trim())
}

function checkExplanationLetters({ question, where }: LocatedQuestion): string[] {
  const refs = findOptionLetterReferences(question.explanation ?? '')
  if (!refs.length) return []
  const quoted = refs.map((r) => `「${r}」`).join('、')
  return [`${where}：解析用字母指称选项（${quoted}）；考试会打乱选项顺序，请改用选项内容指称`]
}

// ---- multiple choice ----

function checkMultipleShape({ question, where }: LocatedQuestion): string[] {
  if (question.type !== 'multiple') return []
  const options = question.options?.length ?? 0
  const correct = (question.answer as string[]).length
  const errors: string[] = []
  if (options < MULTIPLE_MIN_OPTIONS || options > MULTIPLE_MAX_OPTIONS) {
    errors.push(`${where}：多选题须有 ${MULTIPLE_MIN_OPTIONS}–${MULTIPLE_MAX_OPTIONS} 个选项（现有 ${options} 个）`)
  }
  if (correct < 2) errors.push(`${where}：多选题须至少有 2 个正确选项`)
  if (correct >= options) errors.push(`${where}：多选题须至少有 1 个错误选项（现在全部选项都正确）`)
  return errors
}

export interface MultipleBalance {
  count: number
  /** letter → share of the items in which that letter is correct (0–1). */
  letterShare: Record<string, number>
  /** Answer patterns ("ABC"), most frequent first, with their share of the items. */
  patterns: { pattern: string; count: number; share: number }[]
  averageCorrect: number
  averageOptions: number
  /** Correct options over all options offered, across the items. */
  correctOptionShare: number
}

export function multipleBalance(questions: QuestionInput[]): MultipleBalance {
  const items = questions.filter((q) => q.type === 'multiple')
  const answers = items.map((q) => q.answer as string[])
  const share = (n: number) => (items.length ? n / items.length : 0)
  const letterShare = Object.fromEntries(
    OPTION_KEYS.filter((k) => items.some((q) => q.options?.some((o) => o.key === k))).map((k) => [
      k,
      share(answers.filter((a) => a.includes(k)).length),
    ]),
  )
  const patternCounts = new Map<string, number>()
  for (const a of answers) patternCounts.set(a.join(''), (patternCounts.get(a.join('')) ?? 0) + 1)
  const patterns = [...patternCounts]
    .map(([pattern, count]) => ({ pattern, count, share: share(count) }))
    .sort((x, y) => y.count - x.count || x.pattern.localeCompare(y.pattern))
  const correctTotal = answers.reduce((n, a) => n + a.length, 0)
  const optionTotal = items.reduce((n, q) => n + (q.options?.length ?? 0), 0)
  return {
    count: items.length,
    letterShare,
    patterns,
    averageCorrect: share(correctTotal),
    averageOptions: share(optionTotal),
    correctOptionShare: optionTotal ? correctTotal / optionTotal : 0,
  }
}

function checkMultipleBalance(questions: QuestionInput[]): string[] {
  const b = multipleBalance(questions)
  if (b.count < BALANCE_MIN_QUESTIONS) return []
  const errors: string[] = []
  for (const [letter, s] of Object.entries(b.letterShare)) {
    if (s > MULTIPLE_MAX_LETTER_SHARE) {
      errors.push(`多选题中 ${letter} 为正确选项的占 ${percent(s)}，超过 ${percent(MULTIPLE_MAX_LETTER_SHARE)}`)
    }
  }
  for (const p of b.patterns) {
    if (p.share > MULTIPLE_MAX_PATTERN_SHARE) {
      errors.push(
        `多选题答案恰为 ${p.pattern} 的占 ${percent(p.share)}（${p.count}/${b.count} 题），超过 ${percent(MULTIPLE_MAX_PATTERN_SHARE)}`,
      )
    }
  }
  return errors
}

// ---- single choice ----

export interface SingleBalance {
  count: number
  /** letter → share of all single-choice answers (0–1), whatever the option count. */
  letterShare: Record<string, number>
  /** The same over the items with exactly 4 options, which the balance rule judges. */
  fourOptionCount: number
  fourOptionLetterShare: Record<string, number>
}

export function singleBalance(questions: QuestionInput[]): SingleBalance {
  const items = questions.filter((q) => q.type === 'single')
  const fourOption = items.filter((q) => q.options?.length === 4)
  return {
    count: items.length,
    letterShare: answerLetterShare(items, OPTION_KEYS),
    fourOptionCount: fourOption.length,
    fourOptionLetterShare: answerLetterShare(fourOption, OPTION_KEYS.slice(0, 4)),
  }
}

function answerLetterShare(items: QuestionInput[], letters: readonly string[]): Record<string, number> {
  const used = letters.filter((k) => letters.length === 4 || items.some((q) => q.options?.some((o) => o.key === k)))
  return Object.fromEntries(used.map((k) => [k, items.length ? items.filter((q) => q.answer === k).length / items.length : 0]))
}

function checkSingleBalance(questions: QuestionInput[]): string[] {
  const b = singleBalance(questions)
  if (b.fourOptionCount < BALANCE_MIN_QUESTIONS) return []
  const low = SINGLE_LETTER_TARGET_SHARE - SINGLE_LETTER_TOLERANCE
  const high = SINGLE_LETTER_TARGET_SHARE + SINGLE_LETTER_TOLERANCE
  return Object.entries(b.fourOptionLetterShare)
    .filter(([, s]) => s < low - 1e-9 || s > high + 1e-9)
    .map(
      ([letter, s]) =>
        `4 个选项的单选题中答案为 ${letter} 的占 ${percent(s)}（共 ${b.fourOptionCount} 题），应在 ${percent(low)}–${percent(high)} 之间`,
    )
}

// ---- duplicates ----

/** Same normalised stem and same options in any order (type aside): the same question, reported once as such. */
export function contentKey(q: Pick<QuestionInput, 'stem' | 'options'>): string {
  return [normalizeStem(q.stem), ...(q.options ?? []).map((o) => normalizeStem(o.text)).sort()].join('\u0001')
}

/** The stem as compared: normalised, then only letters and digits (punctuation and blanks say nothing). */
function comparableStem(stem: string): string {
  return normalizeStem(stem).replace(/[^\p{L}\p{N}]/gu, '')
}

function characterBigrams(text: string): Set<string> {
  const chars = [...text]
  if (chars.length < 2) return new Set(chars)
  const grams = new Set<string>()
  for (let i = 0; i + 1 < chars.length; i++) grams.add(chars[i] + chars[i + 1])
  return grams
}

/** Dice coefficient of the two stems' character-bigram sets: 1 for the same text, 0 for nothing shared. */
export function stemSimilarity(a: string, b: string): number {
  return diceOf(characterBigrams(comparableStem(a)), characterBigrams(comparableStem(b)))
}

function diceOf(a: Set<string>, b: Set<string>): number {
  if (!a.size && !b.size) return 1
  let shared = 0
  for (const g of a) if (b.has(g)) shared++
  return (2 * shared) / (a.size + b.size)
}

/**
 * What a question accepts, comparable across types: one set of accepted normalised strings per blank
 * (a choice question's correct option texts, one per "blank", in text order; a judge's verdict).
 */
function acceptedAnswers(q: QuestionInput): Set<string>[] {
  switch (q.type) {
    case 'single':
    case 'multiple': {
      const keys = Array.isArray(q.answer) ? (q.answer as string[]) : [q.answer as string]
      const texts = (q.options ?? []).filter((o) => keys.includes(o.key)).map((o) => normalizeFillAnswer(o.text))
      return texts.sort().map((t) => new Set([t]))
    }
    case 'judge':
      return [new Set([String(q.answer)])]
    case 'fill':
      return (q.answer as string[][]).map((alts) => new Set(alts.map(normalizeFillAnswer)))
  }
}

function sameAnswer(a: Set<string>[], b: Set<string>[]): boolean {
  return a.length === b.length && a.every((alts, i) => [...alts].some((x) => b[i].has(x)))
}

export function checkNearDuplicates(questions: LocatedQuestion[]): string[] {
  const items = questions.map((q) => ({
    ...q,
    key: contentKey(q.question),
    grams: characterBigrams(comparableStem(q.question.stem)),
    answers: acceptedAnswers(q.question),
  }))
  const errors: string[] = []
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const [a, b] = [items[i], items[j]]
      // Dice ≥ t needs the smaller set to be at least t/(2−t) of the larger: skip hopeless pairs cheaply.
      const [small, large] = a.grams.size < b.grams.size ? [a.grams.size, b.grams.size] : [b.grams.size, a.grams.size]
      if (small < large * (REWORDED_STEM_SIMILARITY / (2 - REWORDED_STEM_SIMILARITY))) continue
      if (a.key === b.key) continue // an exact duplicate, reported by checkBank already
      const similarity = diceOf(a.grams, b.grams)
      if (similarity >= NEAR_DUPLICATE_STEM_SIMILARITY) {
        errors.push(`${b.where}：题干与 ${a.where} 几乎相同（相似度 ${similarity.toFixed(2)}），请合并或改写`)
      } else if (similarity >= REWORDED_STEM_SIMILARITY && sameAnswer(a.answers, b.answers)) {
        errors.push(`${b.where}：与 ${a.where} 题干相近（相似度 ${similarity.toFixed(2)}）且答案相同，是同一道题的改写`)
      }
    }
  }
  return errors
}

// ---- size ----

export function typeCounts(questions: QuestionInput[]): Record<QuestionType, number> {
  return Object.fromEntries(QUESTION_TYPES.map((t) => [t, questions.filter((q) => q.type === t).length])) as Record<QuestionType, number>
}

/**
 * Enough questions of every type to draw varied exams from. Kept apart from `checkBank` so a bank
 * still being written can be held to the content rules first; takes a `BankLoadResult`.
 */
export function checkBankSize({ questions }: { questions: QuestionInput[] }): string[] {
  const counts = typeCounts(questions)
  const errors = QUESTION_TYPES.filter((t) => counts[t] < MIN_QUESTIONS_PER_TYPE).map(
    (t) => `题库中${TYPE_NAMES[t]}只有 ${counts[t]} 道，至少需要 ${MIN_QUESTIONS_PER_TYPE} 道`,
  )
  if (questions.length < MIN_BANK_QUESTIONS) errors.push(`题库共 ${questions.length} 道题，至少需要 ${MIN_BANK_QUESTIONS} 道`)
  return errors
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share * 100 === Math.round(share * 100) ? 0 : 1)}%`
}
