// The one socket.io connection of this tab, authenticated with the current access token. When the
// token expires the server says so; we refresh it and reconnect, and watchers re-subscribe on
// 'connect'. Live composables (useExamLive, usePointsLive) take the socket from here; handlers that
// live as long as the tab (the notification bell's) are given with listen(), so they carry over to
// the connection opened after signing out and in again.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { io, type Socket } from 'socket.io-client'
import { useAuthStore } from '@/stores/auth'
import type { ClientToServerEvents, ServerToClientEvents } from '@/api/contracts'

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>

/** Handshake refusals of a valid session that may not go live until she puts it right over HTTP. */
const HELD_BACK = new Set(['PASSWORD_CHANGE_REQUIRED', 'TOTP_SETUP_REQUIRED'])
/** How long a held-back tab waits before asking again (a password change takes about that long). */
const HELD_BACK_RETRY_MS = 15_000

type Handler = (...args: never[]) => void

export const useSocketStore = defineStore('socket', () => {
  let socket: RealtimeSocket | null = null
  /** Whether the live connection is up (shown as 实时/离线 in the UI). */
  const connected = ref(false)
  const lasting: [keyof ServerToClientEvents, Handler][] = []
  /** Set while the handshake is refused for a held-back session: the next try. */
  let heldBackRetry: ReturnType<typeof setTimeout> | undefined

  /** The connection, opened on first use. */
  function get(): RealtimeSocket {
    if (socket) {
      // A live page opened since the refusal may come after she changed her password or set up TOTP.
      if (heldBackRetry) retryNow()
      return socket
    }
    const auth = useAuthStore()
    const s: RealtimeSocket = io({
      path: '/socket.io',
      transports: ['websocket', 'polling'],
      auth: (cb) => cb({ token: auth.accessToken ?? '' }),
    })
    socket = s
    for (const [event, handler] of lasting) s.on(event, handler as never)
    s.on('connect', () => (connected.value = true))
    s.on('disconnect', (reason) => {
      connected.value = false
      // The server hung up on purpose (a restart or deploy): socket.io will not retry by itself.
      // Come back after a random delay so thousands of clients do not return in the same instant.
      if (reason === 'io server disconnect') setTimeout(() => socket?.connect(), 500 + Math.random() * 3000)
    })
    // The session ended elsewhere (logout, password change, account disabled): stay disconnected.
    s.on('session:ended', () => close())
    s.on('auth:expired', async () => {
      if (await auth.refresh()) socket?.connect()
    })
    s.on('connect_error', async (err) => {
      // An expired token at handshake: refresh once, then let socket.io retry with the new one.
      if (err.message === 'UNAUTHORIZED' && auth.refreshToken && (await auth.refresh())) socket?.connect()
      // The server could not check the token just now (busy): socket.io does not retry a refused
      // handshake by itself, so come back after a random pause.
      if (err.message === 'UNAVAILABLE') setTimeout(() => socket?.connect(), 1000 + Math.random() * 4000)
      // The session must first be put right over HTTP (a password to change, TOTP to set up; those
      // pages take her there). Neither a refresh nor an immediate retry mends it: ask again later,
      // or as soon as a live page wants the connection.
      if (HELD_BACK.has(err.message)) {
        clearTimeout(heldBackRetry)
        heldBackRetry = setTimeout(retryNow, HELD_BACK_RETRY_MS + Math.random() * HELD_BACK_RETRY_MS)
      }
    })
    return s
  }

  function retryNow() {
    clearTimeout(heldBackRetry)
    heldBackRetry = undefined
    socket?.connect()
  }

  /** Handlers for the tab's life: on this connection and on every one opened after it. */
  function listen<E extends keyof ServerToClientEvents>(event: E, handler: ServerToClientEvents[E]) {
    lasting.push([event, handler as Handler])
    socket?.on(event, handler as never)
  }

  function close() {
    clearTimeout(heldBackRetry)
    heldBackRetry = undefined
    socket?.close()
    socket = null
    connected.value = false
  }

  return { connected, get, listen, close }
})
