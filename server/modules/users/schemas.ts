import { MAX_IMPORT_ROWS } from '../../lib/sheets/limits.js'
import { Type, type Static } from '@sinclair/typebox'
import { Paging, Role, Text } from '../../lib/schemas.js'

export const CreateUserBody = Type.Object({
  username: Text(64, { pattern: '^[A-Za-z0-9_.@-]+$' }),
  name: Text(40),
  password: Type.String({ minLength: 1, maxLength: 128 }),
  orgId: Type.Integer({ minimum: 1 }),
  role: Role,
  mustChangePassword: Type.Optional(Type.Boolean()),
})

export const UpdateUserBody = Type.Object(
  {
    name: Type.Optional(Text(40)),
    orgId: Type.Optional(Type.Integer({ minimum: 1 })),
    role: Type.Optional(Role),
    active: Type.Optional(Type.Boolean()),
    /** Reset by staff: the person must choose a new one at next login. */
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** Admins: clear a lost second factor (TOTP); the person sets a new one up. */
    resetTotp: Type.Optional(Type.Literal(true)),
  },
  { minProperties: 1 },
)

export const ListUsersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 64 })),
  orgId: Type.Optional(Type.Integer({ minimum: 1 })),
  role: Type.Optional(Role),
  active: Type.Optional(Type.Boolean()),
  ...Paging,
})

/** A client-chosen name for one import, to poll its progress by: random, so not guessable, and only ever looked up under the caller's own user id. */
const ProgressId = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' })

export const ImportQuery = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ default: false })),
  skipInvalid: Type.Optional(Type.Boolean({ default: false })),
  /** Set to follow the import's progress at GET /users/import/progress/{progressId} while it runs. */
  progressId: Type.Optional(ProgressId),
})

export const ImportProgressParams = Type.Object({ progressId: ProgressId })

export const ImportProgress = Type.Object({
  /** reading the file → checking rows → hashing new people's passwords → writing → done (or failed). */
  phase: Type.Union([
    Type.Literal('reading'),
    Type.Literal('checking'),
    Type.Literal('hashing'),
    Type.Literal('writing'),
    Type.Literal('done'),
    Type.Literal('failed'),
  ]),
  /** Rows (or, while hashing, new people) done so far in this phase, of `total`. */
  processed: Type.Integer(),
  total: Type.Integer(),
  /**
   * Set with `failed` when the server knows why and the person must hear it: the import stopped
   * moving (its server restarted or failed mid-way) and wrote nobody.
   */
  message: Type.Optional(Type.String()),
})

export const ImportResult = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  /** `sheet` is set when the workbook has several sheets (the message then names sheet and row). */
  errors: Type.Array(Type.Object({ row: Type.Integer(), sheet: Type.Optional(Type.String()), message: Type.String() })),
  dryRun: Type.Boolean(),
  /** Sheets left out and why, e.g. 已跳过工作表「说明」：不是人员表（…）. */
  notes: Type.Optional(Type.Array(Type.String())),
  preview: Type.Optional(Type.Array(Type.Any())),
})

// Types of the shapes above, for services and (type-only) for the web app.
export type CreateUserInput = Static<typeof CreateUserBody>
export type UpdateUserInput = Static<typeof UpdateUserBody>
export type ListUsersFilter = Static<typeof ListUsersQuery>
export type UserImportResult = Static<typeof ImportResult>
export type UserImportProgress = Static<typeof ImportProgress>

/**
 * The generated initial passwords an import showed once, sent back to be handed out as a sheet.
 * The server keeps none of them (only their hashes); this only lays out what the caller holds.
 */
export const InitialPasswordsBody = Type.Object(
  {
    people: Type.Array(
      Type.Object(
        {
          username: Type.String({ minLength: 1, maxLength: 64 }),
          name: Type.String({ maxLength: 100 }),
          initialPassword: Type.String({ minLength: 1, maxLength: 128 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_IMPORT_ROWS },
    ),
  },
  { additionalProperties: false },
)
