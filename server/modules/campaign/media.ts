// Photos and attachments of activities, and pictures for 简报 and 月工作提示. Uploads go through the
// one streaming reader (lib/upload.ts: signature checked, size capped while the bytes arrive, a
// random name on disk). Photos and pictures are served at /media like material covers (public,
// unguessable names); attachments (pdf, docx, xlsx, pptx) only through the API, to staff in the
// activity's scope, always as a download. Only staff in scope add or remove files, and an activity
// holds a bounded number of each.
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'kysely'
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { conflict, notFound } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import { DOCUMENT_KINDS, IMAGE_KINDS, uploadsDir, type FileKind, type SavedFile } from '../../lib/upload.js'
import { activityInScope } from './activities.js'
import type { Db } from './queries.js'
import type { ActivityAttachment, ActivityPhoto } from './schemas.js'

export type ActivityFileKind = 'photo' | 'attachment'

/** At most this many photos and attachments per activity: a 台账 needs a few pictures, not an album. */
export const MAX_FILES: Record<ActivityFileKind, number> = { photo: 30, attachment: 10 }
export const PHOTO_KINDS = IMAGE_KINDS
export const ATTACHMENT_KINDS = DOCUMENT_KINDS
export const PHOTO_HINT = '照片请上传 .jpg / .png / .webp 图片'
export const ATTACHMENT_HINT = '附件请上传 .pdf / .docx / .xlsx / .pptx 文件'
export const IMAGE_HINT = '图片请上传 .jpg / .png / .webp'

/** Where each kind of file lives under the data folder. */
export interface FileDirs {
  photos: string
  attachments: string
}
export const fileDirs = (dataDir: string): FileDirs => ({ photos: uploadsDir(dataDir), attachments: path.join(dataDir, 'attachments') })
const dirOf = (dirs: FileDirs, kind: ActivityFileKind) => (kind === 'photo' ? dirs.photos : dirs.attachments)

export const uploadOptions = (dirs: FileDirs, kind: ActivityFileKind): { dir: string; kinds: FileKind[]; hint: string } =>
  kind === 'photo'
    ? { dir: dirs.photos, kinds: PHOTO_KINDS, hint: PHOTO_HINT }
    : { dir: dirs.attachments, kinds: ATTACHMENT_KINDS, hint: ATTACHMENT_HINT }

const LABEL: Record<ActivityFileKind, string> = { photo: '照片', attachment: '附件' }

type FileRow = {
  id: number
  activity_id: number
  stored_name: string
  original_name: string
  content_type: string
  bytes: number
  created_at: Date
}

const toPhoto = (r: FileRow): ActivityPhoto => ({
  id: r.id,
  url: `/media/${r.stored_name}`,
  name: r.original_name,
  bytes: r.bytes,
  createdAt: new Date(r.created_at).toISOString(),
})
const toAttachment = (r: FileRow): ActivityAttachment => ({
  id: r.id,
  url: `/api/activities/${r.activity_id}/attachments/${r.id}`,
  name: r.original_name,
  bytes: r.bytes,
  contentType: r.content_type,
  createdAt: new Date(r.created_at).toISOString(),
})

function filesOf(db: Db, activityId: number, kind: ActivityFileKind) {
  return db
    .selectFrom('activity_files')
    .select(['id', 'activity_id', 'stored_name', 'original_name', 'content_type', 'bytes', 'created_at'])
    .where('activity_id', '=', activityId)
    .where('kind', '=', kind)
}

async function countFiles(db: Db, activityId: number, kind: ActivityFileKind) {
  const row = await db
    .selectFrom('activity_files')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('activity_id', '=', activityId)
    .where('kind', '=', kind)
    .executeTakeFirstOrThrow()
  return row.n
}

const full = (kind: ActivityFileKind) => conflict(`每个活动最多 ${MAX_FILES[kind]} 个${LABEL[kind]}，请先删除不需要的${LABEL[kind]}`)

export async function activityPhotos(deps: Deps, principal: Principal, activityId: number): Promise<ActivityPhoto[]> {
  await activityInScope(deps.db, principal, activityId)
  return (await filesOf(deps.db, activityId, 'photo').orderBy('id').execute()).map(toPhoto)
}

export async function activityAttachments(deps: Deps, principal: Principal, activityId: number): Promise<ActivityAttachment[]> {
  await activityInScope(deps.db, principal, activityId)
  return (await filesOf(deps.db, activityId, 'attachment').orderBy('id').execute()).map(toAttachment)
}

/**
 * Adds a file to an activity. Scope and room are checked before a byte is read; `receive` then
 * streams the upload to disk, and the row is written under a lock on the activity (two uploads at
 * once cannot pass the cap together). If anything fails after the bytes landed, they are removed.
 */
export async function addActivityFile<K extends ActivityFileKind>(
  deps: Deps,
  principal: Principal,
  activityId: number,
  kind: K,
  receive: () => Promise<SavedFile>,
): Promise<K extends 'photo' ? ActivityPhoto : ActivityAttachment> {
  await activityInScope(deps.db, principal, activityId)
  if ((await countFiles(deps.db, activityId, kind)) >= MAX_FILES[kind]) throw full(kind)
  const saved = await receive()
  try {
    const row = await withTransaction(deps, async (tx) => {
      const activity = await tx.selectFrom('activities').select('id').where('id', '=', activityId).forUpdate().executeTakeFirst()
      if (!activity) throw notFound('活动')
      if ((await countFiles(tx, activityId, kind)) >= MAX_FILES[kind]) throw full(kind)
      const created = await tx
        .insertInto('activity_files')
        .values({
          activity_id: activityId,
          kind,
          stored_name: saved.name,
          original_name: saved.originalName,
          content_type: saved.contentType,
          bytes: saved.bytes,
          created_by: principal.userId,
          created_at: deps.clock.now(),
        })
        .returning(['id', 'activity_id', 'stored_name', 'original_name', 'content_type', 'bytes', 'created_at'])
        .executeTakeFirstOrThrow()
      await audit(tx, principal.userId, `activity.${kind}.add`, 'activity', activityId, {
        fileId: created.id,
        name: saved.originalName,
        bytes: saved.bytes,
      })
      return created
    })
    return (kind === 'photo' ? toPhoto(row) : toAttachment(row)) as K extends 'photo' ? ActivityPhoto : ActivityAttachment
  } catch (err) {
    await fs.promises.rm(saved.file, { force: true })
    throw err
  }
}

/** Removes one file of an activity (row first; the bytes once that has committed). */
export async function removeActivityFile(
  deps: Deps,
  dirs: FileDirs,
  principal: Principal,
  activityId: number,
  kind: ActivityFileKind,
  fileId: number,
): Promise<void> {
  const stored = await withTransaction(deps, async (tx) => {
    await activityInScope(tx, principal, activityId)
    const row = await tx
      .deleteFrom('activity_files')
      .where('id', '=', fileId)
      .where('activity_id', '=', activityId)
      .where('kind', '=', kind)
      .returning(['stored_name', 'original_name'])
      .executeTakeFirst()
    if (!row) throw notFound(LABEL[kind])
    await audit(tx, principal.userId, `activity.${kind}.remove`, 'activity', activityId, { fileId, name: row.original_name })
    return row.stored_name
  })
  await discardFiles(dirs, [{ kind, stored_name: stored }], deps)
}

/** An attachment to send to staff in scope: where it is on disk, and what to call it. */
export async function attachmentFile(deps: Deps, dirs: FileDirs, principal: Principal, activityId: number, fileId: number) {
  await activityInScope(deps.db, principal, activityId)
  const row = await filesOf(deps.db, activityId, 'attachment').where('id', '=', fileId).executeTakeFirst()
  if (!row) throw notFound('附件')
  const file = path.join(dirs.attachments, row.stored_name)
  try {
    const stat = await fs.promises.stat(file)
    return { file, bytes: stat.size, name: row.original_name, contentType: row.content_type, storedName: row.stored_name }
  } catch {
    throw notFound('附件文件')
  }
}

/** Removes files whose rows are gone. A file that cannot be removed is logged, never an error to the caller. */
export async function discardFiles(dirs: FileDirs, files: { kind: ActivityFileKind; stored_name: string }[], deps: Pick<Deps, 'log'>) {
  for (const f of files) {
    try {
      await fs.promises.rm(path.join(dirOf(dirs, f.kind), f.stored_name), { force: true })
    } catch (err) {
      deps.log.warn({ err, file: f.stored_name }, 'could not remove an activity file')
    }
  }
}

/** A picture for 简报 or 月工作提示, saved among the photos: its /media address, and an audit row. */
export async function richTextImage(deps: Deps, principal: Principal, saved: SavedFile) {
  const url = `/media/${saved.name}`
  await audit(deps.db, principal.userId, 'campaign.image', 'media', url, { bytes: saved.bytes, name: saved.originalName })
  return { url, bytes: saved.bytes, contentType: saved.contentType }
}
