import type { TollgateClaims } from './claims.js'
import type { Clock } from './ports.js'
import type { VerificationKey } from './verification-keys.js'

/**
 * How much of a JWT's end it is looked up by. Hashing a whole JWT (~800
 * characters) for a Map costs a microsecond, about as much as the rest of a
 * decision besides the signature; its last 64 characters, all signature,
 * spread as well, and the whole string is then compared (a length check and
 * a memcmp), so only the exact JWT is ever a hit. Reaching that comparison
 * takes the end of a kept JWT's signature, which only its holder has: its
 * timing tells nobody anything they do not hold already.
 */
const LOOKUP_SUFFIX_LENGTH = 64
/** Characters of the signature hashed for the admission filter: 96 random bits. */
const FINGERPRINT_LENGTH = 16

export interface VerifiedTokenCacheOptions {
  /** Most JWTs kept; the oldest kept is dropped first. */
  readonly capacity: number
  readonly clock: Clock
  /** Clock skew the verifier forgives, in seconds: a hit is judged as the verifier would judge it. */
  readonly skewSeconds: number
}

/** What the cache did since it was made: for tests, the bench and logs. */
export interface VerifiedTokenStats {
  readonly size: number
  /** Answered from memory. */
  readonly hits: number
  /** Verified in full: not kept, kept but no longer valid, or kept under another key. */
  readonly misses: number
  /** Kept after a full verification (seen for the second time). */
  readonly admitted: number
}

export interface VerifiedTokenCache {
  /**
   * The claims of `jwt` if it was verified before and nothing that decided
   * that has changed: the clock is inside the times the verifier accepted
   * (with the same skew), and `currentKey(kid)` is still the very key that
   * checked the signature. Anything else is a miss and drops the entry.
   */
  find(
    jwt: string,
    currentKey: (kid: string) => VerificationKey | undefined,
  ): TollgateClaims | undefined
  /**
   * After a full verification: keeps the JWT (and freezes its claims) if it
   * was verified once already within the last `capacity` to `2 × capacity`
   * misses; otherwise only notes its fingerprint.
   */
  remember(jwt: string, claims: TollgateClaims, kid: string, key: VerificationKey): TollgateClaims
  /** Drops every JWT whose key is not, by identity, in a freshly loaded key set. */
  keepSignedBy(keys: ReadonlyMap<string, VerificationKey>): void
  stats(): VerifiedTokenStats
}

interface Entry {
  /** The exact JWT: a hit is only ever this string. */
  readonly jwt: string
  readonly claims: TollgateClaims
  readonly kid: string
  /** The key that checked its signature. */
  readonly key: VerificationKey
  /** What the verifier compares the clock with, in seconds: the later of nbf and iat; exp. */
  readonly notBefore: number
  readonly expires: number
}

/** FNV-1a over the last characters of a verified JWT (its signature), never 0. */
const fingerprint = (jwt: string): number => {
  let hash = 0x811c9dc5
  for (let i = Math.max(0, jwt.length - FINGERPRINT_LENGTH); i < jwt.length; i++) {
    hash = Math.imul(hash ^ jwt.charCodeAt(i), 0x01000193)
  }
  return hash | 1
}

/**
 * Verified JWTs, kept by their exact string, at most `capacity`, for the
 * verifier to answer a repeated JWT without decoding it or checking its
 * signature again.
 *
 * A JWT is kept only on its second full verification within the last
 * `capacity` to `2 × capacity` misses (a "doorkeeper", as in TinyLFU): a
 * stream of JWTs seen once each then neither evicts the JWTs that do repeat
 * nor keeps objects alive to be promoted and collected, which cost a miss
 * more than the lookup does. A JWT seen twice costs two verifications, then
 * none until it is evicted.
 *
 * @example
 * const cache = createVerifiedTokenCache({ capacity: 1024, clock, skewSeconds: 60 })
 * const claims = cache.find(jwt, (kid) => keys.find(kid)) ?? cache.remember(jwt, verified, kid, key)
 */
export const createVerifiedTokenCache = (
  options: VerifiedTokenCacheOptions,
): VerifiedTokenCache => {
  const { capacity, clock, skewSeconds } = options
  const entries = new Map<string, Entry>()
  // Insertion order, as a ring: the slot about to be reused holds the oldest lookup key.
  // A key dropped early (expired, key withdrawn) may still sit in a slot and drop a newer
  // entry under the same key when its turn comes: early, never late, so at most `capacity`.
  const order: Array<string | undefined> = new Array(capacity)
  let next = 0
  // Fingerprints of JWTs verified in full, by slot, in two generations of `capacity` misses
  // each: a JWT verified again while its fingerprint is in either is seen for the second time.
  const slots = 2 ** Math.ceil(Math.log2(Math.max(2, 2 * capacity)))
  let seenNow = new Int32Array(slots)
  let seenBefore = new Int32Array(slots)
  let missesThisGeneration = 0
  let hits = 0
  let misses = 0
  let admitted = 0

  const secondSighting = (jwt: string): boolean => {
    const print = fingerprint(jwt)
    const slot = print & (slots - 1)
    const again = seenNow[slot] === print || seenBefore[slot] === print
    seenNow[slot] = print
    if (++missesThisGeneration >= capacity) {
      ;[seenBefore, seenNow] = [seenNow, seenBefore]
      seenNow.fill(0)
      missesThisGeneration = 0
    }
    return again
  }

  return {
    find(jwt, currentKey) {
      const lookup = jwt.slice(-LOOKUP_SUFFIX_LENGTH)
      const held = entries.get(lookup)
      if (held?.jwt === jwt) {
        // The same comparisons as the verifier's claim checks, in seconds.
        const now = clock.now() / 1000
        if (
          now < held.expires + skewSeconds &&
          held.notBefore <= now + skewSeconds &&
          currentKey(held.kid) === held.key
        ) {
          hits++
          return held.claims
        }
        entries.delete(lookup)
      }
      misses++
      return undefined
    },
    remember(jwt, claims, kid, key) {
      if (capacity <= 0 || !secondSighting(jwt)) return claims
      // Shared by every later hit: frozen, so no caller can change what the next one sees.
      Object.freeze(claims.roles)
      Object.freeze(claims)
      const lookup = jwt.slice(-LOOKUP_SUFFIX_LENGTH)
      const oldest = order[next]
      if (oldest !== undefined) entries.delete(oldest)
      order[next] = lookup
      next = next + 1 === capacity ? 0 : next + 1
      entries.set(lookup, {
        jwt,
        claims,
        kid,
        key,
        notBefore: Math.max(claims.nbf, claims.iat),
        expires: claims.exp,
      })
      admitted++
      return claims
    },
    keepSignedBy(keys) {
      for (const [lookup, entry] of entries) {
        if (keys.get(entry.kid) !== entry.key) entries.delete(lookup)
      }
    },
    stats: () => ({ size: entries.size, hits, misses, admitted }),
  }
}
