// Photos for the Word report: one picture of each of the most recent activities of the report's
// subtree and period that have one (JPEG or PNG; Word shows no WebP), read from disk and sized from
// their own headers so the document keeps their proportions.
import fs from 'node:fs'
import path from 'node:path'
import type { Deps } from '../../lib/deps.js'
import type { Principal } from '../../lib/scope.js'
import { dayjs, ZONE } from '../../lib/time.js'
import type { FileDirs } from './media.js'
import { parsePeriod } from './period.js'
import type { ReportQuery } from './schemas.js'
import { resolveOrg } from './tally.js'

export interface ReportPhoto {
  data: Buffer
  type: 'jpg' | 'png'
  width: number
  height: number
  caption: string
}

/** At most this many pictures go into a report: it is a report, not an album. */
export const REPORT_PHOTOS = 6

/** Width and height of a PNG (IHDR) or a baseline/progressive JPEG (its SOF segment); null when unreadable. */
export function imageSize(buf: Buffer, type: 'jpg' | 'png'): { width: number; height: number } | null {
  if (type === 'png') return buf.length >= 24 ? { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) } : null
  let at = 2
  while (at + 9 < buf.length) {
    if (buf[at] !== 0xff) return null
    const marker = buf[at + 1]
    if (marker === 0xff) {
      at += 1
      continue
    }
    const length = buf.readUInt16BE(at + 2)
    // SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: buf.readUInt16BE(at + 5), width: buf.readUInt16BE(at + 7) }
    }
    at += 2 + length
  }
  return null
}

export async function reportPhotos(deps: Deps, dirs: FileDirs, principal: Principal, query: ReportQuery): Promise<ReportPhoto[]> {
  const org = await resolveOrg(deps.db, principal, query.orgId)
  const period = parsePeriod(query.from, query.to)
  let q = deps.db
    .selectFrom('activity_files as f')
    .innerJoin('activities as a', 'a.id', 'f.activity_id')
    .innerJoin('orgs as o', 'o.id', 'a.org_id')
    .select(['f.activity_id', 'f.stored_name', 'f.content_type', 'a.title', 'a.starts_at', 'o.name as org_name'])
    .where('o.path', 'like', `${org.path}%`)
    .where('f.kind', '=', 'photo')
    .where('f.content_type', 'in', ['image/jpeg', 'image/png'])
  if (period.from) q = q.where('a.starts_at', '>=', period.from)
  if (period.to) q = q.where('a.starts_at', '<', period.to)
  const rows = await q.orderBy('a.starts_at', 'desc').orderBy('f.id').limit(500).execute()

  const photos: ReportPhoto[] = []
  const seen = new Set<number>()
  for (const r of rows) {
    if (photos.length >= REPORT_PHOTOS) break
    if (seen.has(r.activity_id)) continue
    const type = r.content_type === 'image/png' ? 'png' : 'jpg'
    let data: Buffer
    try {
      data = await fs.promises.readFile(path.join(dirs.photos, r.stored_name))
    } catch {
      continue // the file is gone: the report goes without it
    }
    const size = imageSize(data, type)
    if (!size || !size.width || !size.height) continue
    seen.add(r.activity_id)
    photos.push({
      data,
      type,
      ...size,
      caption: `${r.org_name}“${r.title}”（${dayjs(r.starts_at).tz(ZONE).format('YYYY年M月D日')}）`,
    })
  }
  return photos.reverse() // oldest first, as the report reads
}
