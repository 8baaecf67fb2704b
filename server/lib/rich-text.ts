// Rich text written in the tiptap editor (web/src/components/RichTextEditor.vue): study materials,
// 月工作提示 and 简报. The server keeps exactly what that editor makes and drops everything else:
// paragraphs, two heading levels, bold / italic / underline / strike, lists, quotes, rules, line
// breaks, links (http(s), mailto or a path on this site; they open in a new tab without an
// opener) and pictures that this site stored (`/media/<random>.jpg|png|webp`). No scripts, event
// handlers, styles, frames, data: or javascript: URLs, and no pictures from elsewhere (they would
// tell another server who reads what).
import sanitizeHtml from 'sanitize-html'
import { OWN_IMAGE_URL } from './upload.js'

/** http(s), mailto, or a path on this site (`/x`, never `//host` or `/\\host`, which browsers read as another host). */
const LINK = /^(https?:\/\/[^\s]+|mailto:[^\s]+|\/(?![/\\])[^\s]*)$/i

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'h2', 'h3', 'strong', 'em', 'u', 's', 'blockquote', 'ul', 'ol', 'li', 'br', 'hr', 'a', 'img'],
  allowedAttributes: {
    a: ['href', 'target', 'rel'],
    img: ['src', 'alt'],
    ol: ['start'],
  },
  allowedSchemes: ['https', 'http', 'mailto'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  // What other editors (or a paste) call the same things, as the editor itself would save them.
  transformTags: {
    b: 'strong',
    i: 'em',
    strike: 's',
    del: 's',
    h1: 'h2',
    h4: 'h3',
    h5: 'h3',
    h6: 'h3',
    // A link to anything but http(s), mail or a path here loses its <a> and keeps its words.
    a: (tagName, attribs): sanitizeHtml.Tag =>
      LINK.test(attribs.href ?? '')
        ? { tagName, attribs: { href: attribs.href, target: '_blank', rel: 'noopener noreferrer nofollow' } }
        : { tagName: 'span', attribs: {} },
  },
  // A picture is kept only when it is one of ours.
  exclusiveFilter: (frame) => frame.tag === 'img' && !OWN_IMAGE_URL.test(frame.attribs.src ?? ''),
}

export function sanitizeRichText(html: string): string {
  const clean = sanitizeHtml(html, OPTIONS).trim()
  return (
    clean
      // An <ol start> that is not a small number is dropped (sanitize-html checks names, not values).
      .replace(/<ol start="([^"]*)"/g, (whole, start: string) => (/^\d{1,6}$/.test(start) ? whole : '<ol'))
      // The editor keeps an empty paragraph after a closing list or picture, to type on; it is not content.
      .replace(/(<p>\s*<\/p>)+$/, '')
  )
}

/** True when the HTML carries no text and no picture (an empty editor is `<p></p>`). */
export function isBlankRichText(clean: string): boolean {
  return !/<img\s/.test(clean) && !clean.replace(/<[^>]*>/g, '').trim()
}
