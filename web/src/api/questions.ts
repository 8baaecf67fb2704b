// The question bank API and the category tree built from its flat path list.
import { del, download, get, post, put, upload } from '@/api/client'
import type { Page } from '@/api/types'

export type QuestionType = 'single' | 'multiple' | 'judge' | 'fill'
export type QuestionStatus = 'draft' | 'published' | 'retired'
export const QUESTION_TYPES: QuestionType[] = ['single', 'multiple', 'judge', 'fill']
export const QUESTION_STATUSES: QuestionStatus[] = ['draft', 'published', 'retired']
export const OPTION_KEYS = ['A', 'B', 'C', 'D', 'E', 'F'] as const
/** How a blank is written in a fill stem; authors may type any run of four or more underscores. */
export const FILL_BLANK = '____'
export const BLANK_RUN = /_{4,}/g

export interface QuestionOption { key: string; text: string }
/** single "B"; multiple ["A","C"]; judge true|false; fill one list of accepted strings per blank. */
export type AnswerKey = string | string[] | boolean | string[][]

export interface QuestionInput {
  type: QuestionType
  stem: string
  options?: QuestionOption[]
  answer: AnswerKey
  explanation?: string
  category: string
  tags?: string[]
  difficulty?: number
  source?: string
  status?: QuestionStatus
  validUntil?: string | null
}

export interface Question extends QuestionInput {
  id: number
  tags: string[]
  difficulty: number
  status: QuestionStatus
  validUntil: string | null
  version: number
  bankId: string | null
  authorId: number | null
  createdAt: string
  updatedAt: string
}

export interface QuestionFilter {
  category?: string
  type?: QuestionType | ''
  difficulty?: number | ''
  status?: QuestionStatus | ''
  tag?: string
  q?: string
}

export interface Category { path: string; count: number }
export interface Revision { version: number; snapshot: QuestionInput & { version: number }; editorId: number | null; editorName: string | null; at: string }
export type BulkAction = 'publish' | 'retire' | 'draft' | 'move' | 'tag'

export interface ImportDuplicate { row: number; existingId: number | null; duplicateOfRow?: number }
export interface QuestionImportResult {
  imported: number
  duplicates: ImportDuplicate[]
  errors: { row: number; message: string }[]
  dryRun: boolean
  preview?: (QuestionInput & { row: number; duplicate?: boolean })[]
}

function filterQuery(f: QuestionFilter, extra: Record<string, string | number> = {}): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries({ ...f, ...extra })) {
    if (v !== undefined && v !== null && String(v).trim() !== '') qs.set(k, String(v).trim())
  }
  return qs.toString()
}

export const questionsApi = {
  list: (f: QuestionFilter, page: number, pageSize: number) => get<Page<Question>>(`/api/questions?${filterQuery(f, { page, pageSize })}`),
  get: (id: number) => get<Question>(`/api/questions/${id}`),
  create: (q: QuestionInput) => post<Question>('/api/questions', q),
  update: (id: number, q: QuestionInput) => put<Question>(`/api/questions/${id}`, q),
  /** Resolves with the retired question when it had been answered (200), undefined when deleted (204). */
  remove: (id: number) => del<Question | undefined>(`/api/questions/${id}`),
  revisions: (id: number) => get<Revision[]>(`/api/questions/${id}/revisions`),
  bulk: (ids: number[], action: BulkAction, extra: { category?: string; tags?: string[] } = {}) =>
    post<{ updated: number }>('/api/questions/bulk', { ids, action, ...extra }),
  categories: () => get<Category[]>('/api/questions/categories'),
  createCategory: (path: string) => post<Category>('/api/questions/categories', { path }),
  renameCategory: (from: string, to: string) => post<{ updated: number }>('/api/questions/categories/rename', { from, to }),
  deleteCategory: (path: string) => del<void>(`/api/questions/categories?${new URLSearchParams({ path })}`),
  importFile: (file: File, opts: { dryRun: boolean; skipInvalid?: boolean }, onProgress?: (percent: number) => void) =>
    upload<QuestionImportResult>(`/api/questions/import?dryRun=${opts.dryRun}&skipInvalid=${opts.skipInvalid ?? false}`, file, onProgress),
  exportFile: (format: 'xlsx' | 'json', f: QuestionFilter, filename: string) => download(`/api/questions/export?${filterQuery(f, { format })}`, filename),
  template: (filename: string) => download('/api/questions/template', filename),
}

// ---- category tree ----

export interface CategoryNode {
  path: string
  label: string
  /** Questions filed exactly here. */
  count: number
  /** Questions here and in every sub-category. */
  total: number
  children: CategoryNode[]
}

/** Builds the tree from paths like "党史/新民主主义革命时期"; missing parents are made up on the way. */
export function buildCategoryTree(categories: Category[]): CategoryNode[] {
  const roots: CategoryNode[] = []
  const byPath = new Map<string, CategoryNode>()
  const ensure = (path: string): CategoryNode => {
    const hit = byPath.get(path)
    if (hit) return hit
    const cut = path.lastIndexOf('/')
    const node: CategoryNode = { path, label: path.slice(cut + 1), count: 0, total: 0, children: [] }
    byPath.set(path, node)
    if (cut > 0) ensure(path.slice(0, cut)).children.push(node)
    else roots.push(node)
    return node
  }
  for (const c of categories) ensure(c.path).count += c.count
  const sum = (n: CategoryNode): number => (n.total = n.count + n.children.reduce((s, c) => s + sum(c), 0))
  roots.forEach(sum)
  return roots
}

/** How many blanks a fill stem has (at least one: a stem without markers has its blank at the end). */
export function blankCount(stem: string): number {
  return Math.max(1, (stem.match(BLANK_RUN) ?? []).length)
}
