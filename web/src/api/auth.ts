// Password change and the signed-in person (login, refresh and logout live in the auth store).
import { api, get } from './client'
import type { User } from './contracts'

export const authApi = {
  // Two Argon2id hashes: a first-login wave of password changes at 9:00 queues with the logins.
  changePassword: (currentPassword: string, newPassword: string) =>
    api<void>('POST', '/api/auth/password', { currentPassword, newPassword }, { waitOutBusy: true }),
  me: () => get<User>('/api/me'),
}
