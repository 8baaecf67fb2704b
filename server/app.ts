// buildApp(deps) → a ready-to-listen Fastify instance. Plugins first, then each module, explicitly.
import path from 'node:path'
import fs from 'node:fs'
import Fastify, { type FastifyInstance, type FastifySchema } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import multipart from '@fastify/multipart'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fastifyStatic from '@fastify/static'
import compress from '@fastify/compress'
import zlib from 'node:zlib'
import type { Kysely } from 'kysely'
import type { Database } from './db/types.js'
import type { DbKind } from './db/connect.js'
import { systemClock, type Clock } from './lib/clock.js'
import { PROJECT_ROOT } from './lib/paths.js'
import { ErrorBody } from './lib/schemas.js'
import dbPlugin from './plugins/db.js'
import errorsPlugin from './plugins/errors.js'
import inputGuard from './plugins/input-guard.js'
import securityHeaders from './plugins/security-headers.js'
import authPlugin, { registerPublic } from './plugins/auth.js'
import { healthRoutes } from './modules/health/index.js'
import { authRoutes } from './modules/auth/index.js'
import { orgRoutes } from './modules/orgs/index.js'
import { userRoutes } from './modules/users/index.js'
import { questionRoutes } from './modules/questions/index.js'
import { ExamCatalog, examRoutes } from './modules/exams/index.js'
import { AttemptState, attemptRoutes, registerAttemptEvents } from './modules/attempts/index.js'
import { registerResultEvents, resultRoutes } from './modules/results/index.js'
import { DomainEvents } from './lib/events.js'
import type { Deps } from './lib/deps.js'
import type { PoolReading } from './db/pool-meter.js'
import realtimePlugin from './plugins/realtime.js'
import { pointRoutes, registerPointEvents, registerPointReactions } from './modules/points/index.js'
import { registerMediaFiles, studyRoutes } from './modules/study/index.js'
import { battleRoutes, registerBattles } from './modules/battles/index.js'
import { contestRoutes, registerContests } from './modules/contests/index.js'
import { createGamesHome } from './realtime/games-home.js'
import { reportRoutes } from './modules/reports/index.js'
import { policyRoutes, readPolicy } from './modules/policy/index.js'
import { privacyRoutes } from './modules/privacy/index.js'
import { feedbackRoutes } from './modules/feedback/index.js'
import { auditRoutes } from './modules/audit/index.js'
import { campaignFileRoutes, campaignRoutes } from './modules/campaign/index.js'
import { notificationRoutes, registerNotificationEvents } from './modules/notifications/index.js'
import { circularRoutes } from './modules/circulars/index.js'
import { commentRoutes } from './modules/comments/index.js'

export interface AppDeps {
  db: Kysely<Database>
  dbKind: DbKind
  jwtSecret: string
  clock?: Clock
  accessTokenMinutes?: number
  refreshTokenDays?: number
  logLevel?: string
  events?: DomainEvents
  /** Several nodes: socket.io rooms shared through Redis. */
  redisUrl?: string
  /** Requests a person may make per minute on point-earning routes (heartbeats, practice answers). */
  earnRateLimitPerMinute?: number
  /** Channel prefix on Redis; nodes of one deployment share it. */
  redisKey?: string
  /** Built web app to serve; skipped when the folder has no index.html. */
  webDist?: string
  /** Where uploaded media live (`<dataDir>/uploads`); defaults to ./data. */
  dataDir?: string
  /** Fastify's trustProxy: off unless the deployment sits behind a proxy it names (TRUST_PROXY). */
  trustProxy?: boolean | string
  /** Autosave group commits side by side (AUTOSAVE_LANES). */
  autosaveLanes?: number
  /**
   * Connections of the autosave group commits' own, so a save never queues for a connection behind
   * starts, submits and reports; without it they share `db`'s pool.
   */
  autosaveDb?: Kysely<Database>
  /**
   * A connection of the live exam pushes' own (secretaries' progress, the boards), so their reads
   * never wait in the pool's queue behind a wave of starts and submits; without it they use `db`.
   */
  pushDb?: Kysely<Database>
  /** The shared PostgreSQL pool's waits and holds since the previous call (health metrics). */
  poolReading?: () => PoolReading
  /** One of several node:cluster workers: rooms shared with the other workers, websocket transport only. */
  clusterWorker?: boolean
  /**
   * How often a running people import may rewrite its progress row within a phase (default 250 ms).
   * Tests set 0, so every step is written whatever this machine's speed.
   */
  importProgressWriteMs?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    events: DomainEvents
    limits: { earnPerMinute: number }
  }
}

export const DEFAULT_WEB_DIST = path.join(PROJECT_ROOT, 'web/dist')

/**
 * The built app loads only its own scripts (Vite emits no inline script), so no script runs from
 * anywhere else; the component libraries set inline styles, hence 'unsafe-inline' for styles only.
 * Images and videos may come from https sources an admin linked in a material. Nobody may frame
 * the app (clickjacking on exam pages): the 大屏 is opened full screen, never embedded.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
  mediaSrc: ["'self'", 'blob:', 'https:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  workerSrc: ["'self'", 'blob:'],
  // helmet's default upgrade-insecure-requests would send a plain-HTTP intranet deployment (reached
  // by IP, no certificate) to https for every script and style: the page would not load at all.
  upgradeInsecureRequests: null,
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: deps.logLevel ?? 'info' },
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 2 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('events', deps.events ?? new DomainEvents())
  app.decorate('limits', { earnPerMinute: deps.earnRateLimitPerMinute ?? 30 })
  app.addSchema(ErrorBody)
  const dataDir = deps.dataDir ?? path.resolve('data')
  await app.register(errorsPlugin)
  // Public API rule: a POST (PUT, PATCH) whose body has only optional fields also accepts no body at all
  // (no content-type): a script starts an attempt with a bare `POST /api/exams/:id/attempts`.
  // The same for a JSON content type with an empty body (what many HTTP clients send for a bare POST).
  const defaultJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    (body as string).trim() === '' ? done(null, undefined) : defaultJson(request, body as string, done),
  )
  app.addHook('preValidation', async (request) => {
    if (request.body !== undefined) return
    const schema = request.routeOptions.schema?.body as { type?: string; required?: string[]; minProperties?: number } | undefined
    if (schema?.type === 'object' && !schema.required?.length && !schema.minProperties) request.body = {}
  })
  await app.register(inputGuard)
  await app.register(dbPlugin, { db: deps.db, kind: deps.dbKind })
  await app.register(authPlugin, {
    secret: deps.jwtSecret,
    accessTokenMinutes: deps.accessTokenMinutes ?? 30,
    clock: deps.clock ?? systemClock,
    sessionRules: () => readPolicy(deps.db),
  })
  app.decorate('deps', { db: app.db, clock: app.clock, events: app.events, log: app.log } satisfies Deps)
  await app.register(securityHeaders, {
    contentSecurityPolicy: { directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  })
  await app.register(rateLimit, { global: false })
  // API JSON above 1 KiB leaves compressed (lists, reports); small answers such as autosaves are not
  // worth the CPU. Brotli at a low level: a phone on 4G gains most of it for little server time.
  // The web build is precompressed at build time and served as such (registerWeb), never twice.
  await app.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
  })
  await app.register(multipart, { limits: { fileSize: 30 * 1024 * 1024, files: 1, fields: 10 } })
  await app.register(swagger, {
    openapi: {
      // 3.1 (JSON Schema 2020-12): TypeBox's numeric exclusiveMinimum is valid there, not in 3.0.
      openapi: '3.1.0',
      info: { title: 'xuece 学测 API', version: '1.0.0', description: '党员教育在线学习与知识测试系统' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url, route }) => ({ url, schema: describeOperation(schema ?? {}, route.method, url, route.config?.access) }),
  })
  // The docs page ships its own inline bootstrap: swagger-ui sets a CSP with hashes for it.
  await registerPublic(app, async (docs) => {
    await docs.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true })
  })

  // One exam catalog per app (exams and draw pools, briefly cached), shared by the modules that read exams.
  const exams = new ExamCatalog(app.deps)
  app.addHook('onClose', async () => exams.close())
  // Autosave's state (group commit, attempt outlines) serves the HTTP route and the socket event alike;
  // closing writes what is queued before the database goes.
  const attempts = new AttemptState(app.deps, { lanes: deps.autosaveLanes, db: deps.autosaveDb })
  app.addHook('onClose', async () => attempts.close())

  await app.register(
    async (api) => {
      await api.register(healthRoutes, { poolReading: deps.poolReading })
      await api.register(authRoutes, { refreshTokenDays: deps.refreshTokenDays ?? 14 })
      await api.register(orgRoutes)
      await api.register(userRoutes, { progressWriteMs: deps.importProgressWriteMs })
      await api.register(questionRoutes)
      await api.register(examRoutes, { exams })
      await api.register(attemptRoutes, { exams, state: attempts })
      await api.register(resultRoutes, { exams })
      await api.register(pointRoutes)
      await api.register(studyRoutes, { dataDir, exams })
      await api.register(reportRoutes)
      await api.register(policyRoutes)
      await api.register(privacyRoutes)
      await api.register(feedbackRoutes)
      await api.register(auditRoutes)
      await api.register(campaignRoutes, { dataDir })
      await api.register(campaignFileRoutes, { dataDir })
      await api.register(notificationRoutes)
      await api.register(circularRoutes)
      await api.register(commentRoutes)
      await api.register(battleRoutes)
      await api.register(contestRoutes, { exams })
    },
    { prefix: '/api' },
  )

  await registerPublic(app, (media) => registerMediaFiles(media, dataDir))
  await app.register(realtimePlugin, { redisUrl: deps.redisUrl, redisKey: deps.redisKey, clusterWorker: deps.clusterWorker })
  registerResultEvents(app, { exams, db: deps.pushDb ?? deps.db })
  registerAttemptEvents(app, { state: attempts })
  registerNotificationEvents(app)
  registerPointEvents(app)
  registerPointReactions(app)
  const games = createGamesHome(app)
  registerBattles(app, { exams, games })
  registerContests(app, { games, exams })
  games.start()

  await registerWeb(app, deps.webDist ?? DEFAULT_WEB_DIST)
  return app
}

/** Hashed build output (`/assets/name-HASH.js`): the name changes with the content. */
const HASHED_ASSET = /^\/assets\/.+[-.][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/

/**
 * Every operation gets a stable operationId (an explicit one, else method and path: GET
 * /exams/:id/results → getExamsByIdResults), a route declared public says so with
 * `security: []`, and an upload documents its multipart `file` field, so generated clients
 * neither guess names nor send a token to login.
 */
function describeOperation(schema: FastifySchema, method: string | string[], url: string, access?: string): FastifySchema {
  const verb = [method].flat()[0].toLowerCase()
  const words = url
    .replace(/^\/api\//, '')
    .split('/')
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? `By${cap(w.slice(1))}` : w.split(/[-_]/).map(cap).join('')))
  const multipart = (schema.consumes as string[] | undefined)?.includes('multipart/form-data') && !schema.body
  return {
    ...schema,
    operationId: typeof schema.operationId === 'string' ? schema.operationId : `${verb}${words.join('')}`,
    ...(access === 'public' && { security: [] }),
    // An upload is read from the stream (not validated as a body), so describe its one field here.
    ...(multipart && {
      body: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: '上传的文件' } } },
    }),
  }
}
const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1)

/**
 * Serves the built SPA; deep links get index.html, unknown /api paths a JSON 404.
 *
 * Caching survives redeploys: index.html (and the service worker and manifest) are revalidated on
 * every load (`no-cache`), hashed `/assets/*` are kept a year (`immutable`), and an asset that is
 * not in this build answers 404 — never index.html with 200, which a phone holding an old
 * index.html would try to run as a script. The build is precompressed (.br, .gz beside each file)
 * and the best encoding the client accepts is sent as is.
 */
async function registerWeb(app: FastifyInstance, webDist: string) {
  const indexPath = path.join(webDist, 'index.html')
  const indexHtml = fs.existsSync(indexPath) ? fs.readFileSync(indexPath) : null
  if (indexHtml) {
    await registerPublic(app, async (web) => {
      await web.register(fastifyStatic, {
        root: webDist,
        wildcard: false,
        index: ['index.html'],
        preCompressed: true,
        cacheControl: false,
        // The .br/.gz twins are picked by Accept-Encoding, not requested by name.
        allowedPath: (pathname) => !/\.(br|gz)$/.test(pathname),
        setHeaders: (res, filePath) => {
          const rel =
            '/' +
            path
              .relative(webDist, filePath)
              .split(path.sep)
              .join('/')
              .replace(/\.(br|gz)$/, '')
          res.header('cache-control', HASHED_ASSET.test(rel) ? 'public, max-age=31536000, immutable' : 'no-cache')
        },
      })
    })
  }
  app.setNotFoundHandler((req, reply) => {
    const pathname = req.url.split('?')[0]
    const allowed = allowedMethods(app, pathname)
    // (A route that exists for this method and still found nothing — a file the static plugin will
    // not serve — is a plain 404 below.)
    if (allowed.length && !allowed.includes(req.method)) {
      return reply
        .status(405)
        .header('allow', allowed.join(', '))
        .send({
          error: { code: 'METHOD_NOT_ALLOWED', message: `不支持的请求方法：${req.method} ${pathname}（可用：${allowed.join(', ')}）` },
        })
    }
    if (
      pathname.startsWith('/api/') ||
      pathname === '/api' ||
      pathname.startsWith('/socket.io') ||
      pathname.startsWith('/assets/') ||
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      !indexHtml
    ) {
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `接口不存在：${req.method} ${pathname}` } })
    }
    // A deep link of the SPA: the app's router takes it from here; always revalidated.
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(indexHtml)
  })
}

/**
 * The methods the router has for a concrete path (405 + Allow when the request used another one).
 * Built once from the route table the auth plugin records: each route's URL as a pattern.
 */
const methodIndexes = new WeakMap<FastifyInstance, { pattern: RegExp; methods: string[] }[]>()
function allowedMethods(app: FastifyInstance, pathname: string): string[] {
  let index = methodIndexes.get(app)
  if (!index) {
    const byUrl = new Map<string, Set<string>>()
    for (const route of app.routeTable) {
      const url = route.url
      if (!url || url.includes('*')) continue
      const set = byUrl.get(url) ?? new Set<string>()
      for (const m of [route.method].flat()) set.add(String(m).toUpperCase())
      byUrl.set(url, set)
    }
    index = [...byUrl].map(([url, methods]) => ({
      pattern: new RegExp(
        '^' +
          url
            .split('/')
            .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
            .join('/') +
          '$',
      ),
      methods: [...methods].sort(),
    }))
    methodIndexes.set(app, index)
  }
  let decoded = pathname
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    /* keep it raw */
  }
  const methods = new Set<string>()
  for (const entry of index) if (entry.pattern.test(pathname) || entry.pattern.test(decoded)) entry.methods.forEach((m) => methods.add(m))
  if (methods.has('GET')) methods.add('HEAD')
  return [...methods].sort()
}
