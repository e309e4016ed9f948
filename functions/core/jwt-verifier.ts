import { createPublicKey, type KeyObject, verify } from 'node:crypto'
import type { TollgateClaims } from './claims.js'
import { TollgateError } from './errors.js'
import { decodeJsonObject, splitCompactJws } from './jws-parts.js'
import type { Clock, KeySet, PublicJwk } from './ports.js'

/** Largest difference between our clock and the signer's that is forgiven (DESIGN: ≤ 60 s). */
export const CLOCK_SKEW_SECONDS = 60
/** An unknown `kid` reloads the key set at most this often, so junk kids cannot flood it. */
export const KEY_REFRESH_INTERVAL_MS = 60_000
const MAX_KID_LENGTH = 128
const MAX_AUDIENCES = 16

/**
 * The only protected-header members accepted: exactly what `signJwt` writes.
 * Everything else is refused rather than ignored, which covers RFC 8725's
 * list at once: `jwk`, `jku`, `x5u`, `x5c` (keys or key URLs chosen by the
 * token), `x5t`, `crit` (extensions we do not understand), `b64: false`
 * (unencoded payloads), `zip`, `cty` (nested tokens) and `__proto__`.
 */
const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ'])

export interface JwtVerifierOptions {
  readonly issuer: string
  readonly audience: string
  /** The one accepted algorithm; a token naming any other (`none`, HS256, …) is refused. */
  readonly alg: 'RS256' | 'ES256'
  /** Longest accepted `exp − iat`: what the exchange would ever mint. */
  readonly maxJwtDurationSeconds: number
  readonly keySet: KeySet
  readonly clock: Clock
}

export interface JwtVerifier {
  /** The claims of a valid Tollgate JWT; anything else throws `invalid_token`. */
  verify(jwt: string): Promise<TollgateClaims>
}

interface VerificationKey {
  readonly key: KeyObject | { readonly key: KeyObject; readonly dsaEncoding: 'ieee-p1363' }
  readonly signatureLength: number
}

const invalid = (detail: string): TollgateError => new TollgateError('invalid_token', detail)

/**
 * Verifies Tollgate's own JWTs with bare node:crypto: no network and no
 * database per call. Keys are read from the key set on first use, kept as
 * KeyObjects by `kid`, and reloaded on an unknown `kid` at most once a minute.
 *
 * Primary course:
 * 1. Cheap checks before any decoding: size, shape, canonical base64url.
 * 2. Header: only `{alg, kid, typ}`, `alg` the configured one, `kid` one of our keys.
 * 3. Signature over `header.payload` with that key.
 * 4. Claims: `iss`, `aud`, `exp`/`nbf`/`iat` with 60 s skew, lifetime, claim types.
 *
 * @example
 * const verifier = createJwtVerifier({ issuer, audience, alg: 'RS256',
 *   maxJwtDurationSeconds: 43_200, keySet, clock: systemClock })
 * const claims = await verifier.verify(jwt)
 */
export const createJwtVerifier = (options: JwtVerifierOptions): JwtVerifier => {
  const keys = createKeyCache(options)
  return {
    async verify(jwt) {
      const parts = splitCompactJws(jwt)
      const kid = checkHeader(decodeJsonObject(parts.header, 'header'), options.alg)
      // The hot path stays synchronous: only a missing key costs an await.
      const key = keys.find(kid) ?? (await keys.findAfterRefresh(kid))
      if (key === undefined) throw invalid('The JWT was not signed by a known key.')
      checkSignature(parts.signingInput, parts.signature, key, options.alg)
      return checkClaims(decodeJsonObject(parts.payload, 'payload'), options)
    },
  }
}

/** Returns the `kid` of a header that Tollgate's signer could have written. */
const checkHeader = (header: Record<string, unknown>, alg: string): string => {
  for (const member in header) {
    if (!HEADER_MEMBERS.has(member)) throw invalid('The JWT header has a member we do not accept.')
  }
  if (header.alg !== alg) throw invalid('The JWT algorithm is not accepted.')
  // RFC 7515 §4.1.9: typ is a media type, so case-insensitive; our signer writes 'JWT'.
  // A different type (at+jwt, dpop+jwt, …) is another kind of token and is refused.
  const typ = header.typ
  if (typeof typ !== 'string' || (typ !== 'JWT' && typ.toLowerCase() !== 'jwt')) {
    throw invalid('The JWT type is not accepted.')
  }
  const kid = header.kid
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) {
    throw invalid('The JWT key id is not valid.')
  }
  return kid
}

const checkSignature = (
  signingInput: string,
  encodedSignature: string,
  key: VerificationKey,
  alg: JwtVerifierOptions['alg'],
): void => {
  const signature = Buffer.from(encodedSignature, 'base64url')
  if (signature.length !== key.signatureLength) throw invalid('The JWT signature is not valid.')
  // ECDSA with r = 0 or s = 0 verifies every message in broken verifiers
  // (CVE-2022-21449, "psychic signatures"); OpenSSL refuses it too, but say so here.
  if (alg === 'ES256' && (isZero(signature, 0, 32) || isZero(signature, 32, 64))) {
    throw invalid('The JWT signature is not valid.')
  }
  let valid: boolean
  try {
    valid = verify('sha256', Buffer.from(signingInput, 'latin1'), key.key, signature)
  } catch {
    valid = false
  }
  if (!valid) throw invalid('The JWT signature is not valid.')
}

const isZero = (bytes: Buffer, start: number, end: number): boolean => {
  for (let i = start; i < end; i++) if (bytes[i] !== 0) return false
  return true
}

const checkClaims = (
  payload: Record<string, unknown>,
  options: JwtVerifierOptions,
): TollgateClaims => {
  const { iss, sub, aud, scope, roles, token_type, is_bot, atid, atv, otv, jti, iat, nbf, exp } =
    payload
  if (iss !== options.issuer) throw invalid('The JWT issuer is not accepted.')
  if (!(aud === options.audience || isAudienceList(aud, options.audience))) {
    throw invalid('The JWT audience is not accepted.')
  }
  if (!isTime(exp) || !isTime(nbf) || !isTime(iat)) {
    throw invalid('The JWT has no valid exp, nbf or iat.')
  }
  const now = options.clock.now() / 1000
  if (now >= exp + CLOCK_SKEW_SECONDS) throw invalid('The JWT has expired.')
  if (nbf > now + CLOCK_SKEW_SECONDS) throw invalid('The JWT is not valid yet.')
  if (iat > now + CLOCK_SKEW_SECONDS) throw invalid('The JWT was issued in the future.')
  if (exp <= iat || exp - iat > options.maxJwtDurationSeconds) {
    throw invalid('The JWT lifetime is not accepted.')
  }
  if (
    !isNonEmptyString(sub) ||
    typeof scope !== 'string' ||
    !isStringList(roles) ||
    (token_type !== 'service' && token_type !== 'personal') ||
    typeof is_bot !== 'boolean' ||
    !isNonEmptyString(atid) ||
    !isGeneration(atv) ||
    !isGeneration(otv) ||
    typeof jti !== 'string'
  ) {
    throw invalid('The JWT claims are not Tollgate claims.')
  }
  return {
    iss,
    sub,
    aud: options.audience,
    scope,
    roles,
    token_type,
    is_bot,
    atid,
    atv,
    otv,
    jti,
    iat,
    nbf,
    exp,
  }
}

const isAudienceList = (aud: unknown, audience: string): boolean =>
  Array.isArray(aud) && aud.length <= MAX_AUDIENCES && aud.includes(audience)

const isTime = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0

const isGeneration = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 1

const isNonEmptyString = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string')

/**
 * Our public keys as KeyObjects by `kid`. The first call loads them (a failed
 * first load is retried on the next call: without keys nothing can pass
 * anyway); later loads only happen for an unknown `kid`, at most once per
 * KEY_REFRESH_INTERVAL_MS, and concurrent callers share one load.
 */
const createKeyCache = (options: JwtVerifierOptions) => {
  let keys: ReadonlyMap<string, VerificationKey> | undefined
  let lastLoadStartedAt = Number.NEGATIVE_INFINITY
  let loading: Promise<void> | undefined

  const load = (): Promise<void> => {
    loading ??= (async () => {
      lastLoadStartedAt = options.clock.now()
      try {
        keys = prepareKeys(await options.keySet.publicKeys(), options.alg)
      } finally {
        loading = undefined
      }
    })()
    return loading
  }

  return {
    find: (kid: string): VerificationKey | undefined => keys?.get(kid),
    findAfterRefresh: async (kid: string): Promise<VerificationKey | undefined> => {
      if (
        keys === undefined ||
        options.clock.now() - lastLoadStartedAt >= KEY_REFRESH_INTERVAL_MS
      ) {
        await load()
      } else if (loading !== undefined) {
        await loading
      }
      return keys?.get(kid)
    },
  }
}

/**
 * Keeps the keys usable with `alg` and no other: a key published for ES256
 * never checks an RS256 token, whatever its `kid`. A key that claims our
 * algorithm but cannot be used, or two keys with one `kid`, is a broken key
 * set: that fails loudly (and so closed) rather than being skipped.
 */
const prepareKeys = (
  jwks: readonly PublicJwk[],
  alg: JwtVerifierOptions['alg'],
): ReadonlyMap<string, VerificationKey> => {
  const prepared = new Map<string, VerificationKey>()
  for (const jwk of jwks) {
    if (jwk.alg !== alg || (jwk.use !== undefined && jwk.use !== 'sig')) continue
    if (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || jwk.kid.length > MAX_KID_LENGTH) {
      throw new TollgateError('internal', 'A public key in the key set has no usable kid.')
    }
    if (prepared.has(jwk.kid)) {
      throw new TollgateError('internal', 'Two public keys in the key set share one kid.')
    }
    prepared.set(jwk.kid, toVerificationKey(jwk, alg))
  }
  return prepared
}

const toVerificationKey = (jwk: PublicJwk, alg: JwtVerifierOptions['alg']): VerificationKey => {
  const { kty, crv, n, e, x, y } = jwk
  const key =
    alg === 'RS256' && kty === 'RSA'
      ? createPublicKey({ key: { kty, n, e }, format: 'jwk' })
      : alg === 'ES256' && kty === 'EC' && crv === 'P-256'
        ? createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' })
        : undefined
  const details = key?.asymmetricKeyDetails
  if (key !== undefined && alg === 'RS256' && (details?.modulusLength ?? 0) >= 2048) {
    return { key, signatureLength: Math.ceil((details?.modulusLength ?? 0) / 8) }
  }
  if (key !== undefined && alg === 'ES256' && details?.namedCurve === 'prime256v1') {
    return { key: { key, dsaEncoding: 'ieee-p1363' }, signatureLength: 64 }
  }
  throw new TollgateError('internal', `A public key in the key set is not a usable ${alg} key.`)
}
