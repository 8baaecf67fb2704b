// Bulk import of people from the department's spreadsheets (columns 用户名, 姓名, 组织, 角色, 初始密码).
// Every row is checked first; nothing is written when any row is bad unless skipInvalid is set.
import type { Deps } from '../../lib/deps.js'
import { withTransaction } from '../../lib/transaction.js'
import type { Org, Role } from '../../db/types.js'
import { generatePassword, hashPassword, passwordProblems } from '../../lib/passwords.js'
import { usernameProblem } from '../../lib/usernames.js'
import { orgInScope, type Principal } from '../../lib/scope.js'
import { audit } from '../../lib/audit.js'
import { listOrgs } from '../orgs/index.js'
import * as q from './queries.js'
import { formulaErrorText } from '../../lib/sheets/errors.js'
import { ANONYMISED_ACCOUNT, isOwnUnitSecretary, OWN_UNIT_SECRETARY, peerProblem } from './rules.js'
import type { ReportProgress } from './progress.js'

export const USER_IMPORT_COLUMNS = ['用户名', '姓名', '组织', '角色', '初始密码'] as const

/** Said of a username taken outside the caller's scope: names neither the account, its holder nor its org. */
export const USERNAME_UNAVAILABLE = '用户名不可用，请换一个'

const ROLE_WORDS: Record<string, Role> = {
  admin: 'admin',
  管理员: 'admin',
  secretary: 'secretary',
  书记: 'secretary',
  支部书记: 'secretary',
  党支部书记: 'secretary',
  member: 'member',
  党员: 'member',
  成员: 'member',
  普通党员: 'member',
  '': 'member',
}

/** One data row of the file, and where it is. */
export interface ImportRow {
  /** The worksheet's tab name, set when the workbook has more than one sheet: messages then name it. */
  sheet?: string
  /** Spreadsheet row number (row 1 is the header). */
  row: number
  cells: Record<string, string>
  /** Error cells (#REF!, …) by column header. */
  cellErrors?: Record<string, string>
}

export interface ImportRowError {
  row: number
  sheet?: string
  message: string
}
export interface UserImportResult {
  created: number
  updated: number
  errors: ImportRowError[]
  dryRun: boolean
  /** What the reader left out and why (sheets that are not people tables, hidden or empty sheets). */
  notes: string[]
  /** Created rows whose 初始密码 was blank say so; a real import also shows the password it generated. */
  preview: {
    row: number
    sheet?: string
    username: string
    name: string
    orgName: string
    role: Role
    action: 'create' | 'update'
    passwordGenerated?: true
    initialPassword?: string
  }[]
}

interface PlannedRow {
  row: number
  sheet?: string
  username: string
  name: string
  org: Org
  role: Role
  password: string
  /** 初始密码 was blank: a random one is set, never a fixed default. */
  passwordGenerated?: boolean
  existingId?: number
}

/** Resolves 组织 cells: a unique org name, or a full path of names joined by "/". */
function orgResolver(orgs: Org[]) {
  const byId = new Map(orgs.map((o) => [o.id, o]))
  const byName = new Map<string, Org[]>()
  const byNamePath = new Map<string, Org>()
  for (const o of orgs) {
    byName.set(o.name, [...(byName.get(o.name) ?? []), o])
    const names = o.path
      .split('/')
      .filter(Boolean)
      .map((id) => byId.get(Number(id))?.name ?? '')
    byNamePath.set(names.join('/'), o)
  }
  return (cell: string): Org | string => {
    const text = cell.trim().replace(/\s*[/／]\s*/g, '/')
    if (!text) return '组织不能为空'
    const exact = byNamePath.get(text)
    if (exact) return exact
    const named = byName.get(text) ?? []
    if (named.length === 1) return named[0]
    if (named.length > 1)
      return `组织名称“${text}”不唯一，请填写完整路径（如“${[...byNamePath.entries()].find(([, o]) => o.id === named[0].id)?.[0]}”）`
    return `组织“${text}”不存在`
  }
}

export async function importUsers(
  deps: Deps,
  principal: Principal,
  rows: ImportRow[],
  opts: { dryRun: boolean; skipInvalid: boolean; notes?: string[]; progress?: ReportProgress },
  forgetSessions: (userIds: number[]) => void,
): Promise<UserImportResult> {
  const progress: ReportProgress = opts.progress ?? (async () => {})
  const errors: ImportRowError[] = []
  const resolveOrg = orgResolver(await listOrgs(deps.db))
  // An error cell reads as '' here; the row is refused for it below, before any other check of that column.
  const cell = (r: ImportRow, k: string) => String(r.cells[k] ?? '').trim()

  const found = await q.findUsersByUsernames(deps.db, [...new Set(rows.map((r) => cell(r, '用户名')).filter(Boolean))])
  // Accounts outside the caller's subtree are invisible to her: their rows are checked as for a new
  // person and refused with one neutral message, so a dry run cannot probe who exists elsewhere.
  const existing = new Map(found.filter((u) => orgInScope(principal, u.org_path)).map((u) => [u.username, u]))
  const unavailable = new Set(found.filter((u) => !orgInScope(principal, u.org_path)).map((u) => u.username))
  /** Where each username was first seen: "第 3 行", or with its sheet when the workbook has several. */
  const seen = new Map<string, { sheet?: string; row: number }>()
  const planned: PlannedRow[] = []
  // Only new people's passwords are set from the sheet; checked up front, a few ms each (seconds for
  // thousands), so in slices with progress between them.
  const toCheck = rows.map((r) => {
    const password = cell(r, '初始密码')
    return password && !existing.has(cell(r, '用户名')) ? { password, username: cell(r, '用户名'), name: cell(r, '姓名') } : null
  })
  const passwordIssues: (string | null)[] = []
  await progress('checking', 0, rows.length)
  for (let i = 0; i < toCheck.length; i += CHECK_SLICE) {
    passwordIssues.push(...(await passwordProblems(toCheck.slice(i, i + CHECK_SLICE))))
    await progress('checking', passwordIssues.length, rows.length)
  }

  rows.forEach((r, index) => {
    const { row, sheet } = r
    // Blank lines in a sheet are not rows; a line whose only content is an error cell is one.
    if (Object.values(r.cells).every((v) => !String(v ?? '').trim()) && !Object.keys(r.cellErrors ?? {}).length) return
    const problems: string[] = []
    // "#REF!" is not an empty 姓名: say what the cell holds, and check nothing else of that column.
    const formulaError = (k: string) => r.cellErrors?.[k]
    for (const k of USER_IMPORT_COLUMNS) {
      if (formulaError(k)) problems.push(`${k}：${formulaErrorText(formulaError(k)!)}`)
    }
    const username = cell(r, '用户名')
    const name = cell(r, '姓名')
    const roleWord = cell(r, '角色')
    const password = cell(r, '初始密码')
    const role = ROLE_WORDS[roleWord.toLowerCase()] ?? ROLE_WORDS[roleWord]
    if (!formulaError('用户名')) {
      if (!username) problems.push('用户名不能为空')
      else if (!existing.has(username) && usernameProblem(username)) problems.push(usernameProblem(username)!)
      else if (unavailable.has(username)) problems.push(USERNAME_UNAVAILABLE)
      else if (seen.has(username)) problems.push(`用户名“${username}”与${where(seen.get(username)!, sheet)}重复`)
    }
    if (!formulaError('姓名')) {
      if (!name) problems.push('姓名不能为空')
      else if (name.length > 40) problems.push('姓名过长')
    }
    if (!role && !formulaError('角色')) problems.push(`角色“${roleWord}”无法识别（可填：党员、书记、管理员）`)
    const org = formulaError('组织') ? '' : resolveOrg(cell(r, '组织'))
    if (typeof org === 'string' && org) problems.push(org)
    const prior = existing.get(username)
    if (passwordIssues[index]) problems.push(`初始密码不可用：${passwordIssues[index]}`)
    // A row that leaves an existing person's role and unit as they are (a department's list names its
    // secretary, and often the importer herself) changes no one's standing.
    const changesStanding = !prior || (role !== undefined && role !== prior.role) || (typeof org !== 'string' && org.id !== prior.org_id)
    if (typeof org !== 'string' && role) {
      if (!orgInScope(principal, org.path)) problems.push(`无权向组织“${org.name}”导入人员`)
      if (role === 'admin' && principal.role !== 'admin') problems.push('只有管理员可以导入管理员')
      if (changesStanding && isOwnUnitSecretary(principal, role, org.path)) problems.push(OWN_UNIT_SECRETARY)
      if (!org.active) problems.push(`组织“${org.name}”已停用`)
    }
    // An admin's or auditor's account is an admin's alone, even a row that would change nothing on it.
    if (prior?.anonymised_at) problems.push(`用户“${username}”：${ANONYMISED_ACCOUNT}`)
    else if (prior?.role === 'admin' && principal.role !== 'admin') problems.push(`用户“${username}”是管理员，无权修改`)
    else if (prior?.role === 'auditor' && principal.role !== 'admin') problems.push(`用户“${username}”是审计员，无权修改`)
    else if (prior?.id === principal.userId) {
      // Staff powers are never used on one's own account; her own name she may correct.
      if (changesStanding) problems.push('不能通过导入修改本人的角色或组织')
    } else if (prior) {
      // A peer secretary is the level above's, name included (as on the form).
      const peer = peerProblem(principal, prior)
      if (peer && (changesStanding || name !== prior.name)) problems.push(`用户“${username}”：${peer}`)
    }
    if (username) seen.set(username, { sheet, row })

    // In a workbook of several sheets a row number alone is ambiguous: the message names sheet and row.
    if (problems.length) errors.push({ row, ...(sheet !== undefined && { sheet }), message: rowLabel(r) + problems.join('；') })
    else
      planned.push({
        row,
        sheet,
        username,
        name,
        org: org as Org,
        role: role!,
        password: prior || password ? password : generatePassword(),
        passwordGenerated: !prior && !password,
        existingId: prior?.id,
      })
  })

  const willWrite = !opts.dryRun && (!errors.length || opts.skipInvalid)
  const result: UserImportResult = {
    created: planned.filter((p) => !p.existingId).length,
    updated: planned.filter((p) => p.existingId).length,
    errors,
    dryRun: opts.dryRun,
    notes: opts.notes ?? [],
    // A generated password is shown once, in the import that sets it: every such row is listed then.
    preview: planned
      .filter((p, i) => i < 200 || (willWrite && p.passwordGenerated))
      .map((p) => ({
        row: p.row,
        ...(p.sheet !== undefined && { sheet: p.sheet }),
        username: p.username,
        name: p.name,
        orgName: p.org.name,
        role: p.role,
        action: p.existingId ? 'update' : 'create',
        ...(p.passwordGenerated && { passwordGenerated: true as const, ...(willWrite && { initialPassword: p.password }) }),
      })),
  }
  if (opts.dryRun || (errors.length && !opts.skipInvalid) || !planned.length) return result

  const fresh = planned.filter((p) => !p.existingId)
  await progress('hashing', 0, fresh.length)
  const hashes = await hashAll(
    fresh.map((p) => p.password),
    (done) => progress('hashing', done, fresh.length),
  )
  await progress('writing', 0, planned.length)
  const now = deps.clock.now()
  await withTransaction(deps, async (tx) => {
    for (let i = 0; i < fresh.length; i += 500) {
      await tx
        .insertInto('users')
        .values(
          fresh.slice(i, i + 500).map((p, j) => ({
            username: p.username,
            name: p.name,
            role: p.role,
            org_id: p.org.id,
            password_hash: hashes[i + j],
            must_change_password: true,
            password_changed_at: now,
          })),
        )
        .execute()
    }
    // Existing people keep their password; the sheet updates who they are and where they belong.
    for (const p of planned.filter((p) => p.existingId)) {
      await q.updateUser(tx, p.existingId!, { name: p.name, role: p.role, org_id: p.org.id, updated_at: now })
    }
    await audit(tx, principal.userId, 'user.import', 'user', null, {
      created: result.created,
      updated: result.updated,
      skipped: errors.length,
    })
    // Done commits with the people, or neither does: a progress row left short of done by a process
    // that died wrote nobody, which is what a poll then says (progress.ts, IMPORT_INTERRUPTED).
    await progress('done', rows.length, rows.length, tx)
  })
  forgetSessions(planned.flatMap((r) => (r.existingId ? [r.existingId] : [])))
  return result
}

/** "工作表「学院」第 5 行 " before a row's problems when the workbook has several sheets; nothing otherwise (the row is its own field). */
function rowLabel(r: ImportRow): string {
  return r.sheet === undefined ? '' : `工作表「${r.sheet}」第 ${r.row} 行 `
}

/** Where an earlier row is, seen from a row on `sheet`: the sheet is named only when it is another one. */
function where(at: { sheet?: string; row: number }, sheet: string | undefined): string {
  return at.sheet === undefined || at.sheet === sheet ? `第 ${at.row} 行` : `工作表「${at.sheet}」第 ${at.row} 行`
}

/** Rows whose 初始密码 is checked between two progress reports. */
const CHECK_SLICE = 200

/** Argon2 runs on libuv's thread pool: hash in small parallel batches, saying how many are done after each. */
async function hashAll(passwords: string[], onBatch: (done: number) => Promise<void>): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < passwords.length; i += 8) {
    out.push(...(await Promise.all(passwords.slice(i, i + 8).map(hashPassword))))
    await onBatch(out.length)
  }
  return out
}
