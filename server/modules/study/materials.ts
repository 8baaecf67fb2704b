// Study materials (articles and videos) in channels. Article HTML is sanitised on the way in.
import { sql, type Kysely } from 'kysely'
import type { Static } from '@sinclair/typebox'
import type { Database } from '../../db/types.js'
import { audit } from '../../lib/audit.js'
import type { Clock } from '../../lib/clock.js'
import { notFound } from '../../lib/errors.js'
import { sanitizeRichText } from '../../lib/rich-text.js'
import type { Principal } from '../../lib/scope.js'
import { withTransaction, type TransactionDeps } from '../../lib/transaction.js'
import type { MaterialBody } from './schemas.js'
import { CHANNELS } from './channels.js'

type Db = Kysely<Database>

export { CHANNELS }

/** Article HTML as the tiptap editor makes it (lib/rich-text.ts); everything else is dropped. */
export function cleanHtml(html: string): string {
  return sanitizeRichText(html)
}

export function toMaterialDto(
  m: {
    id: number
    channel: string
    kind: string
    title: string
    summary: string | null
    cover_url: string | null
    video_url: string | null
    duration_seconds: number | null
    source: string | null
    status: string
    published_at: Date | string
  },
  body?: string,
) {
  return {
    id: m.id,
    channel: m.channel,
    kind: m.kind,
    title: m.title,
    summary: m.summary,
    coverUrl: m.cover_url,
    videoUrl: m.video_url,
    durationSeconds: m.duration_seconds,
    source: m.source,
    status: m.status,
    publishedAt: new Date(m.published_at).toISOString(),
    ...(body !== undefined && { bodyHtml: body }),
  }
}

const listColumns = [
  'id',
  'channel',
  'kind',
  'title',
  'summary',
  'cover_url',
  'video_url',
  'duration_seconds',
  'source',
  'status',
  'published_at',
] as const

export async function listMaterials(
  db: Db,
  f: { channel?: string; kind?: string; q?: string; page: number; pageSize: number; includeUnpublished: boolean },
) {
  let base = db.selectFrom('materials')
  if (!f.includeUnpublished) base = base.where('status', '=', 'published')
  if (f.channel) base = base.where('channel', '=', f.channel)
  if (f.kind) base = base.where('kind', '=', f.kind as 'article' | 'video')
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`
    base = base.where((eb) => eb.or([eb('title', 'like', like), eb('summary', 'like', like)]))
  }
  const [items, total] = await Promise.all([
    base
      .select([...listColumns])
      .orderBy('published_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ])
  return { items: items.map((m) => toMaterialDto(m)), total: total.n }
}

export function findMaterial(db: Db, id: number) {
  return db.selectFrom('materials').selectAll().where('id', '=', id).executeTakeFirst()
}

export type MaterialInput = Static<typeof MaterialBody>

function materialColumns(b: MaterialInput) {
  return {
    channel: b.channel,
    kind: b.kind,
    title: b.title.trim(),
    summary: b.summary ?? null,
    cover_url: b.coverUrl ?? null,
    body_html: cleanHtml(b.bodyHtml ?? ''),
    video_url: b.videoUrl ?? null,
    duration_seconds: b.durationSeconds ?? null,
    source: b.source ?? null,
  }
}

/** Publishes (or drafts) a material; the row and its audit entry commit together. */
export async function createMaterial(deps: TransactionDeps & { clock: Clock }, principal: Principal, b: MaterialInput) {
  const now = deps.clock.now()
  const row = await withTransaction(deps, async (tx) => {
    const created = await tx
      .insertInto('materials')
      .values({
        ...materialColumns(b),
        status: b.status ?? 'published',
        published_at: now,
        created_by: principal.userId,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await audit(tx, principal.userId, 'material.create', 'material', created.id, { title: created.title })
    return created
  })
  return toMaterialDto(row, row.body_html)
}

export async function updateMaterial(deps: TransactionDeps, principal: Principal, id: number, b: MaterialInput) {
  const row = await withTransaction(deps, async (tx) => {
    const updated = await tx
      .updateTable('materials')
      .set({ ...materialColumns(b), ...(b.status && { status: b.status }) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
    if (!updated) throw notFound('学习资料')
    await audit(tx, principal.userId, 'material.update', 'material', updated.id, { title: updated.title })
    return updated
  })
  return toMaterialDto(row, row.body_html)
}
