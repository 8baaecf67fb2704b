// The exams module's runtime state, one per app: exams with their audience kept a few seconds, and
// the draw pools. On exam day every start, save check and watch asks for the same exam, and
// hundreds of starts a second draw from the same rules; both caches take the database out of that.
// Made by buildApp, handed to the modules that read exams (attempts, results, study), closed with
// the app. Edits on this node drop an exam's entry at once; other nodes see them within seconds.
import type { Selectable } from 'kysely'
import type { ExamTable } from '../../db/types.js'
import type { Deps } from '../../lib/deps.js'
import { forbidden, notFound } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { DrawPools, type DrawPool, type PaperSpec } from './draw.js'
import * as q from './queries.js'

export type ExamRow = Selectable<ExamTable>

const EXAM_CACHE_MS = 3_000
const MAX_CACHED_EXAMS = 1_000

export interface ExamWithAudience {
  exam: ExamRow
  audience: string[]
}

/** A secretary sees an exam when its audience and her subtree overlap either way. */
export function examMeetsScope(principal: Principal, audiencePaths: string[]): boolean {
  if (principal.role === 'admin') return true
  return audiencePaths.some((p) => p.startsWith(principal.orgPath) || principal.orgPath.startsWith(p))
}

export function isInAudience(orgPath: string, audiencePaths: string[]) {
  return audiencePaths.some((p) => orgPath.startsWith(p))
}

export class ExamCatalog {
  private exams = new Map<number, { at: number } & ExamWithAudience>()
  private loading = new Map<number, Promise<ExamWithAudience | null>>()
  /** Counts edits seen on this node, so a read that overlapped one is not kept. */
  private edits = 0
  private pools = new DrawPools()

  private readonly onEdited = (id: number) => this.forget(id)

  constructor(private deps: Pick<Deps, 'db' | 'events'>) {
    deps.events.on('exam:edited', this.onEdited)
  }

  /** The exam and its audience paths, or null; at most EXAM_CACHE_MS old. */
  async withAudience(id: number): Promise<ExamWithAudience | null> {
    const hit = this.exams.get(id)
    if (hit && Date.now() - hit.at < EXAM_CACHE_MS) return hit
    // One read per exam at a time. When the entry expires during a wave of starts, every start that
    // arrives before the read returns waits for that read instead of sending its own two statements
    // into the pool's queue behind the wave — which would make the read slower still.
    let load = this.loading.get(id)
    if (!load) {
      const loaded = this.load(id).finally(() => {
        if (this.loading.get(id) === loaded) this.loading.delete(id)
      })
      this.loading.set(id, loaded)
      load = loaded
    }
    return load
  }

  private async load(id: number): Promise<ExamWithAudience | null> {
    const edits = this.edits
    const exam = await q.findExam(this.deps.db, id)
    if (!exam) return null
    const audience = [...(await q.orgPaths(this.deps.db, exam.audience_org_ids as number[])).values()]
    const entry = { at: Date.now(), exam, audience }
    // Read before an edit on this node finished: good for the callers that asked before it, not for later ones.
    if (edits !== this.edits) return entry
    if (this.exams.size > MAX_CACHED_EXAMS) this.exams.clear()
    this.exams.set(id, entry)
    return entry
  }

  /** Loads an exam with its audience paths; 404 when missing, 403 when out of the caller's scope. */
  async inScope(principal: Principal, id: number): Promise<ExamWithAudience> {
    const found = await this.withAudience(id)
    if (!found) throw notFound('考试')
    const allowed =
      principal.role === 'member' ? isInAudience(principal.orgPath, found.audience) : examMeetsScope(principal, found.audience)
    if (!allowed) throw forbidden('不在本次考试范围内')
    return found
  }

  /** What the exam's draws pick from today (shared by exam starts and the practice lock). */
  drawPool(examId: number, spec: PaperSpec, today: string): Promise<DrawPool> {
    return this.pools.get(this.deps.db, examId, spec, today)
  }

  forget(id: number) {
    this.edits++
    this.exams.delete(id)
    this.loading.delete(id)
  }

  close() {
    this.deps.events.off('exam:edited', this.onEdited)
    this.exams.clear()
    this.pools.clear()
  }
}
