import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { answerShapeProblem, grade, shuffleOptions, type PaperQuestion } from '../server/modules/questions/index.js'
import { normalizeFillAnswer } from '../server/modules/questions/formats/validate.js'

const opts = (n: number) =>
  'ABCDEF'
    .slice(0, n)
    .split('')
    .map((key) => ({ key, text: `选项${key}` }))
const single: PaperQuestion = { id: 1, type: 'single', stem: 's', options: opts(4), answer: 'B', explanation: null, score: 5 }
const multiple: PaperQuestion = {
  id: 2,
  type: 'multiple',
  stem: 'm',
  options: opts(5),
  answer: ['A', 'C', 'D'],
  explanation: null,
  score: 10,
}
const judge: PaperQuestion = { id: 3, type: 'judge', stem: 'j', answer: false, explanation: null, score: 2 }
const fill: PaperQuestion = {
  id: 4,
  type: 'fill',
  stem: '中共一大于____年在____召开',
  answer: [['1921', '1921年'], ['上海']],
  explanation: null,
  score: 6,
}

describe('grading', () => {
  it('single and judge are exact', () => {
    expect(grade(single, 'B', 'all_or_nothing')).toEqual({ correct: true, score: 5 })
    expect(grade(single, 'C', 'all_or_nothing')).toEqual({ correct: false, score: 0 })
    expect(grade(judge, false, 'all_or_nothing')).toEqual({ correct: true, score: 2 })
    expect(grade(judge, 'false', 'all_or_nothing').score).toBe(0)
    expect(grade(single, undefined, 'all_or_nothing').score).toBe(0)
  })

  it('multiple: all or nothing, or half for a correct subset without wrong picks', () => {
    expect(grade(multiple, ['D', 'A', 'C'], 'all_or_nothing')).toEqual({ correct: true, score: 10 })
    expect(grade(multiple, ['A', 'C'], 'all_or_nothing').score).toBe(0)
    expect(grade(multiple, ['A', 'C'], 'partial')).toEqual({ correct: false, score: 5 })
    expect(grade(multiple, ['A', 'B'], 'partial').score).toBe(0)
    expect(grade(multiple, [], 'partial').score).toBe(0)
    expect(grade(multiple, ['A', 'B', 'C', 'D'], 'partial').score).toBe(0)
  })

  it('fill compares each blank normalised: trim, full/half width, case', () => {
    expect(grade(fill, [' 1921年 ', '上海'], 'all_or_nothing').correct).toBe(true)
    expect(grade(fill, ['１９２１', '上海'], 'all_or_nothing').correct).toBe(true)
    expect(grade(fill, ['1921', '北京'], 'all_or_nothing').correct).toBe(false)
    expect(grade(fill, ['1921'], 'all_or_nothing').correct).toBe(false)
  })

  it('checks answer shapes per type', () => {
    expect(answerShapeProblem(single, 'B')).toBeNull()
    expect(answerShapeProblem(single, 'G')).toMatch(/单选/)
    expect(answerShapeProblem(multiple, ['A', 'A'])).toMatch(/多选/)
    expect(answerShapeProblem(judge, 'true')).toMatch(/判断/)
    expect(answerShapeProblem(fill, ['1921'])).toMatch(/2 个/)
    expect(answerShapeProblem(fill, ['1921', '上海'])).toBeNull()
  })
})

describe('fill answers: Chinese and Arabic numerals grade alike', () => {
  const same = (...forms: string[]) => {
    for (const f of forms) expect(normalizeFillAnswer(f), f).toBe(normalizeFillAnswer(forms[0]))
  }
  const differ = (a: string, b: string) => expect(normalizeFillAnswer(a), `${a} / ${b}`).not.toBe(normalizeFillAnswer(b))

  it('years digit by digit, with 〇, 零, 0 or o for zero, and an optional 年', () => {
    same('1970', '一九七〇', '一九七0', '一九七O', '1970年', '一九七〇年', '１９７０年', ' 1970 年 ')
    same('2035', '二〇三五', '二零三五', '二〇三五年')
    expect(normalizeFillAnswer('一九七〇年')).toBe('1970')
  })

  it('positional numerals', () => {
    same('15', '十五')
    same('18', '十八')
    same('10', '十')
    same('21', '二十一')
    same('100', '一百')
    same('108', '一百零八', '一百〇八')
    same('200', '两百', '二百')
    same('250', '两百五', '二百五十')
    same('1050', '一千零五十')
    same('10005', '一万零五')
    same('15000', '一万五', '一万五千')
    same('100000', '十万')
  })

  it('月 and 日 are dropped like 年: 5月 = 五月 = 5', () => {
    same('5', '5月', '五月', '5日', '五日')
    same('12', '十二月')
  })

  it('only a wholly numeric answer is converted, and only 年/月/日 are dropped', () => {
    differ('15', '15个')
    differ('15', '十五个')
    differ('1970', '1970年年')
    expect(normalizeFillAnswer('三线')).toBe('三线')
    expect(normalizeFillAnswer('十八大')).toBe('十八大')
    expect(normalizeFillAnswer('一二·九运动')).toBe('一二·九运动')
    expect(normalizeFillAnswer('年')).toBe('年')
    expect(normalizeFillAnswer('o')).toBe('o')
    expect(normalizeFillAnswer('GDP')).toBe('gdp')
  })

  it('malformed positional numerals are left as typed, never guessed', () => {
    for (const s of ['一千零零五', '十百', '一百零', '零十', '一万亿']) expect(normalizeFillAnswer(s)).toBe(s)
  })

  it('grade() accepts any numeral form of the key', () => {
    const year: PaperQuestion = {
      id: 5,
      type: 'fill',
      stem: '三线建设始于____年，于____月作出决策',
      answer: [['1964'], ['5月']],
      explanation: null,
      score: 4,
    }
    for (const typed of [
      ['一九六四', '五月'],
      ['1964年', '5'],
      ['一九六四年', '5 月'],
    ]) {
      expect(grade(year, typed, 'all_or_nothing'), typed.join('/')).toEqual({ correct: true, score: 4 })
    }
    expect(grade(year, ['一九六五', '五月'], 'all_or_nothing').correct).toBe(false)
    expect(grade(year, ['1964个', '5'], 'all_or_nothing').correct).toBe(false)
    const congress: PaperQuestion = { id: 6, type: 'fill', stem: '党的____次全国代表大会', answer: [['十八']], explanation: null, score: 2 }
    expect(grade(congress, ['18'], 'all_or_nothing').correct).toBe(true)
    expect(grade(congress, ['十八大'], 'all_or_nothing').correct).toBe(false)
    expect(grade(fill, ['一九二一年', '上海'], 'all_or_nothing').correct).toBe(true)
  })
})

describe('shuffled options', () => {
  it('keep the key pointing at the same option text, whatever the order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
        let s = seed
        const random = () => (s = (s * 16807) % 2147483647) / 2147483647
        for (const q of [single, multiple]) {
          const shuffled = shuffleOptions(q, random)
          const textOf = (qq: PaperQuestion, k: string) => qq.options!.find((o) => o.key === k)!.text
          const keys = (a: unknown) => (Array.isArray(a) ? a : [a]) as string[]
          expect(
            keys(shuffled.answer)
              .map((k) => textOf(shuffled, k))
              .sort(),
          ).toEqual(
            keys(q.answer)
              .map((k) => textOf(q, k))
              .sort(),
          )
          expect(shuffled.options!.map((o) => o.key).join('')).toBe('ABCDEF'.slice(0, q.options!.length))
          expect(grade(shuffled, shuffled.answer, 'all_or_nothing').correct).toBe(true)
        }
      }),
    )
  })
})
