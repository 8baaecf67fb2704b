// Bank search with a trigram index: `GET /api/questions?q=` matches one lower-cased text of stem,
// explanation, source and tags with LIKE '%…%'. A GIN trigram index on exactly that expression lets
// PostgreSQL find the rows for any query of three characters or more (Chinese characters make
// trigrams too) instead of reading every question. The expression here and in the search query
// (modules/questions/queries.ts) must stay the same text, or the index is not used.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db)
  await sql`create index questions_search_trgm on questions using gin (
    (lower(stem || chr(1) || coalesce(explanation, '') || chr(1) || coalesce(source, '') || chr(1) || tags::text)) gin_trgm_ops)`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists questions_search_trgm`.execute(db)
}
