// Rich text from the tiptap editor (月工作提示, 简报) is sanitised on the way in, by the same rules
// as study articles: formatting, lists, links and pictures only; links and images are http(s) or
// paths on this site, never data: or javascript: URLs.
import sanitizeHtml from 'sanitize-html'
import { validationError } from '../../lib/errors.js'

export function cleanRichText(html: string, field = 'bodyHtml'): string {
  const clean = sanitizeHtml(html, {
    allowedTags: [
      'p',
      'h2',
      'h3',
      'h4',
      'strong',
      'em',
      'b',
      'i',
      'u',
      's',
      'blockquote',
      'ul',
      'ol',
      'li',
      'br',
      'hr',
      'img',
      'a',
      'span',
      'figure',
      'figcaption',
    ],
    allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'width', 'height'] },
    allowedSchemes: ['https', 'http'],
    allowedSchemesByTag: { img: ['https', 'http'] },
    allowProtocolRelative: false,
  }).trim()
  // Nothing left but markup (an empty editor, or only what was stripped): there is no text to send.
  if (!clean.replace(/<(?!img)[^>]*>/g, '').trim()) throw validationError('正文不能为空', [{ field, message: '正文不能为空' }])
  return clean
}
