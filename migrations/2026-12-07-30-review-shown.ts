// An attempt remembers when its review with the key (正确答案 and 解析) was first shown to its
// owner. Once any attempt of a person in an exam has shown her the key, that exam's paper cannot
// be reopened or retaken by her: she would answer it from the key.
// Attempts reviewed before this column existed are unknown and stay null (not shown).
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table attempts add column review_shown_at timestamptz`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table attempts drop column review_shown_at`.execute(db)
}
