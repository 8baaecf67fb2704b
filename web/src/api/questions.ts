// The question bank API and the category tree built from its flat path list.
import { del, download, get, post, put, upload } from '@/api/client'
import type {
  AnswerKey,
  BulkInput,
  Category,
  QuestionDto,
  QuestionImportResult as ImportResultDto,
  QuestionInput,
  QuestionOption,
  QuestionStatus,
  QuestionType,
  RevisionDto,
} from '@/api/contracts'
import { toQuery, type Page } from '@/api/types'

export type { AnswerKey, Category, QuestionInput, QuestionOption, QuestionStatus, QuestionType }
export const QUESTION_TYPES: QuestionType[] = ['single', 'multiple', 'judge', 'fill']
export const QUESTION_STATUSES: QuestionStatus[] = ['draft', 'published', 'retired']
export const OPTION_KEYS = ['A', 'B', 'C', 'D', 'E', 'F'] as const
/** How a blank is written in a fill stem; authors may type any run of four or more underscores. */
export const FILL_BLANK = '____'
export const BLANK_RUN = /_{4,}/g

/** A stored question; the schema leaves the answer key open, its shape is the model's AnswerKey. */
export type Question = Omit<QuestionDto, 'answer'> & { answer: AnswerKey }
/** An old version: the snapshot is the portable question as it was then. */
export type Revision = Omit<RevisionDto, 'snapshot'> & { snapshot: QuestionInput & { version: number } }
/** A dry run's preview rows are the questions as they would be stored, with their row number. */
export type QuestionImportResult = Omit<ImportResultDto, 'preview'> & { preview?: (QuestionInput & { row: number; duplicate?: boolean })[] }
export type ImportDuplicate = QuestionImportResult['duplicates'][number]
export type BulkAction = BulkInput['action']

export interface QuestionFilter {
  category?: string
  type?: QuestionType | ''
  difficulty?: number | ''
  status?: QuestionStatus | ''
  tag?: string
  q?: string
}

const filterQuery = (f: QuestionFilter, extra: Record<string, string | number> = {}) => toQuery({ ...f, ...extra }).slice(1)

export const questionsApi = {
  list: (f: QuestionFilter, page: number, pageSize: number) => get<Page<Question>>(`/api/questions?${filterQuery(f, { page, pageSize })}`),
  get: (id: number) => get<Question>(`/api/questions/${id}`),
  create: (q: QuestionInput) => post<Question>('/api/questions', q),
  update: (id: number, q: QuestionInput) => put<Question>(`/api/questions/${id}`, q),
  /** Resolves with the retired question when it had been answered (200), undefined when deleted (204). */
  remove: (id: number) => del<Question | undefined>(`/api/questions/${id}`),
  revisions: (id: number) => get<Revision[]>(`/api/questions/${id}/revisions`),
  bulk: (ids: number[], action: BulkAction, extra: Omit<BulkInput, 'ids' | 'action'> = {}) =>
    post<{ updated: number }>('/api/questions/bulk', { ids, action, ...extra } satisfies BulkInput),
  categories: () => get<Category[]>('/api/questions/categories'),
  createCategory: (path: string) => post<Category>('/api/questions/categories', { path }),
  renameCategory: (from: string, to: string) => post<{ updated: number }>('/api/questions/categories/rename', { from, to }),
  deleteCategory: (path: string) => del<void>(`/api/questions/categories?${new URLSearchParams({ path })}`),
  importFile: (file: File, opts: { dryRun: boolean; skipInvalid?: boolean; asDraft?: boolean }, onProgress?: (percent: number) => void) =>
    upload<QuestionImportResult>(
      `/api/questions/import?dryRun=${opts.dryRun}&skipInvalid=${opts.skipInvalid ?? false}&asDraft=${opts.asDraft ?? false}`,
      file,
      onProgress,
      {
        waitOutBusy: true,
      },
    ),
  exportFile: (format: 'xlsx' | 'json', f: QuestionFilter, filename: string) =>
    download(`/api/questions/export?${filterQuery(f, { format })}`, filename),
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
