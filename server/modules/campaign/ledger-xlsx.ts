// The 台账 as units file it: one row per activity, and a summary sheet per unit and type (the
// units being the org itself and each direct child with its subtree), with 知识测试 and 自学 from
// their own data. The summary's figures are the tally's.
import ExcelJS from 'exceljs'
import type { Deps } from '../../lib/deps.js'
import type { Principal } from '../../lib/scope.js'
import { DATE_TIME_FORMAT, safeText, shanghaiCellDate } from '../../lib/xlsx-cells.js'
import { TYPE_LABELS } from './labels.js'
import { parsePeriod } from './period.js'
import { ledgerRows } from './queries.js'
import { TALLY_TYPES, type TallyQuery } from './schemas.js'
import { computeTally, resolveOrg, type TypeFigures } from './tally.js'

const ACTIVITY_HEADERS = [
  '序号',
  '单位',
  '类型',
  '活动名称',
  '开始时间',
  '结束时间',
  '地点',
  '主讲人',
  '参加党员（人）',
  '其他人员（人）',
  '参加人次',
  '扫码签到（人）',
  '迟到（人）',
  '照片（张）',
  '附件（个）',
  '内容摘要',
]
const ACTIVITY_WIDTHS = [6, 26, 11, 36, 18, 18, 16, 12, 12, 12, 10, 12, 9, 10, 10, 40]

export async function ledgerXlsx(deps: Deps, principal: Principal, query: TallyQuery) {
  const org = await resolveOrg(deps.db, principal, query.orgId)
  const period = parsePeriod(query.from, query.to)
  const rows = await ledgerRows(deps.db, { pathPrefix: org.path, ...period })
  const figures = await computeTally(deps.db, org, period, { from: query.from, to: query.to })
  const range = `${query.from ?? '开始'} 至 ${query.to ?? '目前'}`

  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('活动台账')
  sheet.addRow([safeText(`${org.name}学习教育活动台账（${range}）`)])
  sheet.mergeCells(1, 1, 1, ACTIVITY_HEADERS.length)
  sheet.addRow(ACTIVITY_HEADERS)
  rows.forEach((a, i) => {
    const row = sheet.addRow([
      i + 1,
      safeText(a.org_name),
      TYPE_LABELS[a.type],
      safeText(a.title),
      shanghaiCellDate(a.starts_at),
      shanghaiCellDate(a.ends_at),
      safeText(a.place ?? ''),
      safeText(a.speaker ?? ''),
      a.participants,
      a.guests,
      a.participants + a.guests,
      a.checked_in,
      a.late,
      a.photos,
      a.attachments,
      safeText(a.summary ?? ''),
    ])
    row.getCell(5).numFmt = DATE_TIME_FORMAT
    row.getCell(6).numFmt = DATE_TIME_FORMAT
  })
  const total = sheet.addRow([
    '',
    '合计',
    '',
    `${rows.length} 场次`,
    null,
    null,
    '',
    '',
    rows.reduce((s, a) => s + a.participants, 0),
    rows.reduce((s, a) => s + a.guests, 0),
    rows.reduce((s, a) => s + a.participants + a.guests, 0),
    null,
    null,
    rows.reduce((s, a) => s + a.photos, 0),
    rows.reduce((s, a) => s + a.attachments, 0),
  ])
  total.font = { bold: true }
  sheet.getRow(1).font = { bold: true, size: 14 }
  sheet.getRow(2).font = { bold: true }
  sheet.columns.forEach((c, i) => (c.width = ACTIVITY_WIDTHS[i]))
  sheet.views = [{ state: 'frozen', ySplit: 2 }]

  const summary = wb.addWorksheet('分类汇总')
  summary.addRow([safeText(`${org.name}学习教育分类汇总（${range}）`)])
  summary.mergeCells(1, 1, 1, 3 + TALLY_TYPES.length * 2)
  summary.addRow(['单位', '合计场次', '合计人次', ...TALLY_TYPES.flatMap((t) => [`${TYPE_LABELS[t]}场次`, `${TYPE_LABELS[t]}人次`])])
  const line = (name: string, f: { sessions: number; attendance: number; byType: TypeFigures[] }) => [
    safeText(name),
    f.sessions,
    f.attendance,
    ...TALLY_TYPES.flatMap((t) => {
      const x = f.byType.find((b) => b.type === t)!
      return [x.sessions, x.attendance]
    }),
  ]
  for (const child of figures.byOrg) summary.addRow(line(child.name, child))
  summary.addRow(line(`${org.name}（合计，含本级）`, figures)).font = { bold: true }
  summary.getRow(1).font = { bold: true, size: 14 }
  summary.getRow(2).font = { bold: true }
  summary.columns.forEach((c, i) => (c.width = i === 0 ? 30 : 11))
  summary.views = [{ state: 'frozen', ySplit: 2, xSplit: 1 }]
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), orgName: org.name }
}
