// Live delivery: each socket joins its person's room; a committed notification is pushed there.
// With the Redis adapter a room spans nodes, so the node that sent it reaches every tab anywhere.
import type { FastifyInstance } from 'fastify'
import type { RealtimeSocket } from '../../plugins/realtime.js'
import type { DomainEventMap } from '../../lib/events.js'

export const personalRoom = (userId: number) => `user:${userId}`

export function registerNotificationEvents(app: FastifyInstance) {
  const io = app.io
  io.on('connection', (socket: RealtimeSocket) => {
    void socket.join(personalRoom(socket.data.principal.userId))
  })
  const push = (created: DomainEventMap['notifications:created'][0]) => {
    for (const { userId, notification } of created) io.to(personalRoom(userId)).emit('notification', notification)
  }
  app.deps.events.on('notifications:created', push)
  app.addHook('onClose', async () => {
    app.deps.events.off('notifications:created', push)
  })
}
