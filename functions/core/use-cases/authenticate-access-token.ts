import { parseAccessToken } from '../access-token.js'
import { TollgateError } from '../errors.js'
import type { Clock, Secrets, TokenStore } from '../ports.js'
import { type AccessTokenRecord, effectiveStatus } from '../records.js'
import { matchesHash } from '../token-hash.js'

export interface AuthenticationDependencies {
  readonly store: TokenStore
  readonly secrets: Secrets
  readonly clock: Clock
  /** Told when `last_used_at` could not be written; the caller goes on regardless. */
  readonly onUseNotRecorded?: ((tokenId: string, error: unknown) => void) | undefined
}

/** `last_used_at` is a hint for humans; one write a minute per token keeps every use cheap. */
const LAST_USED_RESOLUTION_MS = 60_000

/**
 * Finds the active record behind an access token string, or throws `invalid_token`.
 * The exchange and the authorizer's Basic path share it, so both apply one rule set.
 *
 * Primary course:
 * 1. Reject a malformed token before any read.
 * 2. Read the record once (strongly consistent) and compare its keyed hash in constant time.
 * 3. Refuse revoked or expired tokens.
 */
export const authenticateAccessToken = async (
  deps: AuthenticationDependencies,
  token: unknown,
): Promise<{ readonly record: AccessTokenRecord; readonly now: number }> => {
  const parsed = parseAccessToken(token)
  const record = await deps.store.getToken(parsed.id)
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
  const now = deps.clock.now()
  const status = effectiveStatus(record, now)
  if (status !== 'active')
    throw new TollgateError('invalid_token', `The access token is ${status}.`)
  return { record, now }
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
