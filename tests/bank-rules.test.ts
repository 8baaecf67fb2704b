// The shipped bank's content rules (question-bank/README.md, "Rules"), each on a small bank built in memory.
import { describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { checkBank, checkBankSize, loadBankFile, type BankLoadResult } from '../server/modules/questions/formats/bank.js'
import {
  MIN_BANK_QUESTIONS,
  MIN_QUESTIONS_PER_TYPE,
  findOptionLetterReferences,
  multipleBalance,
  singleBalance,
  stemSimilarity,
} from '../server/modules/questions/formats/bank-rules.js'
import { QUESTION_TYPES, type QuestionInput } from '../server/modules/questions/model.js'

type RawQuestion = Record<string, unknown>

/** A stem of CJK characters no other index shares, so generated questions are never near-duplicates. */
const uniqueStem = (i: number) => Array.from({ length: 8 }, (_, k) => String.fromCharCode(0x4e00 + i * 8 + k)).join('') + '？'
const letters = (n: number) => 'ABCDEF'.slice(0, n).split('')
const optionsFor = (i: number, n: number) => Object.fromEntries(letters(n).map((k) => [k, `第${i}题选项${k}`]))

let nextId = 1
const base = () => ({ id: `tr-${String(nextId++).padStart(3, '0')}`, explanation: '解析。', source: '《简史》', difficulty: 2 })
const single = (answer: string, extra: RawQuestion = {}): RawQuestion => {
  const b = base()
  return { ...b, type: 'single', stem: uniqueStem(nextId), options: optionsFor(nextId, 4), answer, ...extra }
}
const multiple = (answer: string[], extra: RawQuestion = {}): RawQuestion => {
  const b = base()
  return { ...b, type: 'multiple', stem: uniqueStem(nextId), options: optionsFor(nextId, 5), answer, ...extra }
}
const judge = (extra: RawQuestion = {}): RawQuestion => ({ ...base(), type: 'judge', stem: uniqueStem(nextId), answer: true, ...extra })
const fill = (extra: RawQuestion = {}): RawQuestion => ({
  ...base(),
  type: 'fill',
  stem: `${uniqueStem(nextId)}____`,
  answer: [['答案']],
  ...extra,
})

function bankOf(questions: RawQuestion[]): BankLoadResult {
  const bank: BankLoadResult = { questions: [], errors: [], files: [], questionFiles: [] }
  loadBankFile('t.yaml', stringify({ category: '测试', questions }), bank)
  return bank
}

/** 20 single-choice items, each letter correct 5 times, and 20 multiple-choice items in 5 patterns. */
const balancedSingles = () => Array.from({ length: 20 }, (_, i) => single('ABCD'[i % 4]))
const BALANCED_PATTERNS = [
  ['A', 'B'],
  ['C', 'D'],
  ['B', 'E'],
  ['A', 'C', 'D'],
  ['A', 'D', 'E'],
]
const balancedMultiples = () => Array.from({ length: 20 }, (_, i) => multiple(BALANCED_PATTERNS[i % 5]))

const expectOne = (errors: string[], re: RegExp) =>
  expect(
    errors.filter((e) => re.test(e)),
    `${re} in\n${errors.join('\n')}`,
  ).toHaveLength(1)

describe('bank rules', () => {
  it('a clean, balanced bank passes every check', () => {
    const bank = bankOf([...balancedSingles(), ...balancedMultiples(), judge(), fill({ validUntil: '2030-12-31' })])
    expect(bank.questions).toHaveLength(42)
    expect(checkBank(bank)).toEqual([])
  })

  describe('explanations name options by text, not letter', () => {
    it('finds letter references', () => {
      for (const text of [
        'B、C两项分别是1945年和1981年的决议。',
        '因此 D、E 错误。',
        '选项A是国旗的特征。',
        'A项是1981年历史决议的表述。',
        '其余说法都不对，故选B。',
        'AB两项都是后来的事。',
        '综上，答案为C。',
        'A、B、C、D均为党员权利。',
        'Ｄ、Ｅ 与史实不符。',
        'D 出自《七律·长征》。',
        '作出 A、B、C 三方面评价。',
      ]) {
        expect(findOptionLetterReferences(text), text).not.toEqual([])
      }
    })

    it('leaves ordinary Latin text alone', () => {
      for (const text of [
        '2023年GDP增长5.2%。',
        '2001年中国加入WTO。',
        '贵州建成5G基站超过10万个。',
        '贵州茅台在A股上市。',
        'FAST于2016年落成，是世界最大单口径射电望远镜。',
        'C919大型客机于2017年首飞。',
        '中国天眼（FAST）位于平塘县。',
        '黄果树瀑布景区入选A级旅游景区名录。',
      ]) {
        expect(findOptionLetterReferences(text), text).toEqual([])
      }
    })

    it('reports the question by file and id', () => {
      const q = single('B', { explanation: '遵义会议于1935年召开；A、C两项都不对。' })
      const errors = checkBank(bankOf([q]))
      expectOne(errors, new RegExp(`^t\\.yaml ${q.id}：解析用字母指称选项（「A、C两项」）`))
    })
  })

  describe('multiple choice', () => {
    it('needs 4–5 options and at least one wrong one', () => {
      const three = multiple(['A', 'B'], { options: optionsFor(900, 3) })
      const six = multiple(['A', 'B'], { options: optionsFor(901, 6) })
      const allRight = multiple(['A', 'B', 'C', 'D'], { options: optionsFor(902, 4) })
      const errors = checkBank(bankOf([three, six, allRight, multiple(['A', 'C'])]))
      expectOne(errors, new RegExp(`^t\\.yaml ${three.id}：多选题须有 4–5 个选项（现有 3 个）`))
      expectOne(errors, new RegExp(`^t\\.yaml ${six.id}：多选题须有 4–5 个选项（现有 6 个）`))
      expectOne(errors, new RegExp(`^t\\.yaml ${allRight.id}：多选题须至少有 1 个错误选项`))
      expect(errors).toHaveLength(3)
    })

    it('no letter is correct in more than 75 % of the items, no pattern fits more than 20 %', () => {
      const skewed = Array.from({ length: 20 }, (_, i) => multiple(i < 16 ? ['A', 'B', 'C'] : ['C', 'D']))
      const errors = checkBank(bankOf(skewed))
      expectOne(errors, /^多选题中 A 为正确选项的占 80%，超过 75%$/)
      expectOne(errors, /^多选题中 B 为正确选项的占 80%/)
      expectOne(errors, /^多选题中 C 为正确选项的占 100%/)
      expectOne(errors, /^多选题答案恰为 ABC 的占 80%（16\/20 题），超过 20%$/)
      expect(errors.some((e) => /CD 的占/.test(e))).toBe(false)
    })

    it('reports the balance figures', () => {
      const b = multipleBalance(bankOf(balancedMultiples()).questions)
      expect(b.count).toBe(20)
      expect(b.letterShare).toEqual({ A: 0.6, B: 0.4, C: 0.4, D: 0.6, E: 0.4 })
      expect(b.patterns.map((p) => p.share)).toEqual([0.2, 0.2, 0.2, 0.2, 0.2])
      expect(b.averageCorrect).toBeCloseTo(2.4)
      expect(b.averageOptions).toBe(5)
      expect(b.correctOptionShare).toBeCloseTo(0.48)
    })

    it('a handful of items is too few to judge balance', () => {
      expect(checkBank(bankOf([multiple(['A', 'B']), multiple(['A', 'B'])]))).toEqual([])
    })
  })

  describe('single choice', () => {
    it('each letter answers 25 % ± 7 points of the 4-option items', () => {
      const skewed = Array.from({ length: 20 }, (_, i) => single(i < 8 ? 'A' : 'BCD'[i % 3]))
      const errors = checkBank(bankOf(skewed))
      expectOne(errors, /^4 个选项的单选题中答案为 A 的占 40%（共 20 题），应在 18%–32% 之间$/)
      expect(errors).toHaveLength(1)
    })

    it('counts only 4-option items towards the rule, but reports all', () => {
      const threeOption = Array.from({ length: 10 }, () => single('A', { options: optionsFor(nextId, 3) }))
      const bank = bankOf([...balancedSingles(), ...threeOption])
      expect(checkBank(bank)).toEqual([])
      const b = singleBalance(bank.questions)
      expect(b.fourOptionLetterShare).toEqual({ A: 0.25, B: 0.25, C: 0.25, D: 0.25 })
      expect(b.letterShare.A).toBeCloseTo(15 / 30)
    })
  })

  it('validUntil is a real calendar date', () => {
    const bad = judge({ validUntil: '2030-02-30' })
    const worse = judge({ validUntil: '明年' })
    const errors = checkBank(bankOf([bad, worse, judge({ validUntil: '2028-02-29' })]))
    expectOne(errors, new RegExp(`^t\\.yaml ${bad.id}：有效期须为 YYYY-MM-DD`))
    expectOne(errors, new RegExp(`^t\\.yaml ${worse.id}：有效期须为 YYYY-MM-DD`))
    expect(errors).toHaveLength(2)
  })

  it('every fill blank has a non-empty alternative', () => {
    const empty = fill({ stem: `${uniqueStem(nextId)}____和____`, answer: [['答案'], ['', ' ']] })
    const errors = checkBank(bankOf([empty, fill()]))
    expectOne(errors, new RegExp(`^t\\.yaml ${empty.id}：填空题第 2 空至少需要一个非空答案$`))
  })

  describe('near-duplicate stems', () => {
    const year = (stem: string, answer: string, extra: RawQuestion = {}) =>
      single('B', { stem, options: { A: '1934年', B: answer, C: '1936年', D: '1937年' }, ...extra })

    it('a rewording with the same answer names both questions', () => {
      const a = year('遵义会议在哪一年召开？', '1935年')
      const b = year('遵义会议是在哪一年召开的？', '1935年')
      expect(stemSimilarity(a.stem as string, b.stem as string)).toBeCloseTo(0.8)
      const errors = checkBank(bankOf([a, b]))
      expectOne(errors, new RegExp(`^t\\.yaml ${b.id}：与 t\\.yaml ${a.id} 题干相近（相似度 0\\.80）且答案相同`))
    })

    it('compares answers across types, numerals normalised', () => {
      const a = year('遵义会议在哪一年召开？', '1935年')
      const b = fill({ stem: '遵义会议是在哪一年召开的？____', answer: [['一九三五']] })
      expectOne(checkBank(bankOf([a, b])), new RegExp(`${b.id}：与 t\\.yaml ${a.id} 题干相近`))
    })

    it('almost the same stem is flagged even when the answers differ', () => {
      const a = year('1935年1月，中共中央政治局在贵州遵义召开扩大会议，这次会议是？', '遵义会议')
      const b = year('1935年1月，中共中央政治局在贵州遵义召开扩大会议。这次会议是？', '遵义会议扩大会议')
      expectOne(checkBank(bankOf([a, b])), new RegExp(`^t\\.yaml ${b.id}：题干与 t\\.yaml ${a.id} 几乎相同`))
    })

    it('an exact duplicate is reported once, as such', () => {
      const a = fill({ stem: '中国天眼的全称是____米口径球面射电望远镜。', answer: [['500']] })
      const b = fill({ stem: '中国天眼的全称是____米口径球面射电望远镜。', answer: [['500', '五百']] })
      expect(checkBank(bankOf([a, b]))).toEqual([`t.yaml ${b.id}：与 t.yaml ${a.id} 题干和选项重复`])
    })

    it('template stems that ask about different things are distinct questions', () => {
      const a = single('A', {
        stem: '三线建设时期在贵州布局的〇一一基地，属于哪个工业门类？',
        options: { A: '航空工业', B: '电子工业', C: '航天工业', D: '船舶工业' },
      })
      const b = single('A', {
        stem: '三线建设时期在贵州布局的〇六一基地，属于哪个工业门类？',
        options: { A: '航天工业', B: '电子工业', C: '航空工业', D: '船舶工业' },
      })
      const c = single('A', { stem: '党的十九大报告的标题是什么？', options: { A: '标题甲', B: '标题乙', C: '标题丙', D: '标题丁' } })
      const d = single('A', { stem: '党的二十大报告的标题是什么？', options: { A: '标题乙', B: '标题甲', C: '标题丙', D: '标题丁' } })
      expect(stemSimilarity(a.stem as string, b.stem as string)).toBeGreaterThan(0.9)
      expect(checkBank(bankOf([a, b, c, d]))).toEqual([])
    })
  })

  describe('size (checkBankSize, kept apart from checkBank)', () => {
    const ofType = (type: QuestionInput['type'], n: number) =>
      Array.from({ length: n }, () => ({ type, stem: 's', answer: '', category: 'c' }) as QuestionInput)

    it('needs 80 of each type and 750 in all', () => {
      const questions = [...ofType('single', 300), ...ofType('multiple', 79), ...ofType('judge', 80), ...ofType('fill', 80)]
      expect(checkBankSize({ questions })).toEqual([
        `题库中多选题只有 79 道，至少需要 ${MIN_QUESTIONS_PER_TYPE} 道`,
        `题库共 539 道题，至少需要 ${MIN_BANK_QUESTIONS} 道`,
      ])
    })

    it('passes a bank large enough', () => {
      expect(checkBankSize({ questions: QUESTION_TYPES.flatMap((t) => ofType(t, 188)) })).toEqual([])
    })

    it('is not part of checkBank', () => {
      expect(checkBank(bankOf([judge()]))).toEqual([])
    })
  })
})
