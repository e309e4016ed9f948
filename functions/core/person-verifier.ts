import { TollgateError } from './errors.js'
import { checkIssuerHeader, checkIssuerTimes, findIssuerKey, ISSUER_ALGS } from './issuer-jwt.js'
import { type DecodedJwt, decodeJsonObject, decodeJwt } from './jws-parts.js'
import { PERMISSION_NAME } from './names.js'
import { parseOwnerId, personId } from './owners.js'
import type { Clock, KeySet } from './ports.js'
import { personScopes } from './rights.js'
import type { TrustedIssuer } from './trusted-issuer.js'
import { checkSignature, createKeyCache, type KeyCache } from './verification-keys.js'

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
          algs: ISSUER_ALGS,
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
      const key = await findIssuerKey(
        trusted.keys,
        checkIssuerHeader(header),
        trusted.issuer.issuer,
      )
      checkSignature(parts.signingInput, parts.signature, key)
      checkAudience(payload, trusted.issuer)
      checkIssuerTimes(payload, options.clock, { nbf: 'optional' })
      return personOf(payload, trusted.issuer, options.roleScopes)
    },
  }
}

const checkAudience = (payload: Record<string, unknown>, issuer: TrustedIssuer): void => {
  const { aud } = payload
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
  const accepted = (audience: unknown) =>
    audience === issuer.audience || (issuer.clientId !== undefined && audience === issuer.clientId)
  if (audiences.length > MAX_AUDIENCES || !audiences.some(accepted)) {
    throw invalid('The JWT audience is not accepted.')
  }
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
