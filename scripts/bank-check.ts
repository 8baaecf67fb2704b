// `npm run bank:check [dir]`: loads question-bank/, prints what each file holds and every rule
// violation (question-bank/README.md); exits 1 on any, so CI and reviewers see the same verdict.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkBank, loadBankDir } from '../server/modules/questions/formats/bank.js'
import { QUESTION_TYPES } from '../server/modules/questions/model.js'

const dir = process.argv[2] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../question-bank')
const bank = loadBankDir(dir)
const errors = checkBank(bank)

const typeOf = new Map(bank.questions.map((q) => [q.bankId, q.type]))
const counts = (ids: string[]) => QUESTION_TYPES.map((t) => ids.filter((id) => typeOf.get(id) === t).length)

console.log(['文件', '分类', '题数', ...QUESTION_TYPES].join('\t'))
for (const f of bank.files) console.log([f.file, f.category, f.ids.length, ...counts(f.ids)].join('\t'))
const all = bank.files.flatMap((f) => f.ids)
console.log(['合计', '', all.length, ...counts(all)].join('\t'))

if (errors.length) {
  console.error(`\n${errors.length} 个问题：`)
  for (const e of errors) console.error(`  - ${e}`)
  process.exit(1)
}
console.log(`\n题库检查通过：${bank.questions.length} 道题，${bank.files.length} 个文件。`)
