// 合规设置 (admins) and what every page needs to know (points on, boards on, the about page).
import { get, patch } from './client'
import type { Policy, PolicyPatch, PublicPolicy, LeaderboardMode } from '../../../server/modules/policy/schemas'

export type { Policy, PolicyPatch, PublicPolicy, LeaderboardMode }

let about: Promise<PublicPolicy> | null = null

export const policyApi = {
  get: () => get<Policy>('/api/policy'),
  update: (body: PolicyPatch) => {
    about = null
    return patch<Policy>('/api/policy', body)
  },
  /** Cached for the page's life: switches change rarely; a change made here clears it. */
  about: (fresh = false) => {
    if (fresh || !about)
      about = get<PublicPolicy>('/api/about').catch((e) => {
        about = null
        throw e
      })
    return about
  },
}
