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
  ...subjectOf(entry),
  min_generation: entry.minGeneration,
  created_at: entry.createdAt,
  expires_at: entry.expiresAt,
  // DynamoDB deletes lazily; readers still ignore entries past expires_at.
  ttl: Math.ceil(entry.expiresAt / 1000),
})

const subjectOf = (entry: DenyEntry): Item => {
  switch (entry.kind) {
    case 'token':
      return { atid: entry.atid }
    case 'owner':
      return { sub: entry.sub }
    case 'policy':
      return { tpid: entry.tpid }
    case 'jwt':
      return { jti: entry.jti }
  }
}

/** Which attribute names each kind's subject, so an item naming two is malformed. */
const SUBJECT_ATTRIBUTES = { token: 'atid', owner: 'sub', policy: 'tpid', jwt: 'jti' } as const

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
  const { id, kind, min_generation, created_at, expires_at } = item
  const subjectAttribute =
    typeof kind === 'string' && Object.hasOwn(SUBJECT_ATTRIBUTES, kind)
      ? SUBJECT_ATTRIBUTES[kind as keyof typeof SUBJECT_ATTRIBUTES]
      : undefined
  const subject = subjectAttribute === undefined ? undefined : item[subjectAttribute]
  if (
    typeof id === 'string' &&
    typeof subject === 'string' &&
    Object.values(SUBJECT_ATTRIBUTES).every(
      (name) => name === subjectAttribute || item[name] === undefined,
    ) &&
    typeof min_generation === 'number' &&
    Number.isSafeInteger(min_generation) &&
    // A generation entry of 0 would refuse nothing; a `jwt` entry refuses its JTI whatever it says.
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
    switch (kind) {
      case 'token':
        return { ...common, kind, atid: subject }
      case 'owner':
        return { ...common, kind, sub: subject }
      case 'policy':
        return { ...common, kind, tpid: subject }
      case 'jwt':
        return { ...common, kind, jti: subject }
    }
  }
  throw new TollgateError('internal', 'A stored deny-list entry is malformed.', {
    cause: new Error(`malformed deny-list entry ${String(item.pk)}/${String(item.sk)}`),
  })
}
