// Entry of the threads that run Argon2id (see hash-threads.ts), in plain JavaScript: a worker thread
// does not inherit the tsx loader the server may run under, and this file needs nothing of ours.
// Synchronous calls are right here: the thread does nothing else, and its caller waits on a message.
import { hashSync, verifySync } from '@node-rs/argon2'

/** @param {{ password: string, options: import('@node-rs/argon2').Options }} job */
export function hash({ password, options }) {
  return hashSync(password, options)
}

/** False for a wrong password or a malformed hash. @param {{ passwordHash: string, password: string }} job */
export function verify({ passwordHash, password }) {
  try {
    return verifySync(passwordHash, password)
  } catch {
    return false
  }
}
