// `npm run bank:check [dir]`: loads question-bank/, prints what each file holds, the bank's answer
// balance figures and every rule violation (question-bank/README.md); exits 1 on any, so CI and
// reviewers see the same verdict.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkBank, checkBankSize, loadBankDir } from '../server/modules/questions/formats/bank.js'
import {
  BALANCE_MIN_QUESTIONS,
  MULTIPLE_MAX_LETTER_SHARE,
  MULTIPLE_MAX_PATTERN_SHARE,
  SINGLE_LETTER_TARGET_SHARE,
  SINGLE_LETTER_TOLERANCE,
  multipleBalance,
  percent,
  singleBalance,
  typeCounts,
} from '../server/modules/questions/formats/bank-rules.js'
import { QUESTION_TYPES } from '../server/modules/questions/model.js'

/** How many answer patterns to list: enough to see whether one dominates. */
const TOP_PATTERNS = 8

const dir = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../question-bank')
const bank = loadBankDir(dir)
const errors = [...checkBank(bank), ...checkBankSize(bank)]

printFileTable()
printBalance()

if (errors.length) {
  console.error(`\n${errors.length} 个问题：`)
  for (const e of errors) console.error(`  - ${e}`)
  process.exit(1)
}
console.log(`\n题库检查通过：${bank.questions.length} 道题，${bank.files.length} 个文件。`)

function printFileTable(): void {
  const typeOf = new Map(bank.questions.map((q) => [q.bankId, q.type]))
  const counts = (ids: string[]) => QUESTION_TYPES.map((t) => ids.filter((id) => typeOf.get(id) === t).length)
  console.log(['文件', '分类', '题数', ...QUESTION_TYPES].join('\t'))
  for (const f of bank.files) console.log([f.file, f.category, f.ids.length, ...counts(f.ids)].join('\t'))
  const all = bank.files.flatMap((f) => f.ids)
  console.log(['合计', '', all.length, ...counts(all)].join('\t'))
}

function printBalance(): void {
  const counts = typeCounts(bank.questions)
  console.log(`\n各题型题数（通过校验的题）：${QUESTION_TYPES.map((t) => `${t} ${counts[t]}`).join('，')}；合计 ${bank.questions.length}`)

  const m = multipleBalance(bank.questions)
  console.log(
    `\n多选题 ${m.count} 道（各字母为正确选项的比例上限 ${percent(MULTIPLE_MAX_LETTER_SHARE)}，单一答案组合上限 ${percent(MULTIPLE_MAX_PATTERN_SHARE)}）`,
  )
  console.log(`  各字母为正确选项的题目比例：${shares(m.letterShare)}`)
  const top = m.patterns.slice(0, TOP_PATTERNS).map((p) => `${p.pattern} ${percent(p.share)}（${p.count}）`)
  console.log(`  最常见的答案组合：${top.join('，') || '—'}`)
  console.log(
    `  平均正确选项数 ${m.averageCorrect.toFixed(2)}，平均选项数 ${m.averageOptions.toFixed(2)}，正确选项占全部选项 ${percent(m.correctOptionShare)}`,
  )

  const s = singleBalance(bank.questions)
  const low = percent(SINGLE_LETTER_TARGET_SHARE - SINGLE_LETTER_TOLERANCE)
  const high = percent(SINGLE_LETTER_TARGET_SHARE + SINGLE_LETTER_TOLERANCE)
  console.log(`\n单选题 ${s.count} 道`)
  console.log(`  答案字母分布（全部）：${shares(s.letterShare)}`)
  console.log(`  答案字母分布（4 个选项的 ${s.fourOptionCount} 道，每个字母应在 ${low}–${high}）：${shares(s.fourOptionLetterShare)}`)
  if (m.count < BALANCE_MIN_QUESTIONS || s.fourOptionCount < BALANCE_MIN_QUESTIONS) {
    console.log(`  （题数少于 ${BALANCE_MIN_QUESTIONS} 的题型不检查字母分布）`)
  }
}

function shares(byLetter: Record<string, number>): string {
  return (
    Object.entries(byLetter)
      .map(([letter, s]) => `${letter} ${percent(s)}`)
      .join('，') || '—'
  )
}
