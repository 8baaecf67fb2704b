// The results table as the staff's spreadsheet.
import ExcelJS from 'exceljs'
import { addAboutSheet, DATE_TIME_FORMAT, safeText, shanghaiCellDate } from '../../lib/xlsx-cells.js'
import type { PersonStatus, ResultRow } from './service.js'

const STATUS_ZH: Record<PersonStatus, string> = { not_started: '未开始', in_progress: '答题中', submitted: '已交卷' }

/**
 * The results as a table a spreadsheet can sort and sum: the header in row 1, times as real dates
 * (Asia/Shanghai wall clock, `yyyy-mm-dd hh:mm:ss`), scores as numbers and empty cells where there
 * is nothing. The exam's title and the export time are on the second sheet, 考试信息.
 */
export async function resultsXlsx(title: string, rows: ResultRow[], exportedAt: Date = new Date()): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('成绩', { views: [{ state: 'frozen', ySplit: 1 }] })
  const headers = ['用户名', '姓名', '组织', '状态', '得分', '是否及格', '开始时间', '交卷时间', '作答次数', '切屏次数', '重新加载次数']
  const widths = [14, 10, 26, 8, 8, 10, 20, 20, 10, 10, 12]
  sheet.columns = headers.map((header, i) => ({ header, width: widths[i] }))
  sheet.getRow(1).font = { bold: true }
  for (const r of rows) {
    sheet.addRow([safeText(r.username), safeText(r.name), safeText(r.orgName), STATUS_ZH[r.status], r.score ?? null, r.passed === null ? null : r.passed ? '及格' : '不及格', shanghaiCellDate(r.startedAt), shanghaiCellDate(r.submittedAt), r.attempts, r.blurCount, r.reloadCount])
  }
  sheet.getColumn(7).numFmt = DATE_TIME_FORMAT
  sheet.getColumn(8).numFmt = DATE_TIME_FORMAT
  sheet.getRow(1).getCell(7).numFmt = ''
  sheet.getRow(1).getCell(8).numFmt = ''
  addAboutSheet(wb, '考试信息', [['考试', title], ['人数', rows.length], ['导出时间', shanghaiCellDate(exportedAt)!], ['时区', '北京时间（UTC+8）']])
  return Buffer.from(await wb.xlsx.writeBuffer())
}
