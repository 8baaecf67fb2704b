// What autosave keeps per attempt: an outline of each question (type, option letters, blanks), one
// object per question shared by every attempt that has it — never texts or answer keys.
import { describe, expect, it } from 'vitest'
import { AttemptState } from '../server/modules/attempts/state.js'
import { answerShapeProblem, type Paper } from '../server/modules/questions/index.js'

const paper = (letters: string[]): Paper =>
  ({
    questions: [
      {
        id: 7,
        type: 'single',
        stem: '党的一大在哪里召开？',
        explanation: '上海',
        score: 2,
        answer: 'B',
        options: letters.map((key) => ({ key, text: `选项${key}` })),
      },
      { id: 8, type: 'fill', stem: '三线建设始于___年，___年基本结束。', explanation: null, score: 2, answer: [['1964'], ['1980']] },
    ],
  }) as unknown as Paper

describe('attempt outlines', () => {
  // No database is read: remember() takes the paper it is given.
  const state = new AttemptState(
    { db: undefined as never, clock: { now: () => new Date() } as never },
    { lanes: 1, db: undefined as never },
  )

  it('are shared between attempts, also when the options were shuffled, and hold no texts or keys', async () => {
    const a = state.remember(1, { userId: 1, examId: 1, oneDevice: false, paper: paper(['A', 'B', 'C', 'D']) })
    const b = state.remember(2, { userId: 2, examId: 1, oneDevice: false, paper: paper(['C', 'A', 'D', 'B']) })
    expect(b.questions.get(7)).toBe(a.questions.get(7))
    expect(b.questions.get(8)).toBe(a.questions.get(8))
    const single = a.questions.get(7)!
    expect(JSON.stringify([...a.questions.values()])).not.toMatch(/党的一大|上海|选项|1964|三线/)
    expect(single.answer).toBe('')
    // Validation still knows the letters and the blanks.
    expect(answerShapeProblem(single, 'D')).toBeNull()
    expect(answerShapeProblem(single, 'E')).toMatch(/A、B、C、D/)
    expect(answerShapeProblem(a.questions.get(8)!, ['1964', '1980'])).toBeNull()
    expect(answerShapeProblem(a.questions.get(8)!, ['1964'])).toMatch(/2 个字符串/)
    await state.close()
  })
})
