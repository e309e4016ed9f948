import { TollgateError } from './errors.js'
import { type DecodedJwt, decodeJsonObject, decodeJwt } from './jws-parts.js'
import { CLOCK_SKEW_SECONDS } from './jwt-verifier.js'
import { PERMISSION_NAME } from './names.js'
import { parseOwnerId, personId } from './owners.js'
import type { Clock, KeySet } from './ports.js'
import { personScopes } from './rights.js'
import type { TrustedIssuer } from './trusted-issuer.js'
import { checkSignature, createKeyCache, type KeyCache, kidOf } from './verification-keys.js'

/** A person signed in at a trusted identity provider, as Tollgate sees them. */
export interface Person {
  /** `user:<issuer id>:<sub>`: never the bare `sub`. */
  readonly sub: string
  readonly iss: string
  /** Tollgate roles, only through the issuer's role map. */
  readonly roles: readonly string[]
  /**
   * What `ROLE_SCOPES` gives those roles (with `admin`, every Tollgate scope
   * and `tollgate:admin`); the IdP's own `scope` claim grants nothing.
   */
  readonly scopes: readonly string[]
  readonly jti: string | null
}

export interface PersonVerifier {
  /** Whether `iss` names one of the trusted issuers. */
  trusts(iss: unknown): boolean
  /** A JWT already split and decoded (`decodeJwt`, to read its `iss`) is taken as it is. */
  verify(jwt: string | DecodedJwt): Promise<Person>
}

export interface PersonVerifierOptions {
  readonly issuers: ReadonlyArray<TrustedIssuer & { readonly keySet: KeySet }>
  readonly roleScopes: Readonly<Record<string, readonly string[]>>
  readonly clock: Clock
  readonly keysRefreshMs: number
  readonly onSkippedKey?: ((index: number, reason: string) => void) | undefined
}

/**
 * Header members an identity provider may send. Keys and key URLs chosen by
 * the token (`jwk`, `jku`, `x5u`, `x5c`) and extensions (`crit`, `b64`) are
 * refused; certificate thumbprints are harmless and some IdPs always send them.
 */
const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ', 'x5t', 'x5t#S256'])
/** ID tokens and RFC 9068 access tokens. */
const TYPES = new Set(['jwt', 'at+jwt', 'application/at+jwt'])
/** No IdP token Tollgate should accept lives longer than a day. */
const MAX_LIFETIME_SECONDS = 86_400
const MAX_AUDIENCES = 16

const invalid = (detail: string): TollgateError => new TollgateError('invalid_token', detail)

/**
 * Verifies people's JWTs from `TRUSTED_ISSUERS` as strictly as Tollgate's
 * own: keys selected by (`iss`, `kid`), RS256 or ES256 only, signature, exact
 * issuer and audience, `exp`/`iat` (and `nbf`) with 60 s skew, a bounded
 * lifetime; then the subject namespaced by issuer and roles through the
 * issuer's role map alone.
 *
 * @example
 * const people = createPersonVerifier({ issuers, roleScopes: config.roleScopes, clock, keysRefreshMs })
 * const person = await people.verify(jwt)
 */
export const createPersonVerifier = (options: PersonVerifierOptions): PersonVerifier => {
  const byIssuer = new Map<string, { issuer: TrustedIssuer; keys: KeyCache }>(
    options.issuers.map((issuer) => [
      issuer.issuer,
      {
        issuer,
        keys: createKeyCache({
          keySet: issuer.keySet,
          algs: ['RS256', 'ES256'],
          clock: options.clock,
          refreshMs: options.keysRefreshMs,
          onSkippedKey: options.onSkippedKey,
        }),
      },
    ]),
  )
  return {
    trusts: (iss) => typeof iss === 'string' && byIssuer.has(iss),
    async verify(jwt) {
      const { parts, payload } = typeof jwt === 'string' ? decodeJwt(jwt) : jwt
      const header = decodeJsonObject(parts.header, 'header')
      const trusted = typeof payload.iss === 'string' ? byIssuer.get(payload.iss) : undefined
      if (trusted === undefined) throw invalid('The JWT issuer is not trusted.')
      const kid = checkHeader(header)
      const key = trusted.keys.find(kid) ?? (await trusted.keys.findAfterRefresh(kid))
      if (key === undefined || key.alg !== header.alg) {
        throw invalid('The JWT was not signed by a known key of its issuer.')
      }
      checkSignature(parts.signingInput, parts.signature, key)
      checkClaims(payload, trusted.issuer, options.clock)
      return personOf(payload, trusted.issuer, options.roleScopes)
    },
  }
}

const checkHeader = (header: Record<string, unknown>): string => {
  for (const member in header) {
    if (!HEADER_MEMBERS.has(member)) throw invalid('The JWT header has a member we do not accept.')
  }
  if (header.alg !== 'RS256' && header.alg !== 'ES256') {
    throw invalid('The JWT algorithm is not accepted.')
  }
  if (
    header.typ !== undefined &&
    !(typeof header.typ === 'string' && TYPES.has(header.typ.toLowerCase()))
  ) {
    throw invalid('The JWT type is not accepted.')
  }
  return kidOf(header)
}

const checkClaims = (
  payload: Record<string, unknown>,
  issuer: TrustedIssuer,
  clock: Clock,
): void => {
  const { aud, exp, iat, nbf } = payload
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
  if (audiences.length > MAX_AUDIENCES || !audiences.includes(issuer.audience)) {
    throw invalid('The JWT audience is not accepted.')
  }
  if (!isTime(exp) || !isTime(iat) || (nbf !== undefined && !isTime(nbf))) {
    throw invalid('The JWT has no valid exp or iat.')
  }
  const now = clock.now() / 1000
  if (now >= exp + CLOCK_SKEW_SECONDS) throw invalid('The JWT has expired.')
  if (iat > now + CLOCK_SKEW_SECONDS) throw invalid('The JWT was issued in the future.')
  if (nbf !== undefined && nbf > now + CLOCK_SKEW_SECONDS)
    throw invalid('The JWT is not valid yet.')
  if (exp <= iat || exp - iat > MAX_LIFETIME_SECONDS)
    throw invalid('The JWT lifetime is not accepted.')
}

const personOf = (
  payload: Record<string, unknown>,
  issuer: TrustedIssuer,
  roleScopes: Readonly<Record<string, readonly string[]>>,
): Person => {
  const subject = payload[issuer.subjectClaim]
  const sub = typeof subject === 'string' ? personId(issuer.id, subject) : ''
  if (parseOwnerId(sub)?.type !== 'user') throw invalid('The JWT has no usable subject.')
  const roles = mappedRoles(
    issuer,
    issuer.rolesClaim === undefined ? undefined : payload[issuer.rolesClaim],
  )
  return {
    sub,
    iss: issuer.issuer,
    roles,
    scopes: personScopes(roles, roleScopes),
    jti: typeof payload.jti === 'string' ? payload.jti : null,
  }
}

/** IdP values → Tollgate roles through the map; anything unmapped is dropped. */
const mappedRoles = (issuer: TrustedIssuer, claim: unknown): readonly string[] => {
  const values = typeof claim === 'string' ? [claim] : Array.isArray(claim) ? claim : []
  const roles = new Set<string>()
  for (const value of values.slice(0, 256)) {
    if (typeof value !== 'string') continue
    const role =
      issuer.roleMap === 'identity'
        ? PERMISSION_NAME.test(value)
          ? value
          : undefined
        : Object.hasOwn(issuer.roleMap, value)
          ? issuer.roleMap[value]
          : undefined
    if (role !== undefined) roles.add(role)
  }
  return [...roles]
}

const isTime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0
