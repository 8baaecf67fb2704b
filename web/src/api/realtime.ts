// One socket.io connection per tab, authenticated with the current access token. When the token
// expires the server says so; we refresh it and reconnect, and watchers re-subscribe on connect.
import { io, type Socket } from 'socket.io-client'
import { ref } from 'vue'
import { useAuthStore } from '@/stores/auth'
import type { ClientToServerEvents, ServerToClientEvents } from '../../../server/realtime/events-map'

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>

let socket: RealtimeSocket | null = null
/** Whether the live connection is up (shown as 实时/离线 in the UI). */
export const realtimeConnected = ref(false)

export function getSocket(): RealtimeSocket {
  if (socket) return socket
  const auth = useAuthStore()
  socket = io({ path: '/socket.io', transports: ['websocket', 'polling'], auth: (cb) => cb({ token: auth.accessToken ?? '' }) })
  socket.on('connect', () => (realtimeConnected.value = true))
  socket.on('disconnect', (reason) => {
    realtimeConnected.value = false
    // The server hung up on purpose (a restart or deploy): socket.io will not retry by itself.
    // Come back after a random delay so thousands of clients do not return in the same instant.
    if (reason === 'io server disconnect') setTimeout(() => socket?.connect(), 500 + Math.random() * 3000)
  })
  // The session ended elsewhere (logout, password change, account disabled): stay disconnected.
  socket.on('session:ended', () => closeSocket())
  socket.on('auth:expired', async () => {
    if (await auth.refresh()) socket?.connect()
  })
  socket.on('connect_error', async (err) => {
    // An expired token at handshake: refresh once, then let socket.io retry with the new one.
    if (err.message === 'UNAUTHORIZED' && auth.refreshToken && (await auth.refresh())) socket?.connect()
  })
  return socket
}

export function closeSocket() {
  socket?.close()
  socket = null
  realtimeConnected.value = false
}
