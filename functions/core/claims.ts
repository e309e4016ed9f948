import type { AccessTokenRecord } from './records.js'

/** What every JWT Tollgate mints says (docs/design.md#jwt-exchange; an RFC 9068 access token). */
interface CommonClaims {
  readonly iss: string
  readonly sub: string
  readonly aud: string
  readonly scope: string
  readonly roles: readonly string[]
  readonly is_bot: boolean
  /** RFC 9068: the client it was issued to, the access token's id or the trust policy's. */
  readonly client_id: string
  /** The owner's generation when minted: an owner-wide revoke, narrowing or deletion raises it. */
  readonly otv: number
  readonly jti: string
  readonly iat: number
  readonly nbf: number
  readonly exp: number
}

/** A JWT minted from an access token. */
export interface AccessTokenJwtClaims extends CommonClaims {
  readonly token_type: 'service' | 'personal'
  /** The access token the JWT was minted from: what revocation keys on. */
  readonly atid: string
  /** The access token's generation when minted: regenerate and narrowing raise it. */
  readonly atv: number
}

/** A JWT minted for an outside workload's token through a trust policy (RFC 8693). */
export interface FederatedClaims extends CommonClaims {
  readonly token_type: 'federated'
  /** The trust policy that matched: what revocation keys on. */
  readonly tpid: string
  /** The policy's generation when minted: narrowing or deleting it raises it. */
  readonly ptv: number
  /** RFC 8693 §4.1: the outside workload, by its issuer and subject. */
  readonly act: { readonly iss: string; readonly sub: string }
}

/** The claims of every JWT Tollgate mints. */
export type TollgateClaims = AccessTokenJwtClaims | FederatedClaims

/** RFC 9068 §2.1: the `typ` of Tollgate's JWTs, required when verifying them. */
export const ACCESS_TOKEN_JWT_TYPE = 'at+jwt'

/** The claims the deny-list decides on. */
export type RevocationClaims =
  | Pick<AccessTokenJwtClaims, 'token_type' | 'atid' | 'atv' | 'sub' | 'otv' | 'jti'>
  | Pick<FederatedClaims, 'token_type' | 'tpid' | 'ptv' | 'sub' | 'otv' | 'jti'>

interface TimeInput {
  readonly issuer: string
  readonly audience: string
  readonly scopes: readonly string[]
  readonly ownerGeneration: number
  readonly issuedAt: number
  readonly durationSeconds: number
  readonly jti: string
}

export interface ClaimsInput extends TimeInput {
  readonly token: Pick<AccessTokenRecord, 'id' | 'kind' | 'owner' | 'generation'>
  /** What the token grants now: its own within its owner's ceiling. */
  readonly roles: readonly string[]
}

export interface FederatedClaimsInput extends TimeInput {
  readonly serviceAccountId: string
  readonly policy: { readonly id: string; readonly generation: number }
  /** The outside token's issuer and subject. */
  readonly actor: { readonly iss: string; readonly sub: string }
}

const timesOf = (input: TimeInput) => {
  const iat = Math.floor(input.issuedAt / 1000)
  return { iat, nbf: iat, exp: iat + input.durationSeconds }
}

/** Claims for a JWT minted from `token`; times in whole seconds. */
export const buildClaims = (input: ClaimsInput): AccessTokenJwtClaims => ({
  iss: input.issuer,
  sub: input.token.owner.id,
  aud: input.audience,
  scope: input.scopes.join(' '),
  roles: input.roles,
  token_type: input.token.kind,
  is_bot: input.token.kind === 'service',
  client_id: input.token.id,
  atid: input.token.id,
  atv: input.token.generation,
  otv: input.ownerGeneration,
  jti: input.jti,
  ...timesOf(input),
})

/**
 * Claims for a federated JWT: the service account is the subject, the policy
 * the client, and the outside workload the actor. It carries no roles: a
 * policy grants scopes only, never `tollgate:admin` nor the `admin` role.
 */
export const buildFederatedClaims = (input: FederatedClaimsInput): FederatedClaims => ({
  iss: input.issuer,
  sub: input.serviceAccountId,
  aud: input.audience,
  scope: input.scopes.join(' '),
  roles: [],
  token_type: 'federated',
  is_bot: true,
  client_id: input.policy.id,
  tpid: input.policy.id,
  ptv: input.policy.generation,
  act: { iss: input.actor.iss, sub: input.actor.sub },
  otv: input.ownerGeneration,
  jti: input.jti,
  ...timesOf(input),
})
