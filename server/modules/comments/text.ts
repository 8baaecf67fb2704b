// What a comment may say: plain text (any HTML is dropped, never rendered), and no word from the
// admins' sensitive-word list — matched after NFKC normalisation with case folded and every space,
// punctuation mark, symbol and invisible character removed, so "法 轮", "法。轮" and full-width
// "ＡＢＣ" match the listed "法轮" and "abc".
import sanitizeHtml from 'sanitize-html'

export const MAX_COMMENT_LENGTH = 500

const STRIP_ALL: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  // Their text is code or markup, not words a person wrote.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'iframe', 'object'],
}

/**
 * Plain text of what someone typed: tags and their attributes removed (the text between them kept),
 * entities decoded, and any angle bracket left over made full-width so nothing reads as a tag
 * wherever the text ends up (a page, an export, a notification). Control characters other than
 * line breaks go; more than one blank line collapses; the ends are trimmed.
 */
export function plainText(input: string): string {
  return sanitizeHtml(input.replace(/\r\n?/g, '\n'), STRIP_ALL)
    .replace(/&lt;/g, '＜')
    .replace(/&gt;/g, '＞')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[<>]/g, (c) => (c === '<' ? '＜' : '＞'))
    .replace(/[^\P{Cc}\n]/gu, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

/** The form both the list and a comment are compared in. */
export function matchForm(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\p{Z}\p{C}\s]/gu, '')
}

/** The first listed word the text contains (as listed), or null. */
export function findSensitive(text: string, words: readonly string[]): string | null {
  const form = matchForm(text)
  for (const word of words) {
    const w = matchForm(word)
    if (w && form.includes(w)) return word
  }
  return null
}
