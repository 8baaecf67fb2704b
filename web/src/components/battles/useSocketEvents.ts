// Listens to socket events for as long as the component lives: every handler is added now and
// removed when the component unmounts, so a page left and reopened never hears an event twice.
import { onBeforeUnmount } from 'vue'
import type { RealtimeSocket } from '@/api/realtime'
import type { ServerToClientEvents } from '../../../../server/realtime/events-map'

type Handlers = { [E in keyof ServerToClientEvents]?: ServerToClientEvents[E] } & { connect?: () => void }

export function useSocketEvents(socket: RealtimeSocket, handlers: Handlers) {
  const entries = Object.entries(handlers) as [string, (...args: unknown[]) => void][]
  const on = socket.on.bind(socket) as (event: string, fn: (...args: unknown[]) => void) => void
  const off = socket.off.bind(socket) as (event: string, fn: (...args: unknown[]) => void) => void
  for (const [event, fn] of entries) on(event, fn)
  onBeforeUnmount(() => {
    for (const [event, fn] of entries) off(event, fn)
  })
}
