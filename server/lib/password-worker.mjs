// Runs on the password-hashing threads (a piscina pool, see passwords.ts), which the pool starts at
// a lower CPU priority: the hash runs here, synchronously, on that thread — not on libuv's shared
// thread pool, whose threads run at the event loop's own priority.
import { hashSync, verifySync } from '@node-rs/argon2'

/** `hash` returns the encoded hash; `verify` true or false (it throws on a malformed hash). */
export default function passwordWork(task) {
  return task.op === 'hash' ? hashSync(task.password, task.options) : verifySync(task.hash, task.password)
}
