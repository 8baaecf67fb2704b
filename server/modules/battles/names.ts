// How players appear to each other: by name only when the privacy rule allows it (the deployment's
// leaderboard switch and each person's consent), else masked (张*); always with their unit. A player
// always sees her own name. Fixed when the battle is made, as the hall screen fixes a contest's.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import { boardRowsOrNone, maskName } from '../privacy/index.js'
import type { LivePlayer } from '../../realtime/events-map.js'

export interface PlayerCard {
  /** The name others may see. */
  shown: string
  orgName: string
}

/** One lookup for everyone at the table: the name others may see, and the unit. */
export async function playerCards(
  db: Kysely<Database>,
  people: { userId: number; name: string; orgId: number }[],
): Promise<Map<number, PlayerCard>> {
  const orgIds = [...new Set(people.map((p) => p.orgId))]
  const [shown, orgs] = await Promise.all([
    boardRowsOrNone(db, people, (p) => p.userId),
    orgIds.length ? db.selectFrom('orgs').select(['id', 'name']).where('id', 'in', orgIds).execute() : [],
  ])
  const shownOf = new Map(shown.map((r) => [r.userId, r.name]))
  const orgOf = new Map(orgs.map((o) => [o.id, o.name]))
  // With leaderboards switched off there are no board rows: everyone is masked.
  return new Map(people.map((p) => [p.userId, { shown: shownOf.get(p.userId) ?? maskName(p.name), orgName: orgOf.get(p.orgId) ?? '' }]))
}

/** A player as `viewer` sees her. */
export function seenBy(viewer: number, p: { userId: number; name: string; card: PlayerCard }): LivePlayer & { orgName: string } {
  return { userId: p.userId, name: p.userId === viewer ? p.name : p.card.shown, orgName: p.card.orgName }
}
