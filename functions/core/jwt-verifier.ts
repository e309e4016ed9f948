import { ACCESS_TOKEN_JWT_TYPE, type TollgateClaims } from './claims.js'
import type { Config } from './config.js'
import { TollgateError } from './errors.js'
import { type DecodedJwt, decodeJsonObject, splitCompactJws } from './jws-parts.js'
import type { Clock, JwtAlg, KeySet } from './ports.js'
import { checkSignature, createKeyCache, kidOf } from './verification-keys.js'
import { createVerifiedTokenCache, type VerifiedTokenStats } from './verified-tokens.js'

export { KEY_REFRESH_INTERVAL_MS } from './verification-keys.js'

/** Largest difference between our clock and the signer's that is forgiven (docs/design.md#authorizer: ≤ 60 s). */
export const CLOCK_SKEW_SECONDS = 60
const MAX_AUDIENCES = 16
/**
 * Distinct protected headers remembered once checked. Ours differ only by
 * `kid`, so a handful covers every key in a rotation; past the bound the
 * memo starts over (junk headers cost a decode each, never memory).
 */
const MAX_CHECKED_HEADERS = 16
/**
 * Verified JWTs the authorizer's verifier keeps. An entry holds the JWT and
 * its claims, under 2 KB: a few MB at most, for the JWTs of a thousand
 * clients that call again before they are evicted.
 */
export const VERIFIED_TOKEN_CACHE_SIZE = 1024

/**
 * The only protected-header members accepted: exactly what `signJwt` writes.
 * Everything else is refused rather than ignored, which covers RFC 8725's
 * list at once: `jwk`, `jku`, `x5u`, `x5c` (keys or key URLs chosen by the
 * token), `x5t`, `crit` (extensions we do not understand), `b64: false`
 * (unencoded payloads), `zip`, `cty` (nested tokens) and `__proto__`.
 */
const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ'])
const ACCESS_TOKEN_TYPES = new Set([ACCESS_TOKEN_JWT_TYPE, `application/${ACCESS_TOKEN_JWT_TYPE}`])

export interface JwtVerifierOptions {
  readonly issuer: string
  readonly audience: string
  /** The one accepted algorithm; a token naming any other (`none`, HS256, …) is refused. */
  readonly alg: JwtAlg
  /** Longest accepted `exp − iat`: what the exchange would ever mint. */
  readonly maxJwtDurationSeconds: number
  readonly keySet: KeySet
  readonly clock: Clock
  /** How often keys are re-read (KEYS_CACHE_TTL_SECONDS), so withdrawn keys stop working. */
  readonly keysRefreshMs: number
  /** Told about each public key that is skipped as unusable. */
  readonly onSkippedKey?: ((index: number, reason: string) => void) | undefined
  /**
   * How many verified JWTs to keep, by their exact string, so a repeated
   * JWT skips decoding and the signature check (see `createJwtVerifier`).
   * 0 or absent: none.
   */
  readonly verifiedTokens?: number | undefined
}

export interface JwtVerifier {
  /**
   * The claims of a valid Tollgate JWT; anything else throws `invalid_token`.
   * A JWT already split and decoded (`decodeJwt`, to read its `iss`) is taken as it is.
   */
  verify(jwt: string | DecodedJwt): Promise<TollgateClaims>
  /** What the verified-token cache did, when there is one (`verifiedTokens`). */
  readonly verifiedTokenStats?: (() => VerifiedTokenStats) | undefined
}

const invalid = (detail: string): TollgateError => new TollgateError('invalid_token', detail)

/**
 * Verifies Tollgate's own JWTs with bare node:crypto: no network and no
 * database per call. Keys are read from the key set on first use, kept as
 * KeyObjects by `kid`, re-read every `keysRefreshMs`, and reloaded on an
 * unknown `kid` at most once a minute.
 *
 * Primary course:
 * 1. Cheap checks before any decoding: size, shape, canonical base64url.
 * 2. Header: only `{alg, kid, typ}`, `alg` the configured one, `kid` one of our keys.
 * 3. Signature over `header.payload` with that key.
 * 4. Claims: `iss`, `aud`, `exp`/`nbf`/`iat` with 60 s skew, lifetime, claim types.
 *
 * With `verifiedTokens`, a JWT accepted twice is kept by its exact string
 * (a different string is a different token: base64url is checked
 * canonical), at most that many, the oldest dropped first
 * (`createVerifiedTokenCache`). A kept JWT is answered from memory only
 * while the clock is inside the times step 4 accepted and the key cache,
 * fresh, still holds the very key that checked it; otherwise it is verified
 * again from scratch. A key reload drops the JWTs of keys it withdrew. The
 * deny-list is not the verifier's business: callers check it on every
 * decision, hit or not.
 *
 * @example
 * const verifier = createJwtVerifier({ issuer, audience, alg: 'RS256',
 *   maxJwtDurationSeconds: 43_200, keySet, clock: systemClock, keysRefreshMs: 300_000 })
 * const claims = await verifier.verify(jwt)
 */
export const createJwtVerifier = (options: JwtVerifierOptions): JwtVerifier => {
  const capacity = options.verifiedTokens ?? 0
  const verified =
    capacity > 0
      ? createVerifiedTokenCache({
          capacity,
          clock: options.clock,
          skewSeconds: CLOCK_SKEW_SECONDS,
        })
      : undefined
  const keys = createKeyCache({
    keySet: options.keySet,
    algs: [options.alg],
    clock: options.clock,
    refreshMs: options.keysRefreshMs,
    onSkippedKey: options.onSkippedKey,
    onLoaded: verified?.keepSignedBy,
  })
  // Header segments already checked, with their kid, newest first: compared, not hashed.
  const checkedHeaders: Array<readonly [segment: string, kid: string]> = []
  const kidOfHeader = (segment: string): string => {
    for (const [checked, kid] of checkedHeaders) if (checked === segment) return kid
    const kid = checkHeader(decodeJsonObject(segment, 'header'), options.alg)
    if (checkedHeaders.unshift([segment, kid]) > MAX_CHECKED_HEADERS) checkedHeaders.pop()
    return kid
  }

  return {
    async verify(jwt) {
      const decoded = typeof jwt === 'string' ? undefined : jwt
      const token = typeof jwt === 'string' ? jwt : jwt.jwt
      const held = verified?.find(token, keys.find)
      if (held !== undefined) return held
      const parts = decoded?.parts ?? splitCompactJws(token)
      const kid = kidOfHeader(parts.header)
      // The hot path stays synchronous: only a missing or due key set costs an await.
      const key = keys.find(kid) ?? (await keys.findAfterRefresh(kid))
      if (key === undefined) throw invalid('The JWT was not signed by a known key.')
      checkSignature(parts.signingInput, parts.signature, key)
      const payload = decoded?.payload ?? decodeJsonObject(parts.payload, 'payload')
      const claims = checkClaims(payload, options)
      return verified === undefined ? claims : verified.remember(token, claims, kid, key)
    },
    ...(verified === undefined ? {} : { verifiedTokenStats: verified.stats }),
  }
}

/**
 * The verifier of Tollgate's own JWTs for a configuration: what every
 * function that accepts them builds (handlers, the authorizer).
 *
 * @example
 * const verifier = jwtVerifierFor(config, keySet, systemClock)
 */
export const jwtVerifierFor = (
  config: Pick<
    Config,
    'issuer' | 'audience' | 'jwtAlg' | 'maxJwtDurationSeconds' | 'keysCacheTtlSeconds'
  >,
  keySet: KeySet,
  clock: Clock,
  onSkippedKey?: JwtVerifierOptions['onSkippedKey'],
  verifiedTokens?: JwtVerifierOptions['verifiedTokens'],
): JwtVerifier =>
  createJwtVerifier({
    issuer: config.issuer,
    audience: config.audience,
    alg: config.jwtAlg,
    maxJwtDurationSeconds: config.maxJwtDurationSeconds,
    keySet,
    clock,
    keysRefreshMs: config.keysCacheTtlSeconds * 1000,
    onSkippedKey,
    verifiedTokens,
  })

/** Returns the `kid` of a header that Tollgate's signer could have written. */
const checkHeader = (header: Record<string, unknown>, alg: string): string => {
  for (const member in header) {
    if (!HEADER_MEMBERS.has(member)) throw invalid('The JWT header has a member we do not accept.')
  }
  if (header.alg !== alg) throw invalid('The JWT algorithm is not accepted.')
  // RFC 9068 §4 and RFC 8725 §3.11: an access token says so in `typ` (a media
  // type, so case-insensitive, with or without `application/`). An ID token or
  // any other JWT signed by the same key is another kind of token, refused.
  const typ = header.typ
  if (
    typeof typ !== 'string' ||
    (typ !== ACCESS_TOKEN_JWT_TYPE && !ACCESS_TOKEN_TYPES.has(typ.toLowerCase()))
  ) {
    throw invalid('The JWT type is not accepted: Tollgate JWTs say typ "at+jwt".')
  }
  return kidOf(header)
}

const checkClaims = (
  payload: Record<string, unknown>,
  options: JwtVerifierOptions,
): TollgateClaims => {
  const { iss, sub, aud, scope, roles, token_type, is_bot, client_id, otv, jti, iat, nbf, exp } =
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
    typeof is_bot !== 'boolean' ||
    !isNonEmptyString(client_id) ||
    !isGeneration(otv) ||
    typeof jti !== 'string'
  ) {
    throw notTollgateClaims()
  }
  // One object literal per branch, no spread: distinct JWTs take this path on every decision.
  if (token_type === 'federated') {
    const { tpid, ptv, act } = payload
    if (!isNonEmptyString(tpid) || !isGeneration(ptv) || !isActor(act)) throw notTollgateClaims()
    const actor = { iss: act.iss, sub: act.sub }
    return {
      iss,
      sub,
      aud: options.audience,
      scope,
      roles,
      is_bot,
      client_id,
      otv,
      jti,
      iat,
      nbf,
      exp,
      token_type,
      tpid,
      ptv,
      act: actor,
    }
  }
  const { atid, atv } = payload
  if (
    (token_type !== 'service' && token_type !== 'personal') ||
    !isNonEmptyString(atid) ||
    !isGeneration(atv)
  ) {
    throw notTollgateClaims()
  }
  return {
    iss,
    sub,
    aud: options.audience,
    scope,
    roles,
    is_bot,
    client_id,
    otv,
    jti,
    iat,
    nbf,
    exp,
    token_type,
    atid,
    atv,
  }
}

const notTollgateClaims = (): TollgateError => invalid('The JWT claims are not Tollgate claims.')

const isActor = (value: unknown): value is { iss: string; sub: string } =>
  typeof value === 'object' &&
  value !== null &&
  isNonEmptyString((value as { iss?: unknown }).iss) &&
  isNonEmptyString((value as { sub?: unknown }).sub)

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
