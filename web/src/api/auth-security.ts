// 账号安全: the second factor and the session limits the deployment set.
import { get, post } from './client'

export interface AuthSecurity {
  totpEnabled: boolean
  totpRequired: boolean
  idleMinutes: number
  sessionMaxHours: number
}

export const securityApi = {
  state: () => get<AuthSecurity>('/api/auth/security'),
  setupTotp: () => post<{ secret: string; otpauthUrl: string }>('/api/auth/totp/setup'),
  enableTotp: (code: string) => post<void>('/api/auth/totp/enable', { code }),
  disableTotp: (code: string) => post<void>('/api/auth/totp/disable', { code }),
}
