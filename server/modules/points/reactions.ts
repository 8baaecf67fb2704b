// What other modules' events earn. Auth announces a login and knows nothing of points; this
// module awards 登录 once a day for it. A failure here is logged and never undoes the login.
import type { FastifyInstance } from 'fastify'
import { shanghaiDate } from '../../lib/time.js'
import { withTransaction } from '../../lib/transaction.js'
import { award } from './award.js'

export function registerPointReactions(app: FastifyInstance) {
  app.events.on('user:loggedIn', ({ userId, orgId, at }) =>
    withTransaction(app.deps, async (tx, emit) => {
      const result = await award(tx, { userId, orgId, rule: 'login', idemKey: `login:${shanghaiDate(at)}`, at })
      if (!result.duplicate && result.points) emit('points:changed', userId)
    }).catch((err) => app.log.warn({ err, userId }, 'login point not awarded')),
  )
}
