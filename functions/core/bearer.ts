import type { TollgateClaims } from './claims.js'
import { ACCESS_TOKEN_AS_BEARER, looksLikeAccessToken } from './credential-kinds.js'
import { TollgateError } from './errors.js'
import { decodeJwt } from './jws-parts.js'
import type { JwtVerifier } from './jwt-verifier.js'
import type { Person, PersonVerifier } from './person-verifier.js'

export interface BearerVerifiers {
  /** Tollgate's own JWTs. */
  readonly tollgate: JwtVerifier
  /** People's JWTs from trusted issuers (and the dev issuer, locally); absent when none is trusted. */
  readonly people: PersonVerifier | undefined
}

export type VerifiedBearer =
  | { readonly kind: 'tollgate'; readonly claims: TollgateClaims }
  | { readonly kind: 'person'; readonly person: Person }

/**
 * Verifies a bearer JWT with the verifier its issuer calls for: a trusted
 * identity provider's, else Tollgate's own (which refuses any other issuer).
 * Keys are then selected by (`iss`, `kid`), never by `kid` alone. With no
 * trusted issuer, the payload is not even peeked at; with one, the JWT is
 * split and its payload decoded once, here, and the chosen verifier takes
 * it as decoded. An access token sent instead is refused as `invalid_token`
 * with what to do instead.
 *
 * @example
 * const verified = await verifyBearer({ tollgate, people }, jwt)
 */
export const verifyBearer = async (
  verifiers: BearerVerifiers,
  jwt: string,
): Promise<VerifiedBearer> => {
  // The commonest mistake of all gets its fix, not "not three base64url segments".
  if (looksLikeAccessToken(jwt)) throw new TollgateError('invalid_token', ACCESS_TOKEN_AS_BEARER)
  const { tollgate, people } = verifiers
  if (people === undefined) return { kind: 'tollgate', claims: await tollgate.verify(jwt) }
  const decoded = decodeJwt(jwt)
  if (people.trusts(decoded.payload.iss)) {
    return { kind: 'person', person: await people.verify(decoded) }
  }
  return { kind: 'tollgate', claims: await tollgate.verify(decoded) }
}
