import { TollgateError } from '../core/errors.js'
import type { DenyEntry } from '../core/records.js'
import { itemKeys, timeKey } from './token-table.js'

type Item = Record<string, unknown>

/**
 * Deny-list entries as items: one partition per hour of revocations, read by
 * the authorizer. Checked on read like every stored item, with plain code
 * rather than zod: the authorizer's first deny-list load reads them, and
 * loading zod's schemas for the token table there cost its cold start
 * milliseconds (docs/benchmarks.md).
 */

/** `DENY#2026-12-01T22`: one partition per hour of revocations, read by the authorizer. */
export const denyPartition = (at: number): string =>
  itemKeys.denyListPartition(new Date(at).toISOString().slice(0, 13)).pk

export const denySortKey = (at: number, id: string): string => `${timeKey(at)}#${id}`

export const denyToItem = (entry: DenyEntry): Item => ({
  pk: denyPartition(entry.createdAt),
  sk: denySortKey(entry.createdAt, entry.id),
  id: entry.id,
  kind: entry.kind,
  ...denyTarget(entry),
  min_generation: entry.minGeneration,
  created_at: entry.createdAt,
  expires_at: entry.expiresAt,
  // DynamoDB deletes lazily; readers still ignore entries past expires_at.
  ttl: Math.ceil(entry.expiresAt / 1000),
})

const denyTarget = (entry: DenyEntry): Item => {
  if (entry.kind === 'token') return { atid: entry.atid }
  if (entry.kind === 'owner') return { sub: entry.sub }
  return { jti: entry.jti }
}

const isTime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0

/**
 * The entry an item holds; a malformed one is `internal` (never a verdict,
 * never an entry that refuses nothing), naming its key and never its content.
 *
 * @example
 * const entries = page.items.map(itemToDeny)
 */
export const itemToDeny = (item: Item): DenyEntry => {
  const { id, kind, atid, sub, jti, min_generation, created_at, expires_at } = item
  if (
    typeof id === 'string' &&
    typeof min_generation === 'number' &&
    Number.isSafeInteger(min_generation) &&
    // A `jwt` entry names one JWT and no generation; the others refuse below a positive one.
    (kind === 'jwt' ? min_generation === 0 : min_generation > 0) &&
    isTime(created_at) &&
    isTime(expires_at)
  ) {
    const common = {
      id,
      createdAt: created_at,
      expiresAt: expires_at,
      minGeneration: min_generation,
    }
    if (
      kind === 'token' &&
      typeof atid === 'string' &&
      (sub === undefined || typeof sub === 'string')
    ) {
      return { ...common, kind: 'token', atid }
    }
    if (
      kind === 'owner' &&
      typeof sub === 'string' &&
      (atid === undefined || typeof atid === 'string')
    ) {
      return { ...common, kind: 'owner', sub }
    }
    if (
      kind === 'jwt' &&
      typeof jti === 'string' &&
      jti.length > 0 &&
      atid === undefined &&
      sub === undefined
    ) {
      return { ...common, kind: 'jwt', jti }
    }
  }
  throw new TollgateError('internal', 'A stored deny-list entry is malformed.', {
    cause: new Error(`malformed deny-list entry ${String(item.pk)}/${String(item.sk)}`),
  })
}
