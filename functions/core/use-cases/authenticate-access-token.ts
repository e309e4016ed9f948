import { parseAccessToken } from '../access-token.js'
import { TollgateError } from '../errors.js'
import { isSameOwner } from '../owners.js'
import type { Clock, Secrets, TokenReader, TokenUseRecorder } from '../ports.js'
import { type AccessTokenRecord, effectiveStatus, type OwnerRecord } from '../records.js'
import { grantedByToken } from '../rights.js'
import { matchesHash } from '../token-hash.js'

export interface AuthenticationDependencies {
  readonly store: TokenReader & TokenUseRecorder
  readonly secrets: Secrets
  readonly clock: Clock
  /** Told when `last_used_at` could not be written; the caller goes on regardless. */
  readonly onUseNotRecorded?: ((tokenId: string, error: unknown) => void) | undefined
}

/** A usable access token, with what it grants now (see `grantedByToken`). */
export interface AuthenticatedToken {
  readonly record: AccessTokenRecord
  readonly owner: OwnerRecord
  readonly roles: readonly string[]
  readonly scopes: readonly string[]
  readonly now: number
}

/** `last_used_at` is a hint for humans; one write a minute per token keeps every use cheap. */
const LAST_USED_RESOLUTION_MS = 60_000

/**
 * Finds the usable record behind an access token string, or throws `invalid_token`.
 * The exchange and the authorizer's Basic path share it, so both apply one rule set.
 *
 * Primary course:
 * 1. Reject a malformed token before any read.
 * 2. Read the record and its owner item in one strongly consistent round trip,
 *    and compare the keyed hash (with the record's pepper version) in constant time.
 * 3. Refuse a token that is revoked or expired, or that its owner no longer
 *    lists (owner-wide revoke, deleted account).
 * 4. Grant its roles and scopes within the owner's current ceiling, and
 *    `tollgate:admin` to a service token keeping the `admin` role.
 */
export const authenticateAccessToken = async (
  deps: AuthenticationDependencies,
  token: unknown,
): Promise<AuthenticatedToken> => {
  const parsed = parseAccessToken(token)
  const found = await deps.store.getTokenWithOwner(parsed.id)
  const record = found.token
  const pepper =
    record === undefined ? undefined : await deps.secrets.pepperOf(record.pepperVersion)
  // One answer for "no such id", "wrong secret" and "wrong kind", so probing learns nothing.
  if (
    record === undefined ||
    pepper === undefined ||
    record.kind !== parsed.kind ||
    !matchesHash(pepper, parsed.value, record.secretHash)
  ) {
    throw new TollgateError('invalid_token', 'The access token is not valid.')
  }
  const owner =
    found.owner !== undefined && isSameOwner(found.owner.ref, record.owner)
      ? found.owner
      : undefined
  const now = deps.clock.now()
  const status = effectiveStatus(record, owner, now)
  if (status !== 'active' || owner === undefined) {
    throw new TollgateError('invalid_token', `The access token is ${status}.`)
  }
  return { record, owner, ...grantedByToken(record, owner.ceiling), now }
}

/**
 * Records a use of the token at most once a minute, under a condition (a
 * concurrent use may win). Best-effort: a failed write is reported, never
 * thrown, so a hint never fails an exchange or denies a caller.
 */
export const recordUse = async (
  deps: AuthenticationDependencies,
  record: AccessTokenRecord,
  now: number,
): Promise<void> => {
  const since = now - LAST_USED_RESOLUTION_MS
  if (record.lastUsedAt !== null && record.lastUsedAt > since) return
  try {
    await deps.store.recordTokenUse(record.id, now, since)
  } catch (error) {
    deps.onUseNotRecorded?.(record.id, error)
  }
}
