// PostgreSQL (and PGlite) take at most 65,535 bound parameters in one statement, and a province has
// 20,000 members. A statement that only *reads* by a list of ids passes the list as one array
// parameter (`id = any($1::int[])`); one that *inserts* a row per person is split into slices here.

/** Rows per insert: at seven or fewer parameters a row, well under the limit. */
export const ROWS_PER_INSERT = 5_000

/** Runs `insert` on consecutive slices of `rows`, one after another, and joins what each returned. */
export async function insertInSlices<T, R = never>(rows: T[], insert: (slice: T[]) => Promise<R[] | void>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) out.push(...((await insert(rows.slice(i, i + ROWS_PER_INSERT))) ?? []))
  return out
}
