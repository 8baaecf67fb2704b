// Bank search reads one stored, lower-cased text per question instead of computing it per row.
// With the text computed at query time (lower() of stem, explanation, source and tags joined),
// PostgreSQL could not judge its cost: for a term in a sixth of 50,000 questions it chose to read
// the whole table and lower() every row (56 ms) over the trigram index (12 ms). A generated column
// holds that text once per write; its trigram index and the LIKE in modules/questions/queries.ts
// both name the column, so they cannot drift apart, and a recheck is a plain LIKE (6 ms).
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table questions add column search_text text not null generated always as (
    lower(stem || chr(1) || coalesce(explanation, '') || chr(1) || coalesce(source, '') || chr(1) || tags::text)) stored`.execute(db)
  await sql`create index questions_search_text_trgm on questions using gin (search_text gin_trgm_ops)`.execute(db)
  await sql`drop index if exists questions_search_trgm`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index questions_search_trgm on questions using gin (
    (lower(stem || chr(1) || coalesce(explanation, '') || chr(1) || coalesce(source, '') || chr(1) || tags::text)) gin_trgm_ops)`.execute(
    db,
  )
  await sql`alter table questions drop column search_text`.execute(db)
}
