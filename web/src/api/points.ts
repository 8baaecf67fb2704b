// Study points: my progress and ledger, the rules (and their versions), adjustments, automation
// flags and the points leaderboard. The shapes are the server's (points/schemas.ts, via contracts.ts).
import { get, post } from './client'
import type { FlagRow, LedgerPage, MyPointsBody, PointsLeaderboardRow, PointsPeriod, RuleDto } from './contracts'
import { toQuery, type Page } from './types'

export type MyPoints = MyPointsBody
export type RuleProgress = MyPoints['rules'][number]
export type LedgerItem = LedgerPage['items'][number]
export type PointRule = RuleDto

/** A new version of a rule from `effectiveFrom`; an omitted field keeps the current value. */
export interface RuleChange {
  rule: string
  effectiveFrom: string
  name?: string
  points?: number
  dailyCap?: number | null
  weeklyCap?: number | null
  unitSeconds?: number
}

export interface Adjustment {
  userId: number
  points: number
  reason: string
  requestId: string
}

/** Someone whose answering looks automated (many answers, implausibly fast). */
export type Flag = FlagRow

export interface PointsBoardQuery {
  period: PointsPeriod
  orgId: number
  by: 'user' | 'org'
}

let rulesCache: Promise<PointRule[]> | null = null

export const pointsApi = {
  mine: () => get<MyPoints>('/api/points/me'),
  ledger: (page: number, pageSize = 20) => get<Page<LedgerItem>>(`/api/points/ledger${toQuery({ page, pageSize })}`),
  /** Rules change rarely: fetched once per page load (names for the award toasts). */
  rules: () =>
    (rulesCache ??= get<PointRule[]>('/api/points/rules').catch((e) => {
      rulesCache = null
      throw e
    })),
  /** The current rules, fresh (the console edits them). */
  currentRules: () => get<PointRule[]>('/api/points/rules'),
  changeRule: (change: RuleChange) => post<PointRule>('/api/points/rules', change),
  /** Idempotent per requestId: a retry answers `duplicate: true` and adds nothing. */
  adjust: (body: Adjustment) => post<{ ok: boolean; duplicate: boolean }>('/api/points/adjustments', body),
  flags: () => get<Flag[]>('/api/points/flags'),
  leaderboard: (q: PointsBoardQuery) => get<PointsLeaderboardRow[]>(`/api/leaderboards/points${toQuery(q)}`),
}
