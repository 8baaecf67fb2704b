// Media uploads for study materials: streamed to <dataDir>/uploads, checked by magic bytes, served
// back with HTTP range requests.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import supertest from 'supertest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../server/app.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../server/seed/demo.js'
import { openTestDatabase } from './helpers/template-db.js'
import { bearer, TEST_JWT_SECRET } from './helpers/app.js'

let app: FastifyInstance
let closeDb: () => Promise<void>
let dataDir: string
const http = () => supertest(app.server)
const tokens = new Map<string, string>()

async function login(username: string) {
  if (!tokens.has(username)) {
    const password = username === DEMO_ADMIN.username ? DEMO_ADMIN.password : DEMO_PASSWORD
    const res = await http().post('/api/auth/login').send({ username, password })
    expect(res.status).toBe(200)
    tokens.set(username, res.body.accessToken)
  }
  return tokens.get(username)!
}

// An ftyp box (size 0x18, brand mp42) followed by recognisable bytes.
const fakeMp4 = Buffer.concat([
  Buffer.from([0x00, 0x00, 0x00, 0x18]),
  Buffer.from('ftypmp42'),
  Buffer.from([0, 0, 0, 0]),
  Buffer.from('mp42isom'),
  Buffer.from(Array.from({ length: 200 }, (_, i) => i % 256)),
])
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)])

const upload = async (data: Buffer, filename: string, username = 'admin') =>
  http()
    .post('/api/study/media')
    .set(bearer(await login(username)))
    .attach('file', data, filename)

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-media-'))
  const handle = await openTestDatabase(inject('dbTemplate'))
  closeDb = handle.close
  app = await buildApp({
    db: handle.db,
    dbKind: handle.kind,
    jwtSecret: TEST_JWT_SECRET,
    logLevel: 'silent',
    webDist: '/nonexistent',
    dataDir,
  })
  await app.ready()
})
afterAll(async () => {
  await app?.close()
  await closeDb?.()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

describe('media uploads', () => {
  it('stores an mp4 under dataDir/uploads and serves it whole and by range', async () => {
    const res = await upload(fakeMp4, '党史微课.mp4')
    expect(res.status).toBe(201)
    expect(res.body).toEqual({
      url: expect.stringMatching(/^\/media\/[a-f0-9]{32}\.mp4$/),
      bytes: fakeMp4.length,
      contentType: 'video/mp4',
    })
    const name = res.body.url.slice('/media/'.length)
    expect(fs.readFileSync(path.join(dataDir, 'uploads', name)).equals(fakeMp4)).toBe(true)
    expect(fs.readdirSync(path.join(dataDir, 'uploads'))).toEqual([name]) // no temp file left behind

    const whole = await http()
      .get(res.body.url)
      .buffer(true)
      .parse((r, cb) => {
        const c: Buffer[] = []
        r.on('data', (d) => c.push(d))
        r.on('end', () => cb(null, Buffer.concat(c)))
      })
    expect(whole.status).toBe(200)
    expect(whole.headers['content-type']).toBe('video/mp4')
    expect(whole.headers['accept-ranges']).toBe('bytes')
    expect(whole.headers['cache-control']).toMatch(/max-age=31536000/)
    expect(Buffer.compare(whole.body, fakeMp4)).toBe(0)

    const part = await http()
      .get(res.body.url)
      .set('Range', 'bytes=10-19')
      .buffer(true)
      .parse((r, cb) => {
        const c: Buffer[] = []
        r.on('data', (d) => c.push(d))
        r.on('end', () => cb(null, Buffer.concat(c)))
      })
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes 10-19/${fakeMp4.length}`)
    expect(part.headers['content-length']).toBe('10')
    expect(Buffer.compare(part.body, fakeMp4.subarray(10, 20))).toBe(0)

    const bad = await http()
      .get(res.body.url)
      .set('Range', `bytes=${fakeMp4.length + 100}-${fakeMp4.length + 200}`)
    expect(bad.status).toBe(416)
    expect(bad.headers['content-range']).toBe(`bytes */${fakeMp4.length}`)
    expect(bad.body.error.code).toBe('RANGE_NOT_SATISFIABLE')
  })

  it('accepts images with their real signature', async () => {
    const res = await upload(png, 'cover.PNG')
    expect(res.status).toBe(201)
    expect(res.body.contentType).toBe('image/png')
    expect((await http().get(res.body.url)).headers['content-type']).toBe('image/png')
  })

  it('rejects a file whose bytes do not match its extension, an unknown type and an empty file', async () => {
    const text = await upload(Buffer.from('this is not a video, just some text pretending to be one'), 'fake.mp4')
    expect(text.status).toBe(400)
    expect(text.body.error).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('MP4') })
    const jpgAsPng = await upload(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'x.png')
    expect(jpgAsPng.status).toBe(400)
    const exe = await upload(Buffer.from('MZ......'), 'tool.exe')
    expect(exe.status).toBe(400)
    expect(exe.body.error.code).toBe('VALIDATION')
    expect((await upload(Buffer.alloc(0), 'empty.webm')).status).toBe(400)
    const noFile = await http()
      .post('/api/study/media')
      .set(bearer(await login('admin')))
      .send({ file: 'x' })
    expect(noFile.status).toBe(400)
    expect(fs.readdirSync(path.join(dataDir, 'uploads')).filter((n) => n.endsWith('.part'))).toEqual([])
  })

  it('caps images at 5 MB', async () => {
    const big = Buffer.concat([png, Buffer.alloc(5 * 1024 * 1024)])
    const res = await upload(big, 'big.png')
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('only admins upload', async () => {
    expect((await upload(fakeMp4, 'a.mp4', 'dy0001')).status).toBe(403)
    expect((await upload(fakeMp4, 'a.mp4', 'sj_bgs')).status).toBe(403)
    expect((await http().post('/api/study/media').attach('file', fakeMp4, 'a.mp4')).status).toBe(401)
  })

  it('answers 404 in JSON for unknown or malformed names', async () => {
    const missing = await http().get(`/media/${'0'.repeat(32)}.mp4`)
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('NOT_FOUND')
    expect((await http().get('/media/..%2Fjwt-secret')).status).toBe(404)
    expect((await http().get('/media/%E0%A4%A')).status).toBeGreaterThanOrEqual(400)
    expect((await http().get('/media/%E0%A4%A')).status).toBeLessThan(500)
  })
})
