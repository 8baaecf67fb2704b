// What other modules' events earn. Auth announces a login and knows nothing of points; this
// module awards 登录 once a day for it. A failure here is logged and never undoes the login.
// The award is its own transaction (one statement, rules and policy cached): every login of
// exam morning runs it, and a transaction around it would hold a pooled connection for three
// round trips instead of one.
import type { FastifyInstance } from 'fastify'
import { shanghaiDate } from '../../lib/time.js'
import { award } from './award.js'

export function registerPointReactions(app: FastifyInstance) {
  app.events.on('user:loggedIn', ({ userId, orgId, at }) =>
    award(app.deps.db, { userId, orgId, rule: 'login', idemKey: `login:${shanghaiDate(at)}`, at })
      .then((result) => {
        if (!result.duplicate && result.points) app.events.emit('points:changed', userId)
      })
      .catch((err) => app.log.warn({ err, userId }, 'login point not awarded')),
  )
}
