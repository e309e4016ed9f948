import type { DenyListReader } from '../core/deny-list.js'
import type { DenyEntry } from '../core/records.js'
import { denyPartition, denySortKey, itemToDeny } from './deny-items.js'
import { translateDynamoDbError } from './dynamodb-errors.js'
import type { Item } from './dynamodb-items.js'

const HOUR_MS = 3_600_000

/**
 * One page of a strongly consistent Query of one partition from a sort key
 * on (`pk = :pk AND sk >= :from`), its items as plain objects; `next` is
 * where the following page starts (opaque: handed back as `start`), or
 * undefined after the last.
 */
export type QueryPartitionPage = (input: {
  readonly tableName: string
  readonly pk: string
  readonly fromSortKey: string
  readonly start: unknown
}) => Promise<{ readonly items: readonly Item[]; readonly next: unknown }>

/**
 * The deny-list as the authorizer reads it: one base-table partition per
 * hour of revocations (`DENY#2026-12-01T22`), each read with a strongly
 * consistent query from the wanted instant on, every page, all partitions
 * at once. Never a GSI, whose lag could hide an entry for good from a
 * reader that has moved its watermark past it. Items are validated as they
 * are read; a store failure is `unavailable`.
 *
 * @example
 * const reader = createDenyListReader(jsonQueryPartitionPage(dynamoDb), 'tollgate')
 * const entries = await reader.entriesSince(since, now)
 */
export const createDenyListReader = (
  queryPage: QueryPartitionPage,
  tableName: string,
): DenyListReader => {
  const queryAll = async (pk: string, fromSortKey: string): Promise<DenyEntry[]> => {
    const entries: DenyEntry[] = []
    let start: unknown
    try {
      do {
        const page = await queryPage({ tableName, pk, fromSortKey, start })
        entries.push(...page.items.map(itemToDeny))
        start = page.next
      } while (start !== undefined)
    } catch (error) {
      throw translateDynamoDbError(error)
    }
    return entries
  }
  return {
    async entriesSince(since, until) {
      const partitions: string[] = []
      for (let hour = Math.floor(since / HOUR_MS) * HOUR_MS; hour <= until; hour += HOUR_MS) {
        partitions.push(denyPartition(hour))
      }
      const pages = await Promise.all(partitions.map((pk) => queryAll(pk, denySortKey(since, ''))))
      return pages.flat()
    },
  }
}
