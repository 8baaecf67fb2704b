// Live progress and leaderboard of one exam: one REST call to start (and after every reconnect and
// every change of exam), then socket pushes. The same shapes either way, because pushes are
// projections of that call. The exam may change (a picker): the old one is unwatched first.
import { onBeforeUnmount, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'
import { resultsApi } from '@/api/results'
import type { ExamLeaderboardRow, ExamProgress } from '@/api/contracts'
import { storeToRefs } from 'pinia'
import { useSocketStore } from '@/stores/socket'

export function useExamLive(examId: MaybeRefOrGetter<number | null>, opts: { progress: boolean }) {
  const store = useSocketStore()
  const socket = store.get()
  const progress = ref<ExamProgress | null>(null)
  const top = ref<ExamLeaderboardRow[]>([])
  const updatedAt = ref<Date | null>(null)
  let current: number | null = null

  async function resync() {
    const id = current
    if (!id) return
    try {
      const p = opts.progress ? await resultsApi.monitor(id) : null
      const board = await resultsApi.leaderboard(id)
      if (id !== current) return
      if (p) progress.value = { examId: id, ...p }
      top.value = board.slice(0, 10)
      updatedAt.value = new Date()
    } catch {
      /* pushes and the next reconnect resync again */
    }
  }

  const onProgress = (p: ExamProgress) => {
    if (p.examId === current) {
      progress.value = p
      updatedAt.value = new Date()
    }
  }
  const onBoard = (p: { examId: number; top: ExamLeaderboardRow[] }) => {
    if (p.examId === current) {
      top.value = p.top
      updatedAt.value = new Date()
    }
  }
  const subscribe = () => {
    if (current) {
      socket.emit('exam:watch', { examId: current })
      void resync()
    }
  }

  socket.on('exam:progress', onProgress)
  socket.on('exam:leaderboard', onBoard)
  socket.on('connect', subscribe)

  watch(
    () => toValue(examId),
    (id) => {
      if (current && socket.connected) socket.emit('exam:unwatch', { examId: current })
      progress.value = null
      top.value = []
      updatedAt.value = null
      current = id
      if (!id) return
      if (socket.connected) subscribe()
      else void resync()
    },
    { immediate: true },
  )

  onBeforeUnmount(() => {
    if (current) socket.emit('exam:unwatch', { examId: current })
    socket.off('exam:progress', onProgress)
    socket.off('exam:leaderboard', onBoard)
    socket.off('connect', subscribe)
  })
  return { progress, top, updatedAt, connected: storeToRefs(store).connected, resync }
}
