import ExcelJS from 'exceljs'
import { USER_IMPORT_COLUMNS } from './import.js'
import { safeText } from '../../lib/xlsx-cells.js'

/** The download offered in the console: header, two example rows and a sheet of instructions. */
export async function userImportTemplate(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('人员')
  sheet.addRow([...USER_IMPORT_COLUMNS])
  sheet.addRow(['gxt0201', '张明', '省工业和信息化厅/厅机关党委/办公室党支部', '党员', 'Init2026a'])
  sheet.addRow(['13800000000', '李红', '办公室党支部', '书记', 'Init2026b'])
  sheet.getRow(1).font = { bold: true }
  sheet.columns.forEach((c, i) => (c.width = [16, 10, 44, 10, 14][i]))
  const help = wb.addWorksheet('说明')
  for (const line of [
    ['用户名', '工号或手机号，字母数字，唯一；已存在的用户会被更新（姓名、组织、角色），密码不变'],
    ['姓名', '必填'],
    ['组织', '组织全称；重名时填完整路径，用“/”分隔'],
    ['角色', '党员、书记或管理员（书记管理本组织及下级组织）'],
    ['初始密码', '新用户必填，至少 6 位；首次登录须修改'],
  ])
    help.addRow(line)
  help.columns.forEach((c, i) => (c.width = [12, 80][i]))
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** 账号和初始密码, to print or send to each person; they must change it at their first sign-in. */
export async function initialPasswordsXlsx(people: { username: string; name: string; initialPassword: string }[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('初始密码')
  sheet.addRow(['用户名', '姓名', '初始密码'])
  sheet.getRow(1).font = { bold: true }
  for (const p of people) sheet.addRow([safeText(p.username), safeText(p.name), safeText(p.initialPassword)])
  sheet.addRow([])
  sheet.addRow(['首次登录须修改密码。请逐人分发，分发后妥善销毁本表。'])
  sheet.columns.forEach((c, i) => (c.width = [18, 12, 18][i]))
  return Buffer.from(await wb.xlsx.writeBuffer())
}
