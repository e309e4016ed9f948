import { verifyBearer } from '../bearer.js'
import type { Caller } from '../caller.js'
import type { AccessTokenJwtClaims, FederatedClaims, TollgateClaims } from '../claims.js'
import { TollgateError } from '../errors.js'
import { MAX_JWT_LENGTH } from '../input-lengths.js'
import type { JwtVerifier } from '../jwt-verifier.js'
import { isSameOwner } from '../owners.js'
import type { PersonVerifier } from '../person-verifier.js'
import type { Clock, RevokedJwtReader, TokenReader, TrustPolicyGrantReader } from '../ports.js'
import { effectiveStatus } from '../records.js'

export interface CallerAuthenticationDependencies {
  /** Tollgate's own JWTs. */
  readonly verifier: JwtVerifier
  /** People's JWTs from trusted issuers; absent when none is trusted. */
  readonly people?: PersonVerifier | undefined
  readonly store: TokenReader & RevokedJwtReader
  /** Trust policies, for federated JWTs; absent where federation is not set up (they are refused). */
  readonly policies?: TrustPolicyGrantReader | undefined
  readonly clock: Clock
}

const invalid = (detail: string): TollgateError => new TollgateError('invalid_token', detail)

/**
 * Establishes the caller of one of Tollgate's own routes, inside the handler
 * (docs/design.md#tollgates-own-protected-routes), so that revocation there is
 * immediate rather than bounded by a deny-list refresh.
 *
 * Primary course:
 * 1. Read `Authorization: Bearer <jwt>` and verify the JWT (signature, issuer,
 *    audience, times) with Tollgate's public keys, or, for a person, with
 *    their trusted identity provider's: a person is then established, with
 *    roles through the issuer's role map and scopes from ROLE_SCOPES.
 * 2. Read the token it was minted from and that token's owner item in one
 *    strongly consistent round trip.
 * 3. Refuse it unless that token is still usable and neither it nor its
 *    owner moved past the JWT's generations (`atv`, `otv`): a regenerate, a
 *    narrowing, a revoke or an account deletion refuses older JWTs at once.
 *
 * A store outage is `unavailable` (503), never a 401.
 */
export const authenticateCaller = async (
  deps: CallerAuthenticationDependencies,
  authorization: string | undefined,
): Promise<Caller> => {
  const verified = await verifyBearer(
    { tollgate: deps.verifier, people: deps.people },
    bearerToken(authorization),
  )
  if (verified.kind === 'person') {
    const { person } = verified
    return {
      sub: person.sub,
      kind: 'person',
      roles: person.roles,
      scopes: person.scopes,
      atid: null,
      jti: person.jti,
    }
  }
  const { claims } = verified
  await assertStillValid(deps, claims)
  return callerOfClaims(claims)
}

/** The caller a verified Tollgate JWT establishes: rights are its `scope` claim. */
export const callerOfClaims = (claims: TollgateClaims): Caller => ({
  sub: claims.sub,
  kind: claims.token_type,
  roles: claims.roles,
  scopes: claims.scope === '' ? [] : claims.scope.split(' '),
  atid: claims.token_type === 'federated' ? null : claims.atid,
  jti: claims.jti,
})

/** The JWT of `Bearer <jwt>` (scheme case-insensitive, RFC 9110 §11.1), else `invalid_token`. */
export const bearerToken = (authorization: string | undefined): string => {
  if (authorization === undefined || authorization.length === 0) {
    throw invalid('A bearer token is required.')
  }
  if (authorization.length > MAX_JWT_LENGTH + 16)
    throw invalid('The Authorization header is too long.')
  const space = authorization.indexOf(' ')
  if (space === -1 || authorization.slice(0, space).toLowerCase() !== 'bearer') {
    throw invalid('The Authorization scheme must be Bearer.')
  }
  return authorization.slice(space + 1)
}

/**
 * Refuses (`invalid_token`) a verified Tollgate JWT whose access token is no
 * longer usable or moved past its generations, with one strongly consistent
 * read of the token and its owner item: what the handler-authorized routes
 * and introspection both decide on.
 */
export const assertStillValid = async (
  deps: Pick<CallerAuthenticationDependencies, 'store' | 'clock' | 'policies'>,
  claims: TollgateClaims,
): Promise<void> => {
  // Both reads at once: one round trip's latency, as before revocation by jti existed.
  await Promise.all([
    claims.token_type === 'federated'
      ? assertPolicyStillValid(deps, claims)
      : assertTokenStillValid(deps, claims),
    assertNotRevoked(deps, claims.jti),
  ])
}

/** RFC 7009: a JWT its client revoked is refused here at once, until it expires. */
const assertNotRevoked = async (
  deps: Pick<CallerAuthenticationDependencies, 'store' | 'clock'>,
  jti: string,
): Promise<void> => {
  const until = await deps.store.jwtRevokedUntil(jti)
  if (until !== undefined && until > deps.clock.now()) {
    throw invalid('The JWT has been revoked.')
  }
}

const assertTokenStillValid = async (
  deps: Pick<CallerAuthenticationDependencies, 'store' | 'clock'>,
  claims: AccessTokenJwtClaims,
): Promise<void> => {
  const { token, owner } = await deps.store.getTokenWithOwner(claims.atid)
  if (token === undefined || token.owner.id !== claims.sub || token.kind !== claims.token_type) {
    throw invalid('The token was not minted from a known access token.')
  }
  const ownItem = owner !== undefined && isSameOwner(owner.ref, token.owner) ? owner : undefined
  const status = effectiveStatus(token, ownItem, deps.clock.now())
  if (status !== 'active' || ownItem === undefined) {
    throw invalid(`The access token behind this JWT is ${status}.`)
  }
  if (claims.atv !== token.generation || claims.otv !== ownItem.otv) {
    throw invalid('The JWT was minted before its access token or owner changed; exchange again.')
  }
}

/**
 * A federated JWT stays valid while its trust policy is at the generation it
 * was minted at (narrowing or deleting the policy moves it) and its service
 * account still exists at the JWT's `otv`.
 */
const assertPolicyStillValid = async (
  deps: Pick<CallerAuthenticationDependencies, 'policies'>,
  claims: FederatedClaims,
): Promise<void> => {
  if (deps.policies === undefined) {
    throw invalid('This deployment has no trust policies, so it accepts no federated JWT.')
  }
  const { policy, owner } = await deps.policies.getPolicyGrant(claims.tpid)
  if (policy === undefined || policy.serviceAccountId !== claims.sub) {
    throw invalid('The trust policy behind this JWT no longer exists.')
  }
  if (owner === undefined || owner.ref.type !== 'service_account' || owner.ref.id !== claims.sub) {
    throw invalid('The service account behind this JWT no longer exists.')
  }
  if (claims.ptv !== policy.generation || claims.otv !== owner.otv) {
    throw invalid('The JWT was minted before its trust policy or account changed; exchange again.')
  }
}
