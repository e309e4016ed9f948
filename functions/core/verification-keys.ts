import type { KeyObject } from 'node:crypto'
import { TollgateError } from './errors.js'
import { createPublicKey, verify } from './node-crypto.js'
import type { Clock, JwtAlg, KeySet, PublicJwk } from './ports.js'

/** An unknown `kid` reloads the key set at most this often, so junk kids cannot flood it. */
export const KEY_REFRESH_INTERVAL_MS = 60_000
const MAX_KID_LENGTH = 128

export interface VerificationKey {
  readonly alg: JwtAlg
  readonly key: KeyObject | { readonly key: KeyObject; readonly dsaEncoding: 'ieee-p1363' }
  readonly signatureLength: number
}

export interface KeyCacheOptions {
  readonly keySet: KeySet
  /** Algorithms whose keys are kept; a key for any other is ignored. */
  readonly algs: readonly JwtAlg[]
  readonly clock: Clock
  /**
   * Keys are re-read this often, so a rotated or withdrawn key takes effect
   * without a cold start (docs/design.md#keys: `KEYS_CACHE_TTL_SECONDS`).
   */
  readonly refreshMs: number
  /** How often an unknown `kid` may reload the keys; KEY_REFRESH_INTERVAL_MS unless given. */
  readonly unknownKidRefetchMs?: number | undefined
  /** Told about each key that is skipped, by index, never by value. */
  readonly onSkippedKey?: ((index: number, reason: string) => void) | undefined
  /**
   * Told the keys after every successful load. A key whose `kid` and
   * material did not change is the same object as before the load, so a
   * holder of an earlier key can tell by identity whether it still stands.
   */
  readonly onLoaded?: ((keys: ReadonlyMap<string, VerificationKey>) => void) | undefined
}

export interface KeyCache {
  /** The key for `kid` while the copy is fresh: the synchronous hot path. */
  find(kid: string): VerificationKey | undefined
  /**
   * The key for `kid` after a load when the copy is missing or due, or once
   * (throttled) when the `kid` is unknown. A failed load with a copy younger
   * than twice the refresh interval keeps serving it; past that it throws.
   */
  findAfterRefresh(kid: string): Promise<VerificationKey | undefined>
}

const invalid = (detail: string): TollgateError => new TollgateError('invalid_token', detail)

/**
 * Public keys as KeyObjects by `kid`, read from a key set: on first use, when
 * the copy is older than `refreshMs`, and on an unknown `kid` at most once per
 * KEY_REFRESH_INTERVAL_MS (or `unknownKidRefetchMs`). Concurrent callers share one load.
 *
 * @example
 * const keys = createKeyCache({ keySet, algs: ['RS256'], clock, refreshMs: 300_000 })
 * const key = keys.find(kid) ?? (await keys.findAfterRefresh(kid))
 */
export const createKeyCache = (options: KeyCacheOptions): KeyCache => {
  let keys: ReadonlyMap<string, VerificationKey> | undefined
  let loadedAt = Number.NEGATIVE_INFINITY
  let lastLoadStartedAt = Number.NEGATIVE_INFINITY
  let loading: Promise<void> | undefined

  const load = (fresh = false): Promise<void> => {
    loading ??= (async () => {
      const startedAt = options.clock.now()
      lastLoadStartedAt = startedAt
      const { keySet } = options
      try {
        const jwks =
          fresh && keySet.refresh !== undefined ? await keySet.refresh() : await keySet.publicKeys()
        keys = prepareKeys(jwks, options, keys)
        loadedAt = startedAt
        options.onLoaded?.(keys)
      } finally {
        loading = undefined
      }
    })()
    return loading
  }
  const isFresh = (now: number) => now - loadedAt < options.refreshMs
  const refetchMs = options.unknownKidRefetchMs ?? KEY_REFRESH_INTERVAL_MS

  return {
    find: (kid) => (isFresh(options.clock.now()) ? keys?.get(kid) : undefined),
    findAfterRefresh: async (kid) => {
      const now = options.clock.now()
      if (!isFresh(now)) {
        try {
          await load()
        } catch (error) {
          // A short key-store outage should not stop verification with keys read minutes ago.
          if (keys === undefined || now - loadedAt >= 2 * options.refreshMs) throw error
        }
      } else if (!keys?.has(kid) && now - lastLoadStartedAt >= refetchMs) {
        await load(true)
      } else if (loading !== undefined) {
        await loading
      }
      return keys?.get(kid)
    },
  }
}

/** The public material each prepared key was made from, to keep it across loads when unchanged. */
const MATERIAL = new WeakMap<VerificationKey, string>()

const materialOf = (jwk: PublicJwk, alg: JwtAlg): string =>
  JSON.stringify([alg, jwk.kty, jwk.crv, jwk.n, jwk.e, jwk.x, jwk.y])

/**
 * Keeps the keys usable with one of `algs` and no other: a key published for
 * ES256 never checks an RS256 token, whatever its `kid`. A malformed key, or
 * two keys sharing one `kid`, is skipped and reported; the rest stay usable.
 * A key already in `previous` under the same `kid` with the same material is
 * kept as the same object.
 */
const prepareKeys = (
  jwks: readonly PublicJwk[],
  options: Pick<KeyCacheOptions, 'algs' | 'onSkippedKey'>,
  previous: ReadonlyMap<string, VerificationKey> | undefined,
): ReadonlyMap<string, VerificationKey> => {
  const prepared = new Map<string, VerificationKey>()
  const ambiguous = new Set<string>()
  jwks.forEach((jwk, index) => {
    const alg = algOf(jwk)
    if (alg === undefined || !options.algs.includes(alg)) return
    if ((jwk.use !== undefined && jwk.use !== 'sig') || !isKid(jwk.kid)) {
      options.onSkippedKey?.(index, 'no usable kid or use')
      return
    }
    const material = materialOf(jwk, alg)
    const held = previous?.get(jwk.kid)
    const key =
      held !== undefined && MATERIAL.get(held) === material ? held : toVerificationKey(jwk, alg)
    if (key === undefined) {
      options.onSkippedKey?.(index, `not a usable ${alg} public key`)
      return
    }
    if (prepared.has(jwk.kid)) {
      options.onSkippedKey?.(index, 'kid shared with another key')
      ambiguous.add(jwk.kid)
    }
    MATERIAL.set(key, material)
    prepared.set(jwk.kid, key)
  })
  for (const kid of ambiguous) prepared.delete(kid)
  return prepared
}

const isKid = (kid: unknown): kid is string =>
  typeof kid === 'string' && kid.length > 0 && kid.length <= MAX_KID_LENGTH

/** The algorithm a JWK is for: its `alg`, or, absent, what its key type allows. */
const algOf = (jwk: PublicJwk): JwtAlg | undefined => {
  if (jwk.alg === 'RS256' || jwk.alg === 'ES256') return jwk.alg
  if (jwk.alg !== undefined) return undefined
  if (jwk.kty === 'RSA') return 'RS256'
  return jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : undefined
}

const toVerificationKey = (jwk: PublicJwk, alg: JwtAlg): VerificationKey | undefined => {
  const { kty, crv, n, e, x, y } = jwk
  let key: KeyObject
  try {
    if (alg === 'RS256' && kty === 'RSA') {
      key = createPublicKey({ key: { kty, n, e }, format: 'jwk' })
    } else if (alg === 'ES256' && kty === 'EC' && crv === 'P-256') {
      key = createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' })
    } else {
      return undefined
    }
  } catch {
    return undefined
  }
  const details = key.asymmetricKeyDetails
  if (alg === 'RS256' && (details?.modulusLength ?? 0) >= 2048) {
    return { alg, key, signatureLength: Math.ceil((details?.modulusLength ?? 0) / 8) }
  }
  if (alg === 'ES256' && details?.namedCurve === 'prime256v1') {
    return { alg, key: { key, dsaEncoding: 'ieee-p1363' }, signatureLength: 64 }
  }
  return undefined
}

/**
 * Checks a JWS signature over `header.payload` with `key`, its length exact
 * and, for ECDSA, neither half zero. Throws `invalid_token`.
 */
export const checkSignature = (
  signingInput: string,
  encodedSignature: string,
  key: VerificationKey,
): void => {
  const signature = Buffer.from(encodedSignature, 'base64url')
  if (signature.length !== key.signatureLength) throw invalid('The JWT signature is not valid.')
  // ECDSA with r = 0 or s = 0 verifies every message in broken verifiers
  // (CVE-2022-21449, "psychic signatures"); OpenSSL refuses it too, but say so here.
  if (key.alg === 'ES256' && (isZero(signature, 0, 32) || isZero(signature, 32, 64))) {
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

/** A `kid` header value worth looking up, or `invalid_token`. */
export const kidOf = (header: Record<string, unknown>): string => {
  if (!isKid(header.kid)) throw invalid('The JWT key id is not valid.')
  return header.kid
}
