// Autosave over the member's live socket. Same checks, same group commit and the same
// acknowledgement rule as `PUT /api/attempts/:id/answers/:questionId` (saveAnswer): the ack is sent
// only after the answer is committed. Over HTTP each save is a request of its own — parsed, routed,
// its token and session looked up, headers written — which on exam day cost the server's event loop
// 0.08 of a core and the phones (the bench's load generators) 0.15; the socket was authenticated
// once, at its handshake, and its session is re-read every few seconds by the realtime plugin.
import type { FastifyInstance } from 'fastify'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import type { RealtimeSocket } from '../../plugins/realtime.js'
import type { SaveAck } from '../../realtime/events-map.js'
import { ackError } from '../../realtime/flood-guard.js'
import { AppError } from '../../lib/errors.js'
import { SocketSave } from './schemas.js'
import { deviceIdOf, saveAnswer } from './service.js'
import type { AttemptState } from './state.js'

const saveShape = TypeCompiler.Compile(SocketSave)
const SAVE_FAILED = '保存失败，答案已保存在本机，稍后会自动重新提交'

/** How a refused save is answered: our own words, with the status and code the route would have sent. */
function refusal(err: unknown): Parameters<SaveAck>[0] {
  return err instanceof AppError
    ? { ok: false, error: ackError(err, SAVE_FAILED), status: err.statusCode, code: err.code }
    : { ok: false, error: SAVE_FAILED, status: 500, code: 'SAVE_FAILED' }
}

export function registerAttemptEvents(app: FastifyInstance, { state }: { state: AttemptState }) {
  app.io.on('connection', (socket: RealtimeSocket) => {
    socket.on('attempt:save', async (payload, ack) => {
      const reply: SaveAck = typeof ack === 'function' ? ack : () => {}
      if (!saveShape.Check(payload)) {
        const field = saveShape.Errors(payload).First()?.path.slice(1) || 'payload'
        return reply({ ok: false, error: `${field} 无效`, status: 400, code: 'VALIDATION' })
      }
      const { attemptId, questionId, answer, deviceId } = payload
      try {
        // The attempt's outline is read (or found cached) first. A socket gone meanwhile gets no ack:
        // its page resends this answer over HTTP, and this older copy must not be queued after that.
        // With the outline cached, saveAnswer reaches the attempt's batch lane without waiting for
        // I/O (no disconnect can come between), and a lane writes in arrival order.
        await state.shape(attemptId)
        if (socket.disconnected) return
        reply({
          ok: true,
          ...(await saveAnswer(app.deps, state, socket.data.principal, attemptId, questionId, answer, deviceIdOf(deviceId))),
        })
      } catch (err) {
        if (!(err instanceof AppError) || err.statusCode >= 500) app.log.warn({ err }, 'socket autosave failed')
        reply(refusal(err))
      }
    })
  })
}
