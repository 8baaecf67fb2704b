// The personal-data export as a workbook: one sheet per kind of record, dates as dates.
import ExcelJS from 'exceljs'
import { DATE_TIME_FORMAT, safeText, shanghaiCellDate } from '../../lib/xlsx-cells.js'
import type { OwnData } from './queries.js'

type Cell = string | number | boolean | null

const SHEETS: { name: string; pick: (d: OwnData) => Record<string, Cell>[]; columns: [key: string, header: string][] }[] = [
  {
    name: '个人信息',
    pick: (d) => [d.profile],
    columns: [
      ['username', '用户名'],
      ['name', '姓名'],
      ['role', '角色'],
      ['orgName', '组织'],
      ['createdAt', '创建时间'],
      ['showOnLeaderboards', '排行榜显示姓名'],
      ['privacyNoticeAnsweredAt', '隐私告知确认时间'],
    ],
  },
  {
    name: '积分明细',
    pick: (d) => d.pointsLedger,
    columns: [
      ['day', '日期'],
      ['name', '项目'],
      ['points', '积分'],
      ['at', '时间'],
      ['reason', '说明'],
    ],
  },
  {
    name: '考试记录',
    pick: (d) => d.attempts,
    columns: [
      ['exam', '考试'],
      ['attemptNo', '第几次'],
      ['status', '状态'],
      ['startedAt', '开始'],
      ['submittedAt', '交卷'],
      ['score', '得分'],
      ['maxScore', '满分'],
      ['passed', '及格'],
    ],
  },
  {
    name: '学习时长',
    pick: (d) => d.studyTime,
    columns: [
      ['day', '日期'],
      ['material', '学习材料'],
      ['seconds', '秒数'],
    ],
  },
  {
    name: '活动参与',
    pick: (d) => d.activities,
    columns: [
      ['title', '活动'],
      ['type', '类型'],
      ['startsAt', '开始'],
      ['checkedInAt', '签到'],
    ],
  },
  {
    name: '投诉建议',
    pick: (d) => d.feedback,
    columns: [
      ['category', '类别'],
      ['content', '内容'],
      ['anonymous', '匿名'],
      ['status', '状态'],
      ['reply', '答复'],
      ['createdAt', '提交时间'],
      ['repliedAt', '答复时间'],
    ],
  },
  {
    name: '发表观点',
    pick: (d) => d.comments,
    columns: [
      ['on', '位置'],
      ['targetId', '编号'],
      ['content', '内容'],
      ['status', '状态'],
      ['reason', '未通过原因'],
      ['createdAt', '发表时间'],
    ],
  },
  {
    name: '登录记录',
    pick: (d) => d.logins,
    columns: [
      ['at', '登录时间'],
      ['lastSeenAt', '最后活动'],
      ['endedAt', '结束'],
      ['ip', '地址'],
      ['userAgent', '设备'],
    ],
  },
]

const TIME_KEYS = new Set([
  'createdAt',
  'privacyNoticeAnsweredAt',
  'at',
  'startedAt',
  'submittedAt',
  'startsAt',
  'checkedInAt',
  'repliedAt',
  'lastSeenAt',
  'endedAt',
])

export async function ownDataXlsx(data: OwnData): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  for (const s of SHEETS) {
    const sheet = wb.addWorksheet(s.name)
    sheet.columns = s.columns.map(([key, header]) => ({ key, header, width: key === 'userAgent' || key === 'content' ? 40 : 18 }))
    sheet.getRow(1).font = { bold: true }
    for (const record of s.pick(data)) {
      const row = sheet.addRow(
        Object.fromEntries(
          s.columns.map(([key]) => {
            const v = record[key] ?? null
            if (TIME_KEYS.has(key) && typeof v === 'string') return [key, shanghaiCellDate(v)]
            return [key, typeof v === 'string' ? safeText(v) : typeof v === 'boolean' ? (v ? '是' : '否') : v]
          }),
        ),
      )
      s.columns.forEach(([key], i) => {
        if (TIME_KEYS.has(key)) row.getCell(i + 1).numFmt = DATE_TIME_FORMAT
      })
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}
