// Time-based one-time passwords (RFC 6238, what 身份验证器 apps show): the optional second factor,
// required of admins when the policy says so. Codes are checked against the app's clock.
import { generateSecret, generateURI, verify } from 'otplib'

export function newTotpSecret(): string {
  return generateSecret()
}

export function totpUri(secret: string, account: string): string {
  return generateURI({ secret, label: account, issuer: '学测' })
}

/**
 * The 30-second time step a code was made for, or null when it matches none: a code is accepted for
 * its step and the one either side (phones drift). The caller refuses a step already used (replay).
 */
export async function totpStep(secret: string, code: string, now: Date): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null
  try {
    const result = await verify({ secret, token: code, epoch: Math.floor(now.getTime() / 1000), epochTolerance: 30 })
    return result.valid && 'timeStep' in result ? result.timeStep : null
  } catch {
    return null
  }
}
