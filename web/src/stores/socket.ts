// The one socket.io connection of this tab, authenticated with the current access token. When the
// token expires the server says so; we refresh it and reconnect, and watchers re-subscribe on
// 'connect'. Live composables (useExamLive, usePointsLive) take the socket from here.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { io, type Socket } from 'socket.io-client'
import { useAuthStore } from '@/stores/auth'
import type { ClientToServerEvents, ServerToClientEvents } from '@/api/contracts'

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>

/** Handshake refusals of a valid session that may not go live yet; no refresh or retry mends them. */
const HELD_BACK = new Set(['PASSWORD_CHANGE_REQUIRED', 'TOTP_SETUP_REQUIRED'])

export const useSocketStore = defineStore('socket', () => {
  let socket: RealtimeSocket | null = null
  /** Whether the live connection is up (shown as 实时/离线 in the UI). */
  const connected = ref(false)

  /** The connection, opened on first use. */
  function get(): RealtimeSocket {
    if (socket) return socket
    const auth = useAuthStore()
    const s: RealtimeSocket = io({
      path: '/socket.io',
      transports: ['websocket', 'polling'],
      auth: (cb) => cb({ token: auth.accessToken ?? '' }),
    })
    socket = s
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
      // pages take her there): drop this connection, so the next live page after that opens a new one.
      if (HELD_BACK.has(err.message)) close()
    })
    return s
  }

  function close() {
    socket?.close()
    socket = null
    connected.value = false
  }

  return { connected, get, close }
})
