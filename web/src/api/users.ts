// People: list, create, edit, import.
import { download, get, patch, post, upload } from './client'
import type { CreateUserInput, ListUsersFilter, UpdateUserInput, User, UserImportResult } from './contracts'
import { toQuery, type Page } from './types'

export const usersApi = {
  list: (filter: ListUsersFilter) => get<Page<User>>(`/api/users${toQuery(filter)}`),
  create: (body: CreateUserInput) => post<User>('/api/users', body),
  update: (id: number, body: UpdateUserInput) => patch<User>(`/api/users/${id}`, body),
  importFile: (file: File, opts: { dryRun: boolean; skipInvalid?: boolean }, onProgress?: (percent: number) => void) =>
    upload<UserImportResult>(
      `/api/users/import${toQuery({ dryRun: opts.dryRun, skipInvalid: opts.skipInvalid ?? false })}`,
      file,
      onProgress,
      { waitOutBusy: true },
    ),
  template: (filename: string) => download('/api/users/import/template', filename),
  /** The passwords an import generated, as a sheet to hand out (the server keeps none of them). */
  passwordsXlsx: (people: { username: string; name: string; initialPassword: string }[], filename: string) =>
    download('/api/users/import/passwords.xlsx', filename, { people }),
}
