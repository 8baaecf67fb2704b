// A contest's standing as a spreadsheet: rank, name, unit, score, right answers; 说明 counts the
// questions asked and names those skipped (an open exam held them when they came up, or by the end
// of their countdown).
import ExcelJS from 'exceljs'
import { addAboutSheet, safeText, shanghaiCellDate } from '../../lib/xlsx-cells.js'
import type { ContestResultDto } from './schemas.js'
import type { ContestRow } from './queries.js'

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export async function contestXlsx(contest: ContestRow, rows: ContestResultDto[]): Promise<Buffer> {
  const skipped = contest.skipped
  const skippedRow: [string, string][] = skipped.length
    ? [
        [
          '跳过的题',
          `第 ${skipped.map((i) => i + 1).join('、')} 题（当时正在进行的考试中有${skipped.length > 1 ? '这几道' : '这道'}题，没有揭晓答案，不计分）`,
        ],
      ]
    : []
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('竞答成绩')
  sheet.columns = [
    { header: '名次', key: 'rank', width: 8 },
    { header: '姓名', key: 'name', width: 14 },
    { header: '单位', key: 'org', width: 30 },
    { header: '得分', key: 'score', width: 10 },
    { header: '答对题数', key: 'correct', width: 10 },
  ]
  sheet.getRow(1).font = { bold: true }
  for (const r of rows) sheet.addRow({ rank: r.rank, name: safeText(r.name), org: safeText(r.orgName), score: r.score, correct: r.correct })
  sheet.views = [{ state: 'frozen', ySplit: 1 }]
  addAboutSheet(wb, '说明', [
    ['竞答', contest.title],
    ['组织', contest.org_name],
    ...(contest.status === 'cancelled' ? [['状态', '已取消（得分为取消时已揭晓题目的得分）'] as [string, string]] : []),
    ['题数', (contest.question_ids as number[]).length - skipped.length],
    ...skippedRow,
    ['每题时长（秒）', contest.seconds_per_question],
    ['参加人数', rows.length],
    ['开始时间', shanghaiCellDate(contest.started_at) ?? '未开始'],
    ['结束时间', shanghaiCellDate(contest.ended_at) ?? '未结束'],
    ['计分', '答对得 500–1000 分，越快越高；答错或未答 0 分'],
  ])
  return Buffer.from(await wb.xlsx.writeBuffer())
}
