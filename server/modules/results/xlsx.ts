// The results table as the staff's spreadsheet.
import ExcelJS from 'exceljs'
import { addAboutSheet, DATE_TIME_FORMAT, safeText, shanghaiCellDate } from '../../lib/xlsx-cells.js'
import type { PersonStatus, ResultRow } from './service.js'
import { MIN_RESPONSES, type ItemStats } from './analysis.js'

const STATUS_ZH: Record<PersonStatus, string> = { not_started: '未开始', in_progress: '答题中', submitted: '已交卷' }

/**
 * The results as a table a spreadsheet can sort and sum: the header in row 1, times as real dates
 * (Asia/Shanghai wall clock, `yyyy-mm-dd hh:mm:ss`), scores as numbers and empty cells where there
 * is nothing. The exam's title and the export time are on the second sheet, 考试信息.
 */
export async function resultsXlsx(
  title: string,
  rows: ResultRow[],
  exportedAt: Date = new Date(),
  items: ItemStats[] = [],
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('成绩', { views: [{ state: 'frozen', ySplit: 1 }] })
  // The page's columns, in its words (刷新次数 = reloads of the exam page, not 切屏).
  const headers = [
    '用户名',
    '姓名',
    '组织',
    '状态',
    '得分',
    '是否及格',
    '开始时间',
    '交卷时间',
    '作答次数',
    '切屏次数',
    '设备切换',
    '刷新次数',
  ]
  const widths = [14, 10, 26, 8, 8, 10, 20, 20, 10, 10, 10, 10]
  sheet.columns = headers.map((header, i) => ({ header, width: widths[i] }))
  sheet.getRow(1).font = { bold: true }
  for (const r of rows) {
    sheet.addRow([
      safeText(r.username),
      safeText(r.name),
      safeText(r.orgName),
      STATUS_ZH[r.status],
      r.score ?? null,
      r.passed === null ? null : r.passed ? '及格' : '不及格',
      shanghaiCellDate(r.startedAt),
      shanghaiCellDate(r.submittedAt),
      r.attempts,
      r.blurCount,
      r.deviceSwitches,
      r.reloadCount,
    ])
  }
  sheet.getColumn(7).numFmt = DATE_TIME_FORMAT
  sheet.getColumn(8).numFmt = DATE_TIME_FORMAT
  sheet.getRow(1).getCell(7).numFmt = ''
  sheet.getRow(1).getCell(8).numFmt = ''
  if (items.length) addAnalysisSheet(wb, items)
  addAboutSheet(wb, '考试信息', [
    ['考试', title],
    ['人数', rows.length],
    ['导出时间', shanghaiCellDate(exportedAt)!],
    ['时区', '北京时间（UTC+8）'],
  ])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

const FLAG_ZH: Record<string, string> = { too_easy: '过易', too_hard: '过难', negative_discrimination: '区分度为负' }

/** 题目分析: one row per question, the figures as numbers (a share as 0–1, shown as a percentage). */
function addAnalysisSheet(wb: ExcelJS.Workbook, items: ItemStats[]) {
  const sheet = wb.addWorksheet('题目分析', { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = [
    { header: '题目编号', width: 10 },
    { header: '题干', width: 50 },
    { header: '作答人次', width: 10 },
    { header: '通过率', width: 10 },
    { header: '区分度（点二列）', width: 16 },
    { header: '高低分组差', width: 12 },
    { header: '各选项选择人次', width: 40 },
    { header: '提示', width: 16 },
  ]
  sheet.getRow(1).font = { bold: true }
  for (const i of items) {
    sheet.addRow([
      i.questionId,
      safeText(i.stem),
      i.responses,
      i.facility,
      // As on the page: below five responses the indices say nothing, so they are left out.
      i.fewResponses ? null : i.discrimination,
      i.fewResponses ? null : i.upperLower,
      safeText(i.options.map((o) => `${o.key}${o.correct ? '✓' : ''}: ${o.chosen}`).join('；')),
      i.fewResponses ? `作答不足 ${MIN_RESPONSES} 人` : i.flags.map((f) => FLAG_ZH[f]).join('、') || null,
    ])
  }
  sheet.getColumn(4).numFmt = '0.0%'
  sheet.getRow(1).getCell(4).numFmt = ''
}
