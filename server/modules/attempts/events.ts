// Autosave over the socket the exam page already holds. Same checks, same group commit and the same
// acknowledgement rule as `PUT /api/attempts/:id/answers/:questionId` (saveAnswer): the ack is sent
// only after the answer is committed. Over HTTP each save is a request of its own — parsed, routed,
// its token and session looked up, headers written — which on exam day is a third of a core of the
// server for nothing an answer needs; the socket was authenticated once, at its handshake, and its
// session is re-read every few seconds by the realtime plugin (an ended session ends the socket).
import type { FastifyInstance } from 'fastify'
import type { RealtimeSocket } from '../../plugins/realtime.js'
import type { SaveAck } from '../../realtime/events-map.js'
import { AppError } from '../../lib/errors.js'
import { saveAnswer } from './service.js'
import type { AttemptState } from './state.js'

const MAX_ID = 2147483647
const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_ID

/** What a refused save answers: the HTTP status and code the route would have sent, so the client treats both alike. */
function refusal(err: unknown): Parameters<SaveAck>[0] {
  // Our own errors carry our own (Chinese) words: 409 closed, 400 wrong shape, 404 not yours, 503 shutting down.
  if (err instanceof AppError) return { ok: false, error: err.message, status: err.statusCode, code: err.code }
  // Database trouble: our own words, never the driver's text; the client keeps the answer and retries.
  return { ok: false, error: '保存失败，答案已保存在本机，稍后会自动重新提交', status: 500, code: 'SAVE_FAILED' }
}

export function registerAttemptEvents(app: FastifyInstance, { state }: { state: AttemptState }) {
  app.io.on('connection', (socket: RealtimeSocket) => {
    socket.on('attempt:save', async (payload, ack) => {
      const reply: SaveAck = typeof ack === 'function' ? ack : () => {}
      const { attemptId, questionId, answer, deviceId } = payload ?? ({} as Partial<typeof payload>)
      if (!isId(attemptId) || !isId(questionId)) {
        return reply({ ok: false, error: 'attemptId 或 questionId 无效', status: 400, code: 'VALIDATION' })
      }
      if (deviceId !== undefined && (typeof deviceId !== 'string' || deviceId.length > 100)) {
        return reply({ ok: false, error: 'deviceId 无效（最长 100 个字符）', status: 400, code: 'VALIDATION' })
      }
      try {
        reply({ ok: true, ...(await saveAnswer(app.deps, state, socket.data.principal, attemptId, questionId, answer, deviceId)) })
      } catch (err) {
        if (!(err instanceof AppError) || err.statusCode >= 500) app.log.warn({ err }, 'socket autosave failed')
        reply(refusal(err))
      }
    })
  })
}
