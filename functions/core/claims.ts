import type { AccessTokenRecord } from './records.js'

/** The claims of every JWT Tollgate mints (docs/design.md#jwt-exchange). */
export interface TollgateClaims {
  readonly iss: string
  readonly sub: string
  readonly aud: string
  readonly scope: string
  readonly roles: readonly string[]
  readonly token_type: 'service' | 'personal'
  readonly is_bot: boolean
  /** The access token the JWT was minted from: what revocation keys on. */
  readonly atid: string
  /** The access token's generation when minted: regenerate and narrowing raise it. */
  readonly atv: number
  /** The owner's generation when minted: an owner-wide revoke, narrowing or deletion raises it. */
  readonly otv: number
  readonly jti: string
  readonly iat: number
  readonly nbf: number
  readonly exp: number
}

export interface ClaimsInput {
  readonly issuer: string
  readonly audience: string
  readonly token: Pick<AccessTokenRecord, 'id' | 'kind' | 'owner' | 'generation'>
  /** What the token grants now: its own within its owner's ceiling. */
  readonly roles: readonly string[]
  readonly scopes: readonly string[]
  readonly ownerGeneration: number
  readonly issuedAt: number
  readonly durationSeconds: number
  readonly jti: string
}

/** Claims for a JWT minted from `token`; times in whole seconds. */
export const buildClaims = (input: ClaimsInput): TollgateClaims => {
  const iat = Math.floor(input.issuedAt / 1000)
  return {
    iss: input.issuer,
    sub: input.token.owner.id,
    aud: input.audience,
    scope: input.scopes.join(' '),
    roles: input.roles,
    token_type: input.token.kind,
    is_bot: input.token.kind === 'service',
    atid: input.token.id,
    atv: input.token.generation,
    otv: input.ownerGeneration,
    jti: input.jti,
    iat,
    nbf: iat,
    exp: iat + input.durationSeconds,
  }
}
