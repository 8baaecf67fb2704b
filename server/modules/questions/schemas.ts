// Request and response shapes of the question bank API, and the one row → DTO mapping.
import { Type, type Static } from '@sinclair/typebox'
import { Paging } from '../../lib/schemas.js'
import type { QuestionInput, QuestionOption, QuestionStatus, QuestionType } from './model.js'
import { isoTime } from '../../lib/time.js'

const QuestionType = Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('judge'), Type.Literal('fill')])
const QuestionStatus = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('retired')])
const Option = Type.Object({ key: Type.String(), text: Type.String() })

export const QuestionBody = Type.Object({
  id: Type.Integer(),
  type: QuestionType,
  stem: Type.String(),
  options: Type.Optional(Type.Array(Option)),
  /** single "B"; multiple ["A","C"]; judge true|false; fill [["1921","1921年"]]. */
  answer: Type.Unknown(),
  explanation: Type.Optional(Type.String()),
  category: Type.String(),
  tags: Type.Array(Type.String()),
  difficulty: Type.Integer(),
  source: Type.Optional(Type.String()),
  status: QuestionStatus,
  validUntil: Type.Union([Type.String(), Type.Null()]),
  version: Type.Integer(),
  bankId: Type.Union([Type.String(), Type.Null()]),
  authorId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

/**
 * What POST and PUT accept. Only presence and rough shape are checked here; validateQuestion is
 * the real gate (shared with importers and the shipped bank) and names the field in its 400.
 * Extra fields (id, version … of a question read back) are ignored, so a GET body can be PUT again.
 */
export const QuestionInputBody = Type.Object({
  type: Type.String({ description: 'single | multiple | judge | fill' }),
  stem: Type.String(),
  options: Type.Optional(Type.Unknown({ description: '[{key:"A", text}]，单选、多选必填' })),
  answer: Type.Unknown(),
  explanation: Type.Optional(Type.Unknown()),
  category: Type.String(),
  tags: Type.Optional(Type.Unknown()),
  difficulty: Type.Optional(Type.Unknown()),
  source: Type.Optional(Type.Unknown()),
  status: Type.Optional(Type.Unknown({ description: 'draft | published | retired' })),
  validUntil: Type.Optional(Type.Unknown({ description: 'YYYY-MM-DD 或 null' })),
})

export const QuestionFilterFields = {
  category: Type.Optional(Type.String({ maxLength: 200, description: '分类路径，含其下级分类' })),
  type: Type.Optional(QuestionType),
  difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  status: Type.Optional(QuestionStatus),
  tag: Type.Optional(Type.String({ maxLength: 50 })),
  q: Type.Optional(Type.String({ maxLength: 100, description: '题干、解析、出处、标签中的文字' })),
}

export const ListQuestionsQuery = Type.Object({ ...QuestionFilterFields, ...Paging })

export const ExportQuery = Type.Object({
  ...QuestionFilterFields,
  format: Type.Optional(Type.Union([Type.Literal('xlsx'), Type.Literal('json')], { default: 'xlsx' })),
})

export const RevisionBody = Type.Object({
  version: Type.Integer(),
  snapshot: Type.Unknown(),
  editorId: Type.Union([Type.Integer(), Type.Null()]),
  editorName: Type.Union([Type.String(), Type.Null()]),
  at: Type.String(),
})

export const BulkBody = Type.Object({
  ids: Type.Array(Type.Integer({ minimum: 1, maximum: 2147483647 }), { minItems: 1, maxItems: 5000 }),
  action: Type.Union([Type.Literal('publish'), Type.Literal('retire'), Type.Literal('draft'), Type.Literal('move'), Type.Literal('tag')]),
  category: Type.Optional(Type.String({ maxLength: 200 })),
  tags: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 })),
})

export const CategoryBody = Type.Object({ path: Type.String(), count: Type.Integer() })
export const CreateCategoryBody = Type.Object({ path: Type.String({ minLength: 1, maxLength: 200 }) })
export const RenameCategoryBody = Type.Object({
  from: Type.String({ minLength: 1, maxLength: 200 }),
  to: Type.String({ minLength: 1, maxLength: 200 }),
})
export const CategoryQuery = Type.Object({ path: Type.String({ minLength: 1, maxLength: 200 }) })

export const ImportQuery = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ default: false })),
  skipInvalid: Type.Optional(Type.Boolean({ default: false })),
  asDraft: Type.Optional(
    Type.Boolean({
      default: false,
      description: '全部作为草稿导入（审核后再发布，发布前不会被考试和练习抽取）；否则按文件中的状态，缺省为已发布',
    }),
  ),
})

export const ImportResult = Type.Object({
  imported: Type.Integer(),
  /** Same fingerprint as a question already in the bank, or as an earlier row of the file (then `duplicateOfRow`). */
  duplicates: Type.Array(
    Type.Object({
      row: Type.Integer(),
      existingId: Type.Union([Type.Integer(), Type.Null()]),
      duplicateOfRow: Type.Optional(Type.Integer()),
    }),
  ),
  errors: Type.Array(Type.Object({ row: Type.Integer(), message: Type.String() })),
  dryRun: Type.Boolean(),
  /** Dry run only: the first 200 readable items as they would be stored. */
  preview: Type.Optional(Type.Array(Type.Unknown())),
})

// ---- rows → DTO ----

export interface QuestionRow {
  id: number
  bank_id: string | null
  type: QuestionType
  stem: string
  options: QuestionOption[] | null
  answer: unknown
  explanation: string | null
  category: string
  tags: string[]
  difficulty: number
  source: string | null
  status: QuestionStatus
  valid_until: string | null
  version: number
  author_id: number | null
  created_at: Date
  updated_at: Date
}

export interface QuestionDto {
  id: number
  type: QuestionType
  stem: string
  options?: QuestionOption[]
  answer: unknown
  explanation?: string
  category: string
  tags: string[]
  difficulty: number
  source?: string
  status: QuestionStatus
  validUntil: string | null
  version: number
  bankId: string | null
  authorId: number | null
  createdAt: string
  updatedAt: string
}

export function toQuestionDto(r: QuestionRow): QuestionDto {
  return {
    id: r.id,
    type: r.type,
    stem: r.stem,
    ...(r.options && { options: r.options }),
    answer: r.answer,
    ...(r.explanation && { explanation: r.explanation }),
    category: r.category,
    tags: r.tags ?? [],
    difficulty: r.difficulty,
    ...(r.source && { source: r.source }),
    status: r.status,
    validUntil: r.valid_until,
    version: r.version,
    bankId: r.bank_id,
    authorId: r.author_id,
    createdAt: isoTime(r.created_at),
    updatedAt: isoTime(r.updated_at),
  }
}

/** The portable form (export, revision snapshots): the public question without id, importable again as is. */
export function toPortable(r: QuestionRow): QuestionInput {
  return {
    type: r.type,
    stem: r.stem,
    ...(r.options && { options: r.options }),
    answer: r.answer as QuestionInput['answer'],
    ...(r.explanation && { explanation: r.explanation }),
    category: r.category,
    ...(r.tags?.length && { tags: r.tags }),
    difficulty: r.difficulty,
    ...(r.source && { source: r.source }),
    status: r.status,
    ...(r.valid_until && { validUntil: r.valid_until }),
  }
}

// Types of the shapes above, for services and (type-only) for the web app.
export type CategoryDto = Static<typeof CategoryBody>
export type RevisionDto = Static<typeof RevisionBody>
export type BulkInput = Static<typeof BulkBody>
export type QuestionImportResult = Static<typeof ImportResult>
