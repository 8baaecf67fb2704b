// Demo study materials we wrote ourselves (seed/materials.yaml), loaded with the demo data.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import YAML from 'yaml'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import { cleanHtml } from '../modules/study/materials.js'

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'materials.yaml')

interface SeedMaterial {
  key: string
  channel: string
  kind: 'article' | 'video'
  title: string
  summary?: string
  publishedAt: string
  source?: string
  body: string
  videoUrl?: string
  durationSeconds?: number
}

export async function seedMaterials(db: Kysely<Database>): Promise<number> {
  if (!fs.existsSync(FILE)) return 0
  const { materials } = YAML.parse(fs.readFileSync(FILE, 'utf8')) as { materials: SeedMaterial[] }
  await db
    .insertInto('materials')
    .values(
      materials.map((m) => ({
        seed_key: m.key,
        channel: m.channel,
        kind: m.kind,
        title: m.title,
        summary: m.summary ?? null,
        body_html: cleanHtml(m.body),
        video_url: m.videoUrl || null,
        duration_seconds: m.durationSeconds ?? null,
        source: m.source ?? null,
        published_at: new Date(`${m.publishedAt}T09:00:00+08:00`),
        created_at: new Date(),
      })),
    )
    .onConflict((oc) => oc.column('seed_key').doNothing())
    .execute()
  return materials.length
}
