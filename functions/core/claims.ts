import type { AccessTokenRecord } from './records.js'

/** The claims of every JWT Tollgate mints (DESIGN.md, "JWT exchange"). */
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
  readonly jti: string
  readonly iat: number
  readonly nbf: number
  readonly exp: number
}

export interface ClaimsInput {
  readonly issuer: string
  readonly audience: string
  readonly token: Pick<AccessTokenRecord, 'id' | 'kind' | 'owner' | 'roles'>
  readonly scopes: readonly string[]
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
    roles: input.token.roles,
    token_type: input.token.kind,
    is_bot: input.token.kind === 'service',
    atid: input.token.id,
    jti: input.jti,
    iat,
    nbf: iat,
    exp: iat + input.durationSeconds,
  }
}
