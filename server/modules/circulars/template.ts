// The wording of a 通报: a title and a body with placeholders such as {单位} {期间} {考试参与率},
// which admins edit. Unknown placeholders are refused by name, so a typo never reaches a secretary
// as a literal "{考试参预率}". Stored as one JSON value in kv; the code's default until changed.
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { validationError } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import type { CircularFigures } from './figures.js'
import type { PeriodKind } from './periods.js'
import { readTemplateRow, writeTemplateRow, type Db } from './queries.js'
import type { TemplateBody, TemplateInput } from './schemas.js'

/** Every placeholder, with what it stands for (shown beside the editor). */
export const PLACEHOLDERS: Record<string, string> = {
  单位: '收件人所在组织（管理员为全厅）',
  期间: '通报期间，如“2026年11月30日至12月6日”或“2026年11月”',
  周期: '“周”或“月”',
  党员人数: '本组织范围内的党员人数（含书记）',
  考试场次: '期间内截止的集中测试场次（本组织有人应考的）',
  应考人次: '各场集中测试应考人数之和',
  参考人次: '各场集中测试交卷人数之和',
  考试参与率: '参考人次 ÷ 应考人次',
  缺考人次: '应考而未交卷的人次',
  及格率: '及格人次 ÷ 参考人次',
  任务数: '期间内到期的任务清单事项（按单位计）',
  任务完成数: '其中已办结的（含逾期办结）',
  任务完成率: '任务完成数 ÷ 任务数',
  未完成任务数: '到期仍未办结的',
  活动场次: '期间内开展的学习活动场次（宣讲、主题党日、研讨、辅导、展播、竞赛等）',
  活动人次: '这些活动的参加人次（含无账号的列席人员）',
  人均人次: '活动人次 ÷ 党员人数',
  排名首位: '人均参加活动人次最高的下级单位（只有一个单位或无人参加时为“—”）',
  积分线: '学习积分分段线（本次通报的 threshold）',
  积分分布: '期间学习积分的分段人数，如“0分 3人，1–9分 5人……”',
  低于积分线人数: '期间学习积分低于积分线的人数（只是人数）',
  生成日期: '通报生成的日期',
}

export const DEFAULT_THRESHOLDS: Record<PeriodKind, number> = { week: 10, month: 40 }

export const DEFAULT_TEMPLATE = {
  title: '{单位}{期间}组织工作通报',
  body:
    '{期间}，{单位}（党员{党员人数}人）组织集中测试{考试场次}场，应考{应考人次}人次，参考{参考人次}人次，参考率{考试参与率}，' +
    '缺考{缺考人次}人次，及格率{及格率}；到期任务{任务数}项，已办结{任务完成数}项，完成率{任务完成率}；' +
    '开展学习活动{活动场次}场次、{活动人次}人次，人均{人均人次}人次，人均人次居首的是{排名首位}。' +
    '学习积分分布：{积分分布}。各单位明细见附件。',
  weekThreshold: DEFAULT_THRESHOLDS.week,
  monthThreshold: DEFAULT_THRESHOLDS.month,
}

export type Template = typeof DEFAULT_TEMPLATE

const TOKEN = /\{([^{}]*)\}/g

/** Placeholders a text uses that do not exist. */
export function unknownPlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(TOKEN)].map((m) => m[1]).filter((name) => !(name in PLACEHOLDERS)))]
}

export async function readTemplate(db: Db): Promise<Template & { custom: boolean }> {
  const stored = await readTemplateRow(db)
  if (!stored) return { ...DEFAULT_TEMPLATE, custom: false }
  return { ...DEFAULT_TEMPLATE, ...stored, custom: true }
}

export function templateBody(t: Template & { custom: boolean }): TemplateBody {
  return {
    title: t.title,
    body: t.body,
    weekThreshold: t.weekThreshold,
    monthThreshold: t.monthThreshold,
    custom: t.custom,
    placeholders: Object.entries(PLACEHOLDERS).map(([name, description]) => ({ name: `{${name}}`, description })),
  }
}

export async function saveTemplate(deps: Deps, principal: Principal, input: TemplateInput): Promise<TemplateBody> {
  const details: { field: string; message: string }[] = []
  for (const field of ['title', 'body'] as const) {
    const unknown = unknownPlaceholders(input[field])
    if (unknown.length) details.push({ field, message: `未知占位符：${unknown.map((n) => `{${n}}`).join('、')}` })
  }
  if (details.length) throw validationError(`模板中有未知占位符：${details.map((d) => d.message.slice(6)).join('、')}`, details)
  const current = await readTemplate(deps.db)
  const next: Template = {
    title: input.title.trim(),
    body: input.body.trim(),
    weekThreshold: input.weekThreshold ?? current.weekThreshold,
    monthThreshold: input.monthThreshold ?? current.monthThreshold,
  }
  await withTransaction(deps, async (tx) => {
    await writeTemplateRow(tx, next, deps.clock.now())
    await audit(tx, principal.userId, 'circular.template', 'circular_template', null, {
      from: { title: current.title, body: current.body, weekThreshold: current.weekThreshold, monthThreshold: current.monthThreshold },
      to: next,
    })
  })
  return templateBody({ ...next, custom: true })
}

const percent = (rate: number | null) => (rate === null ? '—' : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`)
const decimal = (n: number | null) => (n === null ? '—' : String(Math.round(n * 100) / 100))

/** The placeholder values of one 通报. */
export function placeholderValues(f: CircularFigures): Record<string, string> {
  // A ranking needs something to rank: two units or more, and someone who took part.
  const top = f.units.length > 1 ? f.units.find((u) => u.rank === 1 && (u.perCapita ?? 0) > 0) : undefined
  return {
    单位: f.scope.name,
    期间: f.period.label,
    周期: f.period.kind === 'week' ? '周' : '月',
    党员人数: String(f.people),
    考试场次: String(f.examTotals.exams),
    应考人次: String(f.examTotals.invited),
    参考人次: String(f.examTotals.submitted),
    考试参与率: percent(f.examTotals.rate),
    缺考人次: String(f.examTotals.missed),
    及格率: percent(f.examTotals.passRate),
    任务数: String(f.tasks.assigned),
    任务完成数: String(f.tasks.done),
    任务完成率: percent(f.tasks.rate),
    未完成任务数: String(f.tasks.notDone),
    活动场次: String(f.activities.sessions),
    活动人次: String(f.activities.attendance),
    人均人次: decimal(f.activities.perCapita),
    排名首位: top ? top.name : '—',
    积分线: String(f.points.threshold),
    积分分布: f.points.bands.map((b) => `${b.label} ${b.count}人`).join('，'),
    低于积分线人数: String(f.points.below),
    生成日期: f.generatedOn,
  }
}

export function render(text: string, values: Record<string, string>): string {
  return text.replace(TOKEN, (whole, name: string) => values[name] ?? whole)
}

export { percent, decimal }
