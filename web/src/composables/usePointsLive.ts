// A live study-points leaderboard: one REST call, then the socket's pushes for the board watched
// (org, period, by person or org). After a reconnect it subscribes again and resyncs with one call.
import { onBeforeUnmount, ref } from 'vue'
import { pointsApi, type PointsBoardQuery } from '@/api/points'
import { ApiError } from '@/api/client'
import type { PointsLeaderboardRow, PointsPeriod } from '@/api/contracts'
import { useSocketStore } from '@/stores/socket'

/** A points board row as the REST call answers it (pushes carry the common fields). */
export interface PointsRow extends PointsLeaderboardRow {
  participationRate?: number
  orgName?: string
}
export type PointsState = 'idle' | 'loading' | 'ready' | 'unavailable' | 'error'

export function usePointsLive(query: () => PointsBoardQuery | null) {
  const socket = useSocketStore().get()
  const rows = ref<PointsRow[]>([])
  const state = ref<PointsState>('idle')
  const error = ref('')
  let watched: PointsBoardQuery | null = null
  let pushTimer: ReturnType<typeof setTimeout> | null = null
  const same = (a: PointsBoardQuery | null, b: PointsBoardQuery | null) =>
    !!a && !!b && a.orgId === b.orgId && a.period === b.period && a.by === b.by

  /** Loads the board `query()` names now (silent: without the loading state). */
  async function load(silent = false) {
    const q = query()
    if (!q) return
    if (!silent) state.value = 'loading'
    try {
      const list = await pointsApi.leaderboard(q)
      if (!same(q, query())) return
      rows.value = list
      state.value = 'ready'
      subscribe(q)
    } catch (e) {
      if (!same(q, query())) return
      // The points API arrives later than this page: until then, a friendly empty state.
      if (e instanceof ApiError && e.status === 404) state.value = 'unavailable'
      else {
        state.value = 'error'
        error.value = (e as Error).message
      }
    }
  }

  function subscribe(q: PointsBoardQuery) {
    if (same(watched, q)) return
    unsubscribe()
    watched = q
    if (socket.connected) socket.emit('points:watch', q)
  }
  function unsubscribe() {
    if (watched && socket.connected) socket.emit('points:unwatch', watched)
    watched = null
  }
  const onConnect = () => {
    if (watched) {
      socket.emit('points:watch', watched)
      void load(true)
    }
  }

  function onPoints(p: { orgId: number | null; period: PointsPeriod; by: 'user' | 'org'; top: PointsRow[] }) {
    if (!same({ orgId: p.orgId ?? -1, period: p.period, by: p.by ?? 'user' }, watched)) return
    // A push carries the top of the list; when we hold more rows than that, resync the rest (throttled).
    if (p.top.length >= rows.value.length) rows.value = p.top
    else if (!pushTimer)
      pushTimer = setTimeout(() => {
        pushTimer = null
        void load(true)
      }, 3000)
  }

  socket.on('connect', onConnect)
  socket.on('points:leaderboard', onPoints)
  onBeforeUnmount(() => {
    unsubscribe()
    socket.off('connect', onConnect)
    socket.off('points:leaderboard', onPoints)
    if (pushTimer) clearTimeout(pushTimer)
  })
  return { rows, state, error, load }
}
