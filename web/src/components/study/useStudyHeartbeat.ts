// Verified study time from the reader's side: a heartbeat every `heartbeatSeconds` while the page
// is visible, one with visible:false when it is hidden. The server decides what counts; this only
// reports what it credited and announces the awards.
import { onBeforeUnmount, ref } from 'vue'
import { studyApi, type Award } from '@/api/study'
import { toastAwards } from './rules'

export function useStudyHeartbeat(onAward?: (awards: Award[]) => void) {
  const creditedSeconds = ref(0)
  const visible = ref(document.visibilityState === 'visible')
  const awards = ref<Award[]>([])
  let materialId: number | null = null
  let timer: ReturnType<typeof setInterval> | null = null
  let everyMs = 15_000

  async function beat(isVisible: boolean, id = materialId) {
    if (id === null) return
    try {
      const res = await studyApi.heartbeat(id, isVisible)
      creditedSeconds.value += res.creditedSeconds
      if (res.awards.length) {
        awards.value.push(...res.awards)
        onAward?.(res.awards)
        void toastAwards(res.awards)
      }
    } catch {
      /* a lost beat only loses its seconds; the next one carries on */
    }
  }

  function startTimer() {
    stopTimer()
    timer = setInterval(() => {
      if (document.visibilityState === 'visible') void beat(true)
    }, everyMs)
  }
  function stopTimer() {
    if (timer) clearInterval(timer)
    timer = null
  }

  function onVisibility() {
    visible.value = document.visibilityState === 'visible'
    if (!visible.value) {
      stopTimer()
      void beat(false)
    } else {
      // Back in view: this beat restarts the server's clock without crediting the hidden gap.
      void beat(false)
      startTimer()
    }
  }

  /** Starts counting for one material. The first beat starts the server's clock (it credits nothing). */
  function start(id: number, heartbeatSeconds: number) {
    materialId = id
    everyMs = Math.max(5, heartbeatSeconds) * 1000
    document.addEventListener('visibilitychange', onVisibility)
    if (document.visibilityState === 'visible') {
      void beat(false)
      startTimer()
    }
  }

  /** Stops counting; a last beat credits the reading done since the previous one. */
  function stop() {
    stopTimer()
    document.removeEventListener('visibilitychange', onVisibility)
    if (materialId !== null && document.visibilityState === 'visible') void beat(true, materialId)
    materialId = null
  }

  /** An extra beat now (while visible), e.g. right after a threshold, so it is counted without waiting for the next one. */
  function beatNow() {
    if (document.visibilityState === 'visible') void beat(true)
  }

  onBeforeUnmount(stop)
  return { creditedSeconds, visible, awards, start, stop, beatNow }
}
