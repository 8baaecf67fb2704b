// A 通报 as a workbook: the 通报 itself first (its text and the headline figures), then one sheet
// per part — units ranked per capita, exams, who missed them, tasks, activities, the study-points
// distribution, and the individual list only when the 通报 was made with it. Numbers are numbers,
// shares are 0–1 shown as percentages, names come from the users table at download time.
import ExcelJS from 'exceljs'
import { PERCENT_FORMAT, safeText, shanghaiCellDate, DATE_TIME_FORMAT } from '../../lib/xlsx-cells.js'
import type { CircularFigures, TaskOutcome } from './figures.js'

const OUTCOME_ZH: Record<TaskOutcome, string> = { on_time: '按时办结', late: '逾期办结', not_done: '未办结' }

type Cell = string | number | Date | null

function table(
  wb: ExcelJS.Workbook,
  name: string,
  headers: string[],
  widths: number[],
  rows: Cell[][],
  formats: Record<number, string> = {},
) {
  const sheet = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = headers.map((header, i) => ({ header, width: widths[i] ?? 12 }))
  sheet.getRow(1).font = { bold: true }
  for (const r of rows) {
    const row = sheet.addRow(r.map((v) => (typeof v === 'string' ? safeText(v) : v)))
    for (const [col, fmt] of Object.entries(formats)) row.getCell(Number(col)).numFmt = fmt
  }
  return sheet
}

export async function circularXlsx(
  c: { title: string; body: string; figures: CircularFigures },
  names: Map<number, string>,
): Promise<Buffer> {
  const f = c.figures
  const nameOf = (id: number) => names.get(id) ?? `（已注销用户 ${id}）`
  const wb = new ExcelJS.Workbook()

  const overview = wb.addWorksheet('通报')
  overview.columns = [
    { header: '项目', width: 18 },
    { header: '内容', width: 90 },
  ]
  overview.getRow(1).font = { bold: true }
  const line = (k: string, v: Cell, fmt?: string) => {
    const row = overview.addRow([k, typeof v === 'string' ? safeText(v) : v])
    if (fmt) row.getCell(2).numFmt = fmt
    row.getCell(2).alignment = { wrapText: true, vertical: 'top', horizontal: 'left' }
  }
  line('标题', c.title)
  line('期间', f.period.label)
  line('单位', f.scope.name)
  line('正文', c.body)
  line('党员人数', f.people)
  line('集中测试场次', f.examTotals.exams)
  line('应考人次', f.examTotals.invited)
  line('参考人次', f.examTotals.submitted)
  line('参考率', f.examTotals.rate, PERCENT_FORMAT)
  line('缺考人次', f.examTotals.missed)
  line('及格率', f.examTotals.passRate, PERCENT_FORMAT)
  line('到期任务（单位次）', f.tasks.assigned)
  line('已办结', f.tasks.done)
  line('任务完成率', f.tasks.rate, PERCENT_FORMAT)
  line('未办结', f.tasks.notDone)
  line('活动场次', f.activities.sessions)
  line('活动人次', f.activities.attendance)
  line('人均人次', f.activities.perCapita === null ? null : Math.round(f.activities.perCapita * 100) / 100)
  line('积分线', f.points.threshold)
  line('低于积分线人数', f.points.below)
  line('生成时间', shanghaiCellDate(f.generatedAt), DATE_TIME_FORMAT)
  line('说明', '通报只反映组织开展的工作（集中测试、任务清单、学习活动）；学习积分仅以分段人数呈现，不作考核排名。')

  table(
    wb,
    '单位排名',
    ['排名', '单位', '党员人数', '活动场次', '活动人次', '人均人次', '应考人次', '参考人次', '参考率', '到期任务', '已办结', '任务完成率'],
    [6, 30, 10, 10, 10, 10, 10, 10, 10, 10, 10, 12],
    f.units.map((u) => [
      u.rank,
      u.name,
      u.people,
      u.sessions,
      u.attendance,
      u.perCapita === null ? null : Math.round(u.perCapita * 100) / 100,
      u.invited,
      u.submitted,
      u.examRate,
      u.tasks,
      u.tasksDone,
      u.taskRate,
    ]),
    { 9: PERCENT_FORMAT, 12: PERCENT_FORMAT },
  )

  table(
    wb,
    '集中测试',
    ['考试', '开始时间', '截止时间', '应考', '参考', '参考率', '缺考', '平均分', '满分', '及格人数', '及格率'],
    [30, 20, 20, 8, 8, 10, 8, 10, 8, 10, 10],
    f.exams.map((e) => [
      e.title,
      shanghaiCellDate(e.opensAt),
      shanghaiCellDate(e.closesAt),
      e.invited,
      e.submitted,
      e.rate,
      e.missed,
      e.avgScore,
      e.maxScore,
      e.passed,
      e.passRate,
    ]),
    { 2: DATE_TIME_FORMAT, 3: DATE_TIME_FORMAT, 6: PERCENT_FORMAT, 11: PERCENT_FORMAT },
  )

  table(
    wb,
    '缺考名单',
    ['考试', '姓名', '单位'],
    [30, 12, 30],
    f.exams.flatMap((e) => e.missedPeople.map((p) => [e.title, nameOf(p.userId), p.orgName])),
  )

  table(
    wb,
    '任务完成',
    ['任务', '截止时间', '单位', '完成情况', '办结时间'],
    [30, 20, 30, 10, 20],
    f.tasks.items.map((t) => [t.title, shanghaiCellDate(t.dueAt), t.orgName, OUTCOME_ZH[t.outcome], shanghaiCellDate(t.doneAt)]),
    { 2: DATE_TIME_FORMAT, 5: DATE_TIME_FORMAT },
  )

  table(
    wb,
    '活动开展',
    ['类型', '场次', '人次'],
    [16, 10, 10],
    [...f.activities.byType.map((t) => [t.label, t.sessions, t.attendance]), ['合计', f.activities.sessions, f.activities.attendance]],
  )

  table(
    wb,
    '学习积分分布',
    ['积分段', '人数'],
    [16, 10],
    f.points.bands.map((b) => [b.label, b.count]),
  )

  if (f.lowScorers) {
    const sheet = table(
      wb,
      '积分低于积分线名单',
      ['姓名', '单位', '期间积分'],
      [12, 30, 10],
      f.lowScorers.map((p) => [nameOf(p.userId), p.orgName, p.points]),
    )
    sheet.addRow([])
    sheet.addRow(['本名单仅在合规设置开启“书记可见个人积分名单”时提供，生成时已记入审计日志；仅供组织了解情况，不作考核依据。'])
  }

  return Buffer.from(await wb.xlsx.writeBuffer())
}
