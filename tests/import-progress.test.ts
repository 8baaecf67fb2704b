// A people import's progress, as the console's dialog polls it. Nothing here depends on how fast this
// machine hashes: the app writes every step (importProgressWriteMs 0) and a trigger keeps every
// version of the progress row a poll could have read; and time is the test's clock, so "30 s
// without a word" is a clock move, not a sleep.
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { csv } from './helpers/sheets.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { ManualClock } from '../server/lib/clock.js'
import { IMPORT_INTERRUPTED, PROGRESS_STALE_MS, progressWriter } from '../server/modules/users/progress.js'

// Far from the real date: a row stamped with the machine's time instead of the app's is seen at once.
const clock = new ManualClock(new Date('2026-03-02T01:00:00Z'))
const HEADER = ['用户名', '姓名', '组织', '角色', '初始密码']

let t: TestContext
let admin: string
let adminId: number
let secretary: string // sj_bgs, secretary of 办公室党支部
let member: string

beforeAll(async () => {
  t = await createTestContext({ clock, importProgressWriteMs: 0 })
  admin = await t.login(DEMO_ADMIN.username)
  secretary = await t.login('sj_bgs')
  member = await t.login('dy0001')
  adminId = (await t.http().get('/api/me').set(bearer(admin))).body.id
  // Every committed version of a progress row whose phase or count changed, with the transaction that wrote it.
  await sql`create table progress_log (seq serial primary key, import_id text, phase text, processed int, total int,
    updated_at timestamptz, xact text)`.execute(t.db)
  await sql`create function log_progress() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' or (new.import_id, new.phase, new.processed, new.total) is distinct from
                             (old.import_id, old.phase, old.processed, old.total) then
        insert into progress_log (import_id, phase, processed, total, updated_at, xact)
        values (new.import_id, new.phase, new.processed, new.total, new.updated_at,
                (pg_current_xact_id()::text::bigint % 4294967296)::text);
      end if;
      return new;
    end $$`.execute(t.db)
  await sql`create trigger log_progress after insert or update on user_import_progress
    for each row execute function log_progress()`.execute(t.db)
})
afterAll(async () => {
  await t?.close()
})

const upload = (token: string, file: Buffer, query: string) =>
  t.http().post(`/api/users/import${query}`).set(bearer(token)).attach('file', file, 'people.csv')
const poll = (token: string, id: string) => t.http().get(`/api/users/import/progress/${id}`).set(bearer(token))
const newId = () => randomBytes(12).toString('base64url')
const logOf = async (id: string) =>
  (
    await sql<{ phase: string; processed: number; total: number; updated_at: Date; xact: string }>`
      select phase, processed, total, updated_at, xact from progress_log where import_id = ${id} order by seq`.execute(t.db)
  ).rows

describe('import progress', () => {
  it('every step is written, phase by phase, stamped by the app’s clock', async () => {
    const id = newId()
    // Blank 初始密码: each of the 20 gets a generated password, hashed 8 at a time.
    const rows = Array.from({ length: 20 }, (_, i) => [`prog${String(i).padStart(3, '0')}`, '进度', '办公室党支部', '党员', ''])
    const res = await upload(admin, csv(HEADER, rows), `?progressId=${id}`)
    expect(res.status).toBe(200)
    expect(res.body.created).toBe(20)

    const log = await logOf(id)
    expect(log.map((v) => `${v.phase} ${v.processed}/${v.total}`)).toEqual([
      'reading 0/0',
      'checking 0/20',
      'checking 20/20',
      'hashing 0/20',
      'hashing 8/20',
      'hashing 16/20',
      'hashing 20/20',
      'writing 0/20',
      'done 20/20',
    ])
    for (const v of log) expect(new Date(v.updated_at).toISOString()).toBe(clock.now().toISOString())
    expect((await poll(admin, id)).body).toEqual({ phase: 'done', processed: 20, total: 20 })
  })

  it('within a phase, steps closer together than the write interval are skipped, except its last', async () => {
    const id = newId()
    const writer = progressWriter(t.app.deps, adminId, id, { writeMs: 60_000, onError: (err) => expect.unreachable(String(err)) })
    for (const done of [0, 200, 400, 600]) await writer.report('checking', done, 600)
    for (const done of [0, 8, 16]) await writer.report('hashing', done, 16)
    writer.stop()
    expect((await logOf(id)).map((v) => `${v.phase} ${v.processed}/${v.total}`)).toEqual([
      'checking 0/600',
      'checking 600/600',
      'hashing 0/16',
      'hashing 16/16',
    ])
  })

  it('the row turns done in the transaction that writes the people, so a row short of done wrote nobody', async () => {
    const id = newId()
    const rows = [
      ['progtx1', '进度', '办公室党支部', '党员', 'Init2026a'],
      ['progtx2', '进度', '办公室党支部', '党员', 'Init2026a'],
    ]
    expect((await upload(admin, csv(HEADER, rows), `?progressId=${id}`)).status).toBe(200)
    const people = await sql<{ xact: string }>`select xmin::text as xact from users where username in ('progtx1', 'progtx2')`.execute(t.db)
    const done = (await logOf(id)).filter((v) => v.phase === 'done')
    expect(done).toHaveLength(1)
    expect(people.rows.map((p) => p.xact)).toEqual([done[0].xact, done[0].xact])
  })

  it(`a running row nobody has touched for ${PROGRESS_STALE_MS / 1000} s by the app's clock answers failed: interrupted, nothing written`, async () => {
    const id = newId()
    // What a process that died while hashing leaves behind: its last report, then nothing.
    const writer = progressWriter(t.app.deps, adminId, id, { onError: (err) => expect.unreachable(String(err)) })
    await writer.report('hashing', 8, 80)
    writer.stop()
    clock.advance(PROGRESS_STALE_MS - 1_000)
    expect((await poll(admin, id)).body).toEqual({ phase: 'hashing', processed: 8, total: 80 })
    clock.advance(2_000)
    const res = await poll(admin, id)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ phase: 'failed', processed: 8, total: 80, message: IMPORT_INTERRUPTED })
    expect(IMPORT_INTERRUPTED).toBe('导入中断（服务器重启或出错），没有写入任何人员，请重新导入')

    // A finished import's row says how it ended however old it is.
    const finished = newId()
    const one = [['progst1', '进度', '办公室党支部', '党员', 'Init2026a']]
    expect((await upload(admin, csv(HEADER, one), `?dryRun=true&progressId=${finished}`)).status).toBe(200)
    clock.advance(2 * PROGRESS_STALE_MS)
    expect((await poll(admin, finished)).body).toEqual({ phase: 'done', processed: 1, total: 1 })
  })

  it('a live import is kept fresh through a step that reports nothing for longer than that (a queued sheet read)', async () => {
    const id = newId()
    const writer = progressWriter(t.app.deps, adminId, id, { heartbeatMs: 20, onError: (err) => expect.unreachable(String(err)) })
    await writer.report('reading', 0, 0)
    clock.advance(PROGRESS_STALE_MS + 1_000)
    // No report, only the heartbeat: the row is touched at the clock's new time and reads as running.
    await expect.poll(async () => (await poll(admin, id)).body, { timeout: 5_000 }).toEqual({ phase: 'reading', processed: 0, total: 0 })
    writer.stop()
  })

  it("nobody reads another's progress: another staff member gets 404 for the same id, a member 403", async () => {
    const id = newId()
    const one = [['progx01', '进度', '办公室党支部', '党员', 'Init2026a']]
    expect((await upload(admin, csv(HEADER, one), `?dryRun=true&progressId=${id}`)).status).toBe(200)
    expect((await poll(admin, id)).body).toEqual({ phase: 'done', processed: 1, total: 1 })

    const stranger = await poll(secretary, id)
    expect(stranger.status).toBe(404)
    expect(JSON.stringify(stranger.body)).not.toContain('done')
    expect((await poll(member, id)).status).toBe(403)
    expect((await upload(member, csv(HEADER, one), `?dryRun=true&progressId=${id}`)).status).toBe(403)

    // Her own import under the very same id is hers alone and leaves the admin's untouched.
    const two = [...one, ['progx02', '进度', '办公室党支部', '党员', 'Init2026a']]
    expect((await upload(secretary, csv(HEADER, two), `?dryRun=true&progressId=${id}`)).status).toBe(200)
    expect((await poll(secretary, id)).body).toMatchObject({ phase: 'done', total: 2 })
    expect((await poll(admin, id)).body).toMatchObject({ phase: 'done', total: 1 })

    // A refused file ends its row as failed, not as forever running.
    const bad = newId()
    expect((await upload(admin, csv(['名字'], [['x']]), `?dryRun=true&progressId=${bad}`)).status).toBe(400)
    expect((await poll(admin, bad)).body).toEqual({ phase: 'failed', processed: 0, total: 0 })
    // The old id is gone: one row a person, however many imports or ids she sends.
    expect((await poll(admin, id)).status).toBe(404)
    const rows = await t.db.selectFrom('user_import_progress').select('import_id').where('user_id', '=', adminId).execute()
    expect(rows).toEqual([{ import_id: bad }])

    // Ids are random tokens, nothing else.
    expect((await poll(admin, 'short')).status).toBe(400)
    expect((await upload(admin, csv(HEADER, one), '?dryRun=true&progressId=..%2F..%2Fetc%2Fpasswd')).status).toBe(400)
  })
})
