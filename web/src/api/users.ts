// People: list, create, edit, import.
import { download, get, patch, post, upload } from './client'
import type { CreateUserInput, ListUsersFilter, UpdateUserInput, User, UserImportProgress, UserImportResult } from './contracts'
import { toQuery, type Page } from './types'

export const usersApi = {
  list: (filter: ListUsersFilter) => get<Page<User>>(`/api/users${toQuery(filter)}`),
  create: (body: CreateUserInput) => post<User>('/api/users', body),
  update: (id: number, body: UpdateUserInput) => patch<User>(`/api/users/${id}`, body),
  /** `progressId` (random, see ImportDialog) lets importProgress follow the import while it runs. */
  importFile: (file: File, opts: { dryRun: boolean; skipInvalid?: boolean; progressId?: string }, onProgress?: (percent: number) => void) =>
    upload<UserImportResult>(
      `/api/users/import${toQuery({ dryRun: opts.dryRun, skipInvalid: opts.skipInvalid ?? false, progressId: opts.progressId })}`,
      file,
      onProgress,
      { waitOutBusy: true },
    ),
  /** The caller's own running import, by the id she sent it with (404 until the server has the file). */
  importProgress: (progressId: string) => get<UserImportProgress>(`/api/users/import/progress/${encodeURIComponent(progressId)}`),
  template: (filename: string) => download('/api/users/import/template', filename),
  /** The passwords an import generated, as a sheet to hand out (the server keeps none of them). */
  passwordsXlsx: (people: { username: string; name: string; initialPassword: string }[], filename: string) =>
    download('/api/users/import/passwords.xlsx', filename, { people }),
}
