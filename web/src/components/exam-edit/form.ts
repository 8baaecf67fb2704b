// The exam wizard's form: what a new exam starts with, how a saved one fills it, and the body sent.
import { isFixedPaper, type Exam, type ExamInput, type MultipleScoring, type PaperSpec, type ReleaseResults } from '@/api/exams'
import type { RuleRow } from '@/components/exams-console/PaperRulesEditor.vue'
import type { PickedQuestion } from '@/components/exams-console/QuestionPicker.vue'

let uid = 1
export const ruleRow = (type: RuleRow['type'], count: number, scoreEach: number): RuleRow => ({
  uid: uid++,
  category: '',
  type,
  difficulty: undefined,
  count,
  scoreEach,
})

function at(daysAhead: number, hour: number) {
  const d = new Date()
  d.setDate(d.getDate() + daysAhead)
  d.setHours(hour, 0, 0, 0)
  return d
}

export function newExamForm() {
  return {
    title: '',
    instructions: '',
    opensAt: at(1, 9) as Date | null,
    closesAt: at(1, 11) as Date | null,
    durationMinutes: 30,
    passScore: 60,
    maxAttempts: 1,
    releaseResults: 'after_close' as ReleaseResults,
    multipleScoring: 'all_or_nothing' as MultipleScoring,
    shuffleQuestions: true,
    shuffleOptions: true,
    oneDevice: false,
    audienceOrgIds: [] as number[],
    paperMode: 'rules' as 'rules' | 'fixed',
    rules: [ruleRow('single', 20, 2), ruleRow('multiple', 10, 3), ruleRow('judge', 15, 2)] as RuleRow[],
    picked: [] as PickedQuestion[],
    fixedScoreEach: 5,
  }
}
export type ExamForm = ReturnType<typeof newExamForm>

export function fillFrom(form: ExamForm, e: Exam) {
  Object.assign(form, {
    title: e.title,
    instructions: e.instructions ?? '',
    opensAt: new Date(e.opensAt),
    closesAt: new Date(e.closesAt),
    durationMinutes: e.durationMinutes,
    passScore: e.passScore,
    maxAttempts: e.maxAttempts,
    releaseResults: e.releaseResults,
    multipleScoring: e.multipleScoring,
    shuffleQuestions: e.shuffleQuestions,
    shuffleOptions: e.shuffleOptions,
    oneDevice: e.oneDevice,
    audienceOrgIds: [...e.audienceOrgIds],
  })
  if (isFixedPaper(e.paper)) {
    form.paperMode = 'fixed'
    form.fixedScoreEach = e.paper.scoreEach
    form.picked = e.paper.questionIds.map((id) => ({ id, type: 'single', stem: `#${id}` }))
  } else {
    form.paperMode = 'rules'
    form.rules = e.paper.rules.map((r) => ({
      uid: uid++,
      category: r.category ?? '',
      type: r.type,
      difficulty: r.difficulty,
      count: r.count,
      scoreEach: r.scoreEach,
    }))
  }
}

/** The paper as the API takes it, or null while the form cannot make one. */
export function paperSpecOf(form: ExamForm): PaperSpec | null {
  if (form.paperMode === 'fixed') {
    return form.picked.length && form.fixedScoreEach > 0
      ? { questionIds: form.picked.map((p) => p.id), scoreEach: form.fixedScoreEach }
      : null
  }
  if (!form.rules.length || form.rules.some((r) => !(r.count >= 1) || !(r.scoreEach > 0))) return null
  return {
    rules: form.rules.map((r) => ({
      type: r.type,
      count: r.count,
      scoreEach: r.scoreEach,
      ...(r.category && { category: r.category }),
      ...(r.difficulty && { difficulty: r.difficulty }),
    })),
  }
}

export function bodyOf(form: ExamForm, paper: PaperSpec, editing: boolean): ExamInput {
  return {
    title: form.title.trim(),
    ...(form.instructions.trim() || editing ? { instructions: form.instructions.trim() } : {}),
    opensAt: form.opensAt!.toISOString(),
    closesAt: form.closesAt!.toISOString(),
    durationMinutes: form.durationMinutes,
    audienceOrgIds: form.audienceOrgIds,
    passScore: form.passScore,
    maxAttempts: form.maxAttempts,
    shuffleQuestions: form.shuffleQuestions,
    shuffleOptions: form.shuffleOptions,
    releaseResults: form.releaseResults,
    multipleScoring: form.multipleScoring,
    oneDevice: form.oneDevice,
    paper,
  }
}

/** A field on 基本信息 that the wizard can mark, and what stopped 下一步 there. */
export type BasicsField = 'title' | 'window' | 'duration' | 'passScore'
export interface WizardProblem {
  message: string
  /** Set when the problem belongs to one field of 基本信息, so the field is marked, not just toasted. */
  field?: BasicsField
}

/** Which step holds a field the server complained about. */
export function stepOfField(field: string) {
  if (field === 'audienceOrgIds') return 1
  if (field.startsWith('paper')) return 2
  return 0
}

/** 立即开始: opens now; the window keeps its length (or the duration plus a margin). */
export function startNow(form: ExamForm) {
  const start = new Date()
  start.setSeconds(0, 0)
  const span =
    form.opensAt && form.closesAt && form.closesAt > form.opensAt
      ? form.closesAt.getTime() - form.opensAt.getTime()
      : (form.durationMinutes + 30) * 60_000
  form.opensAt = start
  form.closesAt = new Date(start.getTime() + Math.max(span, form.durationMinutes * 60_000))
}
