// The unread badge and the latest notifications, kept live: one count from the server when the app
// opens, then every `notification` pushed on the socket is added at once (no polling).
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { notificationsApi, type Notification } from '@/api/notifications'

export const useNotificationsStore = defineStore('notifications', () => {
  const unread = ref(0)
  const items = ref<Notification[]>([])
  const loaded = ref(false)
  /** Whether pushes are arriving (the live connection is up). */
  const live = ref(false)
  /** The newest arrival, for a banner; cleared when shown. */
  const arrived = ref<Notification | null>(null)
  let listening = false

  async function refreshCount() {
    unread.value = (await notificationsApi.unreadCount().catch(() => ({ unread: unread.value }))).unread
  }

  /**
   * Subscribes once per tab and opens the connection if there is none (the first call, or after
   * signing out and in again, which closes it); safe to call from every layout. The socket client is
   * loaded here, on demand, so the member home's first download stays small.
   */
  async function start() {
    void refreshCount()
    const { useSocketStore } = await import('@/stores/socket')
    const sockets = useSocketStore()
    if (!listening) {
      listening = true
      sockets.listen('notification', (n) => {
        items.value = [n as Notification, ...items.value.filter((x) => x.id !== n.id)]
        unread.value++
        arrived.value = n as Notification
      })
      // Missed while offline: the count is re-read whenever the connection comes (back) up.
      watch(
        () => sockets.connected,
        (up) => {
          live.value = up
          if (up) void refreshCount()
        },
        { immediate: true },
      )
    }
    sockets.get()
  }

  async function load() {
    items.value = await notificationsApi.list()
    loaded.value = true
    await refreshCount()
  }

  async function markRead(n: Notification) {
    if (n.readAt) return
    await notificationsApi.read(n.id)
    n.readAt = new Date().toISOString()
    unread.value = Math.max(0, unread.value - 1)
  }

  async function markAllRead() {
    await notificationsApi.readAll()
    const now = new Date().toISOString()
    for (const n of items.value) n.readAt ??= now
    unread.value = 0
  }

  /** Signing out: the next person on this device must not glimpse these while hers load. */
  function forget() {
    items.value = []
    unread.value = 0
    loaded.value = false
    arrived.value = null
  }

  return { unread, items, loaded, live, arrived, start, load, markRead, markAllRead, refreshCount, forget }
})
