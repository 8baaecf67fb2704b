// The participation report as the spreadsheet the department used to compile by hand.
import ExcelJS from 'exceljs'
import type { Figures, Report } from './queries.js'

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** Text cells that a spreadsheet would run as formulas are neutralised with a leading quote. */
const safe = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)

const HEADERS = [
  '单位',
  '党员数',
  '学习人数',
  '学习人次',
  '学习积分合计',
  '人均积分',
  '学习时长（小时）',
  '答题人次',
  '考试场次',
  '参考人次',
  '参考人数',
  '及格人数',
  '及格率',
  '平均分',
]
const WIDTHS = [30, 9, 10, 10, 13, 10, 16, 10, 10, 10, 10, 10, 9, 9]

/** Over those who handed in a paper: someone still answering has not passed or failed yet. */
const passRate = (f: Figures) => (f.finishers ? `${Math.round((f.passers / f.finishers) * 1000) / 10}%` : '')
const line = (name: string, f: Figures) => [
  safe(name),
  f.members,
  f.learners,
  f.learnerDays,
  f.points,
  f.perCapita,
  f.studyHours,
  f.practiceAnswers,
  f.exams,
  f.attempts,
  f.takers,
  f.passers,
  passRate(f),
  f.avgScore ?? '',
]

export async function reportXlsx(report: Report): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('参与情况统计')
  sheet.addRow([safe(`${report.org.name}参与情况统计（${report.from} 至 ${report.to}）`)])
  sheet.mergeCells(1, 1, 1, HEADERS.length)
  sheet.addRow(HEADERS)
  for (const r of report.rows) sheet.addRow(line(r.own ? `${r.name}（本级）` : r.name, r))
  sheet.addRow(line('合计', report.total)).font = { bold: true }
  sheet.getRow(1).font = { bold: true, size: 14 }
  sheet.getRow(2).font = { bold: true }
  sheet.columns.forEach((c, i) => (c.width = WIDTHS[i]))
  sheet.views = [{ state: 'frozen', ySplit: 2 }]

  const exams = wb.addWorksheet('考试明细')
  exams.addRow([safe(`${report.org.name}考试明细（${report.from} 至 ${report.to}）`)])
  exams.mergeCells(1, 1, 1, 7)
  exams.addRow(['考试', '场次日期', '应考人数', '参考人数', '交卷人数', '及格人数', '参考率'])
  for (const e of report.exams) {
    exams.addRow([
      safe(e.title),
      e.date,
      e.invited,
      e.takers,
      e.submitted,
      e.passers,
      e.invited ? `${Math.round((e.takers / e.invited) * 1000) / 10}%` : '',
    ])
  }
  exams.getRow(1).font = { bold: true, size: 14 }
  exams.getRow(2).font = { bold: true }
  exams.columns.forEach((c, i) => (c.width = [36, 12, 10, 10, 10, 10, 10][i]))
  return Buffer.from(await wb.xlsx.writeBuffer())
}
