// Live delivery: a committed notification is pushed to its person's room, which every socket of hers
// joins on connecting (plugins/realtime.ts). With the Redis adapter a room spans nodes, so the node
// that sent it reaches every tab anywhere.
import type { FastifyInstance } from 'fastify'
import { userRoom } from '../../plugins/realtime.js'
import type { DomainEventMap } from '../../lib/events.js'
import { inSlices } from '../../realtime/slices.js'

export function registerNotificationEvents(app: FastifyInstance) {
  const io = app.io
  // A notice to a whole department goes out in slices, so saves and answers keep flowing meanwhile.
  const push = (created: DomainEventMap['notifications:created'][0]) =>
    inSlices(created, ({ userId, notification }) => io.to(userRoom(userId)).emit('notification', notification)).catch((err) =>
      app.log.warn({ err }, 'notification push failed (the notices are saved; the page shows them on its next load)'),
    )
  app.deps.events.on('notifications:created', push)
  app.addHook('onClose', async () => {
    app.deps.events.off('notifications:created', push)
  })
}
