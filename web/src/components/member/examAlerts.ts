// Exam day comes first: the exams open for me now, or opening within the hour, shared by the
// home page's banner and the badge on the 考试 tab. One list, refreshed at most every 30 s.
import { computed, ref } from 'vue'
import { examsApi, type Exam } from '@/api/exams'

const SOON_MS = 60 * 60_000
export const memberExams = ref<Exam[] | null>(null)
let loadedAt = 0
let inflight: Promise<void> | null = null
const tick = ref(Date.now())
let timer: ReturnType<typeof setInterval> | null = null

/**
 * The exams I may sit: those carrying my own status. A secretary's list also holds the exams she
 * only watches (staff view); the member pages show neither those nor an admin's.
 */
export const invitedOnly = (list: Exam[]) => list.filter((e) => e.myStatus !== undefined)

export function refreshExams(force = false): Promise<void> {
  if (!force && Date.now() - loadedAt < 30_000 && memberExams.value) return Promise.resolve()
  inflight ??= examsApi
    .list()
    .then((list) => {
      memberExams.value = invitedOnly(list)
      loadedAt = Date.now()
    })
    .catch(() => {
      memberExams.value ??= []
    })
    .finally(() => {
      inflight = null
    })
  timer ??= setInterval(() => (tick.value = Date.now()), 30_000)
  return inflight
}

/** Running first, then open now, then opening within the hour. */
export const urgentExams = computed(() => {
  const now = tick.value
  return (memberExams.value ?? []).filter(
    (e) =>
      e.myStatus === 'in_progress' ||
      e.myStatus === 'available' ||
      (e.myStatus === 'upcoming' && new Date(e.opensAt).getTime() - now <= SOON_MS),
  )
})

export const minutesUntil = (iso: string) => Math.max(0, Math.ceil((new Date(iso).getTime() - tick.value) / 60_000))
