import type { TokenKind } from './access-token.js'
import type { OwnerRef } from './owners.js'

export type { OwnerRef, OwnerType } from './owners.js'

/** What is stored for an access token: never the token itself, only its keyed hash. */
export interface AccessTokenRecord {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly kind: TokenKind
  readonly owner: OwnerRef
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
  /** Optimistic concurrency: bumped by every change but `lastUsedAt`; the ETag. */
  readonly version: number
  /** `atv` of its JWTs: bumped by regenerate and by narrowing, so older JWTs can be refused. */
  readonly generation: number
}

/** An entry of an owner's usable-token list: what the cap and name uniqueness count. */
export interface UsableToken {
  readonly id: string
  readonly name: string
  readonly expiresAt: number | null
}

/** A service account's own fields, held on its owner item. */
export interface ServiceAccountProfile {
  readonly name: string
  readonly description: string
  readonly createdAt: number
  readonly createdBy: string
  /** The account's ETag: bumped by PATCH only, not by its tokens coming and going. */
  readonly version: number
}

/** The last owner-wide revocation, which is why a token that left the list reads `revoked`. */
export interface OwnerRevocation {
  readonly at: number
  readonly by: string
  readonly eventId: string
}

/**
 * The aggregate root of everything an owner holds (docs/design.md#the-owner-item):
 * status, ceiling, usable tokens and generation, updated under `version` in
 * every transaction that creates, revokes or regenerates one of its tokens.
 */
export interface OwnerRecord {
  readonly ref: OwnerRef
  readonly status: 'active' | 'deleted'
  /** The account's fields; undefined for a person. */
  readonly account: ServiceAccountProfile | undefined
  /**
   * What the owner's tokens may carry at most. A service account's roles and
   * scopes; undefined for a person, whose tokens are bounded when created.
   */
  readonly ceiling:
    | { readonly roles: readonly string[]; readonly scopes: readonly string[] }
    | undefined
  readonly tokens: readonly UsableToken[]
  /** `otv` of its tokens' JWTs: bumped by an owner-wide revoke, a narrowing, a deletion. */
  readonly otv: number
  readonly version: number
  readonly lastRevocation: OwnerRevocation | undefined
  readonly deletedAt: number | undefined
}

/** A service account as the API shows it: the owner item's account view. */
export interface ServiceAccount {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly roles: readonly string[]
  readonly scopes: readonly string[]
  readonly createdAt: number
  readonly createdBy: string
  readonly version: number
}

/** A generation no JWT ever reaches: the `min_*` of a revoke or a deletion. */
export const EVERY_GENERATION = Number.MAX_SAFE_INTEGER

/**
 * A deny-list entry (docs/design.md#prompt-revocation): JWTs whose generation is
 * below `minGeneration` are refused until `expiresAt`, when none can be left;
 * a `jwt` entry refuses that one JWT (by `jti`) until `expiresAt`, its `exp`
 * (RFC 7009 revocation), with `minGeneration` 0.
 */
export type DenyEntry = {
  readonly id: string
  readonly createdAt: number
  readonly expiresAt: number
  readonly minGeneration: number
} & (
  | { readonly kind: 'token'; readonly atid: string }
  | { readonly kind: 'owner'; readonly sub: string }
  /** Federated JWTs minted through a trust policy before it was narrowed or deleted. */
  | { readonly kind: 'policy'; readonly tpid: string }
  /** One JWT, by its `jti`, until it expires (RFC 7009); `minGeneration` is 0. */
  | { readonly kind: 'jwt'; readonly jti: string }
)

export type AuditSubject =
  | { readonly type: 'token'; readonly id: string }
  | { readonly type: 'service_account'; readonly id: string }
  | { readonly type: 'user'; readonly id: string }
  | { readonly type: 'trust_policy'; readonly id: string }

/** One audit record, written in the same transaction as the change it describes. */
export interface AuditEvent {
  readonly id: string
  readonly subject: AuditSubject
  readonly at: number
  readonly action: string
  /** The caller's subject (`sa_…`, `user:…`, or `bootstrap`). */
  readonly actor: string
  /** The access token the caller's JWT came from, if any. */
  readonly sourceAtid: string | null
  readonly requestId: string | null
  /** Field → value after the change (or before → after); never a secret or a hash. */
  readonly changes: Readonly<Record<string, unknown>>
}

export type TokenStatus = 'active' | 'revoked' | 'expired'

/**
 * A token's status, derived on read and never stored stale: usable only while
 * its own record is active and unexpired AND its owner is active and still
 * lists it. Only a stored `active` can be usable: any other stored value,
 * known or not, fails closed.
 */
export const effectiveStatus = (
  token: Pick<AccessTokenRecord, 'id' | 'status' | 'expiresAt'>,
  owner: Pick<OwnerRecord, 'status' | 'tokens'> | undefined,
  now: number,
): TokenStatus => {
  if ((token.status as string) !== 'active') {
    return token.status === 'revoked' ? 'revoked' : 'expired'
  }
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired'
  if (owner === undefined || owner.status !== 'active') return 'revoked'
  return owner.tokens.some((usable) => usable.id === token.id) ? 'active' : 'revoked'
}

/** The service-account view of an owner item, or undefined for a person or a deleted account. */
export const serviceAccountOf = (owner: OwnerRecord): ServiceAccount | undefined => {
  if (owner.account === undefined || owner.status !== 'active') return undefined
  return {
    id: owner.ref.id,
    name: owner.account.name,
    description: owner.account.description,
    roles: owner.ceiling?.roles ?? [],
    scopes: owner.ceiling?.scopes ?? [],
    createdAt: owner.account.createdAt,
    createdBy: owner.account.createdBy,
    version: owner.account.version,
  }
}
