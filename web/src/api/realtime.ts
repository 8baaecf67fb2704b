// The live connection for code that predates the socket store: the store (stores/socket.ts) owns
// the one socket; these delegate to it. New code uses useSocketStore() or the live composables.
import { computed } from 'vue'
import { useSocketStore, type RealtimeSocket } from '@/stores/socket'

export type { RealtimeSocket }

export const getSocket = (): RealtimeSocket => useSocketStore().get()

/** Whether the live connection is up (shown as 实时/离线 in the UI). */
export const realtimeConnected = computed(() => useSocketStore().connected)

export function closeSocket() {
  useSocketStore().close()
}
