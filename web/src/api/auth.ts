// Password change and the signed-in person (login, refresh and logout live in the auth store).
import { get, post } from './client'
import type { User } from './contracts'

export const authApi = {
  changePassword: (currentPassword: string, newPassword: string) => post<void>('/api/auth/password', { currentPassword, newPassword }),
  me: () => get<User>('/api/me'),
}
