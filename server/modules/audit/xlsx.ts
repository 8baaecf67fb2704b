import ExcelJS from 'exceljs'
import { DATE_TIME_FORMAT, safeText, shanghaiCellDate } from '../../lib/xlsx-cells.js'
import { actionLabel } from './labels.js'
import type { AuditEntry } from './schemas.js'

export async function auditXlsx(items: AuditEntry[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('审计日志')
  sheet.columns = [
    { header: '编号', key: 'id', width: 10 },
    { header: '时间', key: 'at', width: 20 },
    { header: '操作人', key: 'actor', width: 18 },
    { header: '操作', key: 'action', width: 22 },
    { header: '对象', key: 'target', width: 20 },
    { header: '原因', key: 'reason', width: 24 },
    { header: '详情', key: 'details', width: 60 },
  ]
  sheet.getRow(1).font = { bold: true }
  for (const e of items) {
    const row = sheet.addRow({
      id: e.id,
      at: shanghaiCellDate(e.at),
      actor: safeText(e.actorName ? `${e.actorName}（${e.actorUsername}）` : '—'),
      action: safeText(`${actionLabel(e.action)} ${e.action}`),
      target: safeText(e.targetText),
      reason: safeText(e.reason ?? ''),
      details: safeText(e.detailsText),
    })
    row.getCell(2).numFmt = DATE_TIME_FORMAT
  }
  sheet.views = [{ state: 'frozen', ySplit: 1 }]
  return Buffer.from(await wb.xlsx.writeBuffer())
}
