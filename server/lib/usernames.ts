// Usernames: one normal form for lookups and limits, and the rules a new account's name must meet.
//
// Rule for new accounts: 2–64 characters from A–Z a–z 0–9 _ . @ - (as the import sheets and the
// seed have always used: dy0001, sj_bgs, admin; Chinese usernames were never accepted and still
// are not). Invisible characters, direction controls and letters from two scripts (Cyrillic 'а'
// inside a Latin name) are refused by name, so the secretary learns why. Names that read as an
// administrator (admin, r00t, Adm1n, a.d.m.i.n, 管理员 …) are reserved; the existing `admin`
// account is not touched by this, only new ones are checked. Names starting with `deleted-` are the
// system's: an approved deletion renames the account to `deleted-<id>`, and a name taken in advance
// must not stand in the way of that.

/** Trimmed and NFKC-normalised: 'ＡＤＭＩＮ ' becomes 'ADMIN'. Every lookup starts from this form. */
export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').trim()
}

/** The key limits are counted on: the normal form, lower-cased, so 'Admin' and 'ＡＤＭＩＮ' share one. */
export function usernameKey(raw: string): string {
  return normalizeUsername(raw).toLowerCase()
}

const ALLOWED = /^[A-Za-z0-9_.@-]{2,64}$/u
// Zero-width characters, word joiner, BOM, Mongolian vowel separator.
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF\u180E]/u
// Direction marks and embeddings/overrides/isolates: they reorder what the reader sees.
const BIDI = /[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/u
// C0/C1 controls, and every other invisible formatting character.
const CONTROL = /[\p{Cc}\p{Cf}]/u

/** Scripts whose letters pass for Latin ones; a name may use letters of only one script. */
const SCRIPTS: [name: string, pattern: RegExp][] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  // Chinese and Japanese writing mixes these scripts legitimately: one group.
  ['CJK', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}]/u],
  ['Hangul', /\p{Script=Hangul}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
]

function scriptsOf(text: string): Set<string> {
  const found = new Set<string>()
  for (const ch of text) {
    if (!/\p{L}/u.test(ch)) continue
    found.add(SCRIPTS.find(([, pattern]) => pattern.test(ch))?.[0] ?? 'Other')
  }
  return found
}

const RESERVED = new Set([
  'admin',
  'administrator',
  'root',
  'system',
  'sysadmin',
  'superuser',
  'superadmin',
  '管理员',
  '系统管理员',
  '超级管理员',
])

// Digits and signs people use to dress up letters: adm1n, r00t, $ysadmin, @dmin.
const LOOKALIKES: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '!': 'i',
  '|': 'l',
  '3': 'e',
  '4': 'a',
  '@': 'a',
  '5': 's',
  $: 's',
  '7': 't',
}

/** Lower-cased, accents and separators dropped, look-alike digits read as letters. */
function skeleton(text: string): string {
  const plain = text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[\s_.\-·]/gu, '')
  return [...plain]
    .map((ch) => LOOKALIKES[ch] ?? ch)
    .join('')
    .replace(/l/g, 'i')
}

const RESERVED_SKELETONS = new Set([...RESERVED].map(skeleton))

/** 'admin', 'Adm1n', 'admín', 'r00t', 'root2' all read as an administrator's name. */
export function isReservedUsername(username: string): boolean {
  const withoutNumber = username.normalize('NFKC').replace(/[\d_.-]+$/u, '')
  return RESERVED_SKELETONS.has(skeleton(username)) || RESERVED_SKELETONS.has(skeleton(withoutNumber))
}

/** The prefix of the names anonymised accounts get; no one else may choose a name starting with it. */
export const ANONYMISED_PREFIX = 'deleted-'

/** Whether a name starts with the anonymised accounts' prefix, in any case ('Deleted-5' too). */
export function isAnonymisedName(username: string): boolean {
  return normalizeUsername(username).toLowerCase().startsWith(ANONYMISED_PREFIX)
}

/** The username rule for a new account; returns a zh-CN problem, or null when the name is fine. */
export function usernameProblem(raw: string): string | null {
  const username = normalizeUsername(raw)
  if (!username) return '用户名不能为空'
  if (ZERO_WIDTH.test(username) || BIDI.test(username) || CONTROL.test(username)) {
    return '用户名不能包含不可见字符、文字方向控制符或控制字符'
  }
  if (scriptsOf(username).size > 1) return '用户名不能混用不同文字的字母（例如拉丁字母中夹杂西里尔字母）'
  if (isReservedUsername(username)) return `用户名“${username}”为系统保留名称，请换一个`
  if (isAnonymisedName(username)) return `用户名不能以“${ANONYMISED_PREFIX}”开头（系统保留给已注销的账号），请换一个`
  if (!ALLOWED.test(username)) return '用户名只能包含英文字母、数字和 _ . @ -，长度 2–64 位'
  return null
}
