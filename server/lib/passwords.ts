// Password hashing with Argon2id (OWASP's first choice) via a maintained native binding.
import { hash, verify } from '@node-rs/argon2'

// OWASP's minimum for argon2id: 19 MiB, 2 iterations. Keeps a login near 20 ms on one core.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 }

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS)
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

/** A well-formed hash that matches nothing: verifying against it costs what a real check costs. */
let decoy: Promise<string> | undefined
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy-password-that-no-one-has')
  return decoy
}

/** The password policy; returns a zh-CN reason or null. */
export function passwordProblem(password: string, username?: string): string | null {
  if (password.length < 8) return '密码至少 8 位'
  if (password.length > 128) return '密码不能超过 128 位'
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) return '密码须同时包含字母和数字'
  if (username && password.toLowerCase() === username.toLowerCase()) return '密码不能与用户名相同'
  return null
}
