// Rich text from the tiptap editor (月工作提示, 简报) is sanitised on the way in by the one rule of
// lib/rich-text.ts (the same as study articles): what the editor makes, pictures only from our own
// uploads, links http(s) or paths on this site. A body with nothing left in it is refused.
import { validationError } from '../../lib/errors.js'
import { isBlankRichText, sanitizeRichText } from '../../lib/rich-text.js'

export function cleanRichText(html: string, field = 'bodyHtml'): string {
  const clean = sanitizeRichText(html)
  // Nothing left but markup (an empty editor, or only what was stripped): there is no text to send.
  if (isBlankRichText(clean)) throw validationError('正文不能为空', [{ field, message: '正文不能为空' }])
  return clean
}
