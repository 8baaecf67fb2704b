import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { grade } from '../server/modules/exams/grading.js'
import { answerShapeProblem, shuffleOptions, type PaperQuestion } from '../server/modules/exams/paper.js'

const opts = (n: number) => 'ABCDEF'.slice(0, n).split('').map((key) => ({ key, text: `选项${key}` }))
const single: PaperQuestion = { id: 1, type: 'single', stem: 's', options: opts(4), answer: 'B', explanation: null, score: 5 }
const multiple: PaperQuestion = { id: 2, type: 'multiple', stem: 'm', options: opts(5), answer: ['A', 'C', 'D'], explanation: null, score: 10 }
const judge: PaperQuestion = { id: 3, type: 'judge', stem: 'j', answer: false, explanation: null, score: 2 }
const fill: PaperQuestion = { id: 4, type: 'fill', stem: '中共一大于____年在____召开', answer: [['1921', '1921年'], ['上海']], explanation: null, score: 6 }

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

describe('shuffled options', () => {
  it('keep the key pointing at the same option text, whatever the order', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
      let s = seed
      const random = () => ((s = (s * 16807) % 2147483647) / 2147483647)
      for (const q of [single, multiple]) {
        const shuffled = shuffleOptions(q, random)
        const textOf = (qq: PaperQuestion, k: string) => qq.options!.find((o) => o.key === k)!.text
        const keys = (a: unknown) => (Array.isArray(a) ? a : [a]) as string[]
        expect(keys(shuffled.answer).map((k) => textOf(shuffled, k)).sort()).toEqual(keys(q.answer).map((k) => textOf(q, k)).sort())
        expect(shuffled.options!.map((o) => o.key).join('')).toBe('ABCDEF'.slice(0, q.options!.length))
        expect(grade(shuffled, shuffled.answer, 'all_or_nothing').correct).toBe(true)
      }
    }))
  })
})
