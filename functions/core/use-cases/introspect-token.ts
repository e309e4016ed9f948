import type { Config } from '../config.js'
import { looksLikeJwt } from '../credential-kinds.js'
import { TollgateError } from '../errors.js'
import type { JwtVerifier } from '../jwt-verifier.js'
import type { RevokedJwtReader, TrustPolicyGrantReader } from '../ports.js'
import {
  type AuthenticationDependencies,
  authenticateAccessToken,
} from './authenticate-access-token.js'
import { assertStillValid } from './authenticate-caller.js'

export interface IntrospectionDependencies extends AuthenticationDependencies {
  readonly store: AuthenticationDependencies['store'] & RevokedJwtReader
  readonly verifier: JwtVerifier
  /** Federated JWTs' policies and accounts; absent, those are never active. */
  readonly policies?: TrustPolicyGrantReader | undefined
  readonly config: Pick<Config, 'issuer'>
}

/** RFC 7662 §2.2 members of an active token, plus Tollgate's own `kind`. */
export interface ActiveToken {
  readonly active: true
  /** What Tollgate calls it: a long-lived access token or a JWT it minted. */
  readonly kind: 'access_token' | 'jwt'
  readonly scope: string
  /** The access token's id: the OAuth client it is, or the one its JWT was minted by. */
  readonly client_id: string
  readonly sub: string
  readonly iss: string
  readonly iat: number
  readonly exp?: number
  readonly nbf?: number
  readonly aud?: string
  readonly jti?: string
  /** RFC 7662 means RFC 6749 §5.1's type: a JWT is a Bearer token; an access token is a client secret. */
  readonly token_type?: 'Bearer'
}

/** An inactive or unknown token says nothing else (RFC 7662 §2.2). */
export type Introspection = ActiveToken | { readonly active: false }

const INACTIVE = { active: false } as const

/**
 * `POST /oauth2/introspect`: whether a Tollgate access token or JWT is usable
 * now, from strongly consistent reads only.
 *
 * Primary course:
 * 1. An access token: format, one read of token and owner, keyed hash,
 *    status (the exchange's own authentication, without recording a use).
 * 2. A JWT: Tollgate's signature and times, then the token and owner it
 *    was minted from (status, `atv`, `otv`), then a deny entry for its `jti`.
 * 3. Anything refused along the way is inactive; an outage stays an outage
 *    (503), never "inactive".
 */
export const introspectToken = async (
  deps: IntrospectionDependencies,
  token: string,
): Promise<Introspection> => {
  try {
    return looksLikeJwt(token)
      ? await introspectJwt(deps, token)
      : await introspectAccessToken(deps, token)
  } catch (error) {
    if (error instanceof TollgateError && error.code === 'invalid_token') return INACTIVE
    throw error
  }
}

const seconds = (ms: number): number => Math.floor(ms / 1000)

const introspectAccessToken = async (
  deps: IntrospectionDependencies,
  token: string,
): Promise<Introspection> => {
  const { record, scopes } = await authenticateAccessToken(deps, token)
  return {
    active: true,
    kind: 'access_token',
    scope: scopes.join(' '),
    client_id: record.id,
    sub: record.owner.id,
    iss: deps.config.issuer,
    iat: seconds(record.createdAt),
    ...(record.expiresAt === null ? {} : { exp: seconds(record.expiresAt) }),
  }
}

const introspectJwt = async (
  deps: IntrospectionDependencies,
  jwt: string,
): Promise<Introspection> => {
  const claims = await deps.verifier.verify(jwt)
  // The source's generations, its status and a revocation by jti: as Tollgate's own routes decide.
  await assertStillValid(deps, claims)
  return {
    active: true,
    kind: 'jwt',
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    iss: claims.iss,
    iat: claims.iat,
    exp: claims.exp,
    nbf: claims.nbf,
    aud: claims.aud,
    jti: claims.jti,
    token_type: 'Bearer',
  }
}
