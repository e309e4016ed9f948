import type { AccessTokenRecord, OwnerRecord, TokenStatus } from './records.js'
import { effectiveStatus } from './records.js'

/** A token as the API shows it: its record, and what its status and revocation read as now. */
export interface TokenState {
  readonly record: AccessTokenRecord
  readonly status: TokenStatus
  readonly revokedAt: number | null
  readonly revokedBy: string | null
  /** The audit event that revoked it through its owner (revoke-all, deletion), if that is why. */
  readonly revokedByEvent: string | null
}

/**
 * Derives a token's state with its owner item. A token that an owner-wide
 * revocation or a deletion took off the list reads `revoked`, with that
 * event as its reason: the token record itself was never rewritten.
 *
 * @example
 * tokenState(token, owner, clock.now()).status // 'active' | 'revoked' | 'expired'
 */
export const tokenState = (
  record: AccessTokenRecord,
  owner: OwnerRecord | undefined,
  now: number,
): TokenState => {
  const status = effectiveStatus(record, owner, now)
  const byOwner = status === 'revoked' && record.status === 'active'
  const revocation = byOwner ? owner?.lastRevocation : undefined
  return {
    record,
    status,
    revokedAt: byOwner ? (revocation?.at ?? null) : record.revokedAt,
    revokedBy: byOwner ? (revocation?.by ?? null) : record.revokedBy,
    revokedByEvent: revocation?.eventId ?? null,
  }
}
