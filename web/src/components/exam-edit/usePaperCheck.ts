// The wizard's live check of the paper against the bank: debounced while the author edits, a sample
// paper and the total when it works, each rule's stock when the bank is short.
import { computed, onBeforeUnmount, ref, watch, type Ref } from 'vue'
import type { ApiError } from '@/api/client'
import { examsApi, isFixedPaper, type PaperPreview, type PaperRule, type PaperSpec } from '@/api/exams'
import { shortRuleOf, round2 } from '@/components/exams-console/model'

export function usePaperCheck(spec: Ref<PaperSpec | null>) {
  const preview = ref<PaperPreview | null>(null)
  const previewError = ref('')
  const availability = ref<(number | undefined)[]>([])
  const checking = ref(false)
  let checkSeq = 0
  let checkDone: Promise<void> = Promise.resolve()
  let debounce: ReturnType<typeof setTimeout> | undefined
  let pending = false

  async function probeRules(rules: PaperRule[]) {
    // One rule at a time with count 1: learns each rule's stock even when several are short.
    return Promise.all(
      rules.map((r) =>
        examsApi
          .preview({ rules: [{ ...r, count: 1 }] })
          .then((p) => p.rules?.[0]?.available)
          .catch((e: ApiError) => (e.status === 422 ? (shortRuleOf(e)?.available ?? 0) : undefined)),
      ),
    )
  }

  function checkPaper() {
    const paper = spec.value
    const seq = ++checkSeq
    if (!paper) {
      preview.value = null
      previewError.value = ''
      availability.value = []
      checking.value = false
      return
    }
    checking.value = true
    checkDone = (async () => {
      try {
        const p = await examsApi.preview(paper)
        if (seq !== checkSeq) return
        preview.value = p
        previewError.value = ''
        availability.value = p.rules?.map((r) => r.available) ?? []
      } catch (e) {
        if (seq !== checkSeq) return
        preview.value = null
        previewError.value = (e as ApiError).message
        if (!isFixedPaper(paper) && (e as ApiError).status === 422) {
          const stock = await probeRules(paper.rules)
          if (seq === checkSeq) availability.value = stock
        } else availability.value = []
      } finally {
        if (seq === checkSeq) checking.value = false
      }
    })()
  }
  watch(
    () => JSON.stringify(spec.value),
    () => {
      clearTimeout(debounce)
      pending = true
      checking.value = !!spec.value
      debounce = setTimeout(() => {
        pending = false
        checkPaper()
      }, 400)
    },
  )
  /** Waits for the paper check to reflect the current spec (runs a pending one at once). */
  async function settlePaper() {
    if (pending) {
      clearTimeout(debounce)
      pending = false
      checkPaper()
    }
    await checkDone
  }
  onBeforeUnmount(() => clearTimeout(debounce))

  const byType = computed(() => {
    const out = new Map<string, { n: number; score: number }>()
    for (const q of preview.value?.questions ?? []) {
      const t = out.get(q.type) ?? { n: 0, score: 0 }
      t.n++
      t.score = round2(t.score + q.score)
      out.set(q.type, t)
    }
    return [...out.entries()]
  })

  return { preview, previewError, availability, checking, checkPaper, settlePaper, byType }
}
