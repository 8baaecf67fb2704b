// Time-based one-time passwords (RFC 6238, what 身份验证器 apps show): the optional second factor,
// required of admins when the policy says so. Codes are checked against the app's clock.
import { generateSecret, generateURI, verify } from 'otplib'

export function newTotpSecret(): string {
  return generateSecret()
}

export function totpUri(secret: string, account: string): string {
  return generateURI({ secret, label: account, issuer: '学测' })
}

/** A code is accepted for its 30-second step and the one either side (phones drift). */
export async function verifyTotp(secret: string, code: string, now: Date): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false
  try {
    return (await verify({ secret, token: code, epoch: Math.floor(now.getTime() / 1000), epochTolerance: 30 })).valid
  } catch {
    return false
  }
}
