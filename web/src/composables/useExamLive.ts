// Live progress and leaderboard of one exam: one REST call to start (and after every reconnect),
// then socket pushes. The same shapes either way, because pushes are projections of that call.
import { onBeforeUnmount, ref } from 'vue'
import { get } from '@/api/client'
import { getSocket, realtimeConnected } from '@/api/realtime'
import type { ExamLeaderboardRow, ExamProgress } from '../../../server/realtime/events-map'

export function useExamLive(examId: number, opts: { progress: boolean }) {
  const progress = ref<ExamProgress | null>(null)
  const top = ref<ExamLeaderboardRow[]>([])
  const updatedAt = ref<Date | null>(null)
  const socket = getSocket()

  async function resync() {
    if (opts.progress) progress.value = { examId, ...(await get<Omit<ExamProgress, 'examId'>>(`/api/exams/${examId}/monitor`)) }
    top.value = (await get<ExamLeaderboardRow[]>(`/api/exams/${examId}/leaderboard`)).slice(0, 10)
    updatedAt.value = new Date()
  }

  const onProgress = (p: ExamProgress) => { if (p.examId === examId) { progress.value = p; updatedAt.value = new Date() } }
  const onBoard = (p: { examId: number; top: ExamLeaderboardRow[] }) => { if (p.examId === examId) { top.value = p.top; updatedAt.value = new Date() } }
  const watch = () => { socket.emit('exam:watch', { examId }); void resync() }

  socket.on('exam:progress', onProgress)
  socket.on('exam:leaderboard', onBoard)
  socket.on('connect', watch)
  if (socket.connected) watch()
  else void resync()

  onBeforeUnmount(() => {
    socket.emit('exam:unwatch', { examId })
    socket.off('exam:progress', onProgress)
    socket.off('exam:leaderboard', onBoard)
    socket.off('connect', watch)
  })
  return { progress, top, updatedAt, connected: realtimeConnected, resync }
}
