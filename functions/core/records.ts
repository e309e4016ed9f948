import type { TokenKind } from './access-token.js'

export type OwnerType = 'service_account' | 'user'

export interface Owner {
  readonly type: OwnerType
  /** A service account id or a user `sub`. */
  readonly id: string
}

/** What is stored for an access token: never the token itself, only its keyed hash. */
export interface AccessTokenRecord {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly kind: TokenKind
  readonly owner: Owner
  readonly scopes: readonly string[]
  readonly roles: readonly string[]
  /** Epoch milliseconds, like every instant in core. */
  readonly createdAt: number
  readonly createdBy: string
  readonly expiresAt: number | null
  readonly lastUsedAt: number | null
  readonly status: 'active' | 'revoked'
  readonly revokedAt: number | null
  readonly revokedBy: string | null
  readonly tokenHint: string
  readonly secretHash: string
  /** The pepper version that keyed `secretHash`. */
  readonly pepperVersion: string
  readonly version: number
}

export interface ServiceAccountRecord {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly roles: readonly string[]
  readonly scopes: readonly string[]
  readonly createdAt: number
  readonly createdBy: string
}

/**
 * `expired` is derived from the clock, so a record never has to be rewritten
 * to expire. Only a stored `active` can be usable: any other stored value,
 * known or not, fails closed.
 */
export const effectiveStatus = (
  token: Pick<AccessTokenRecord, 'status' | 'expiresAt'>,
  now: number,
): 'active' | 'revoked' | 'expired' => {
  if ((token.status as string) !== 'active')
    return token.status === 'revoked' ? 'revoked' : 'expired'
  return token.expiresAt !== null && token.expiresAt <= now ? 'expired' : 'active'
}
