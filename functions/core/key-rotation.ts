import { CLOCK_SKEW_SECONDS } from './jwt-verifier.js'
import type { JwtAlg } from './ports.js'
import { generateSigningKey, type SigningKey, type SigningKeySet } from './signing-keys.js'

/** API Gateway's own JWT authorizer caches a JWKS for up to 2 h (docs/design.md#jwt-exchange). */
export const API_GATEWAY_JWKS_CACHE_SECONDS = 7_200

/** Every duration the rotation must wait out, in seconds. */
export interface RotationTiming {
  /** KEYS_CACHE_TTL_SECONDS: our public key caches, and the JWKS answer's max-age. */
  readonly keysCacheTtlSeconds: number
  /** How long minting functions cache the signing-key secret (so keep signing with a key). */
  readonly signingKeysCacheTtlSeconds: number
  /** MAX_JWT_DURATION_SECONDS: the longest a JWT signed by a key stays valid. */
  readonly maxJwtDurationSeconds: number
  /** AUTHORIZER_CACHE_TTL_SECONDS: API Gateway's cache of authorizer answers. */
  readonly authorizerCacheTtlSeconds: number
  /**
   * How long the steps of one rotation may take, from createSecret to
   * finishSecret; a later step refuses the version. Stamps are written this
   * far ahead ("published at the latest by"), so a slow run never makes a
   * wait look longer than it was.
   */
  readonly stepWindowSeconds: number
}

export type RotationStep = 'create-next' | 'promote' | 'retire-previous' | 'none'

export interface RotationDecision {
  readonly step: RotationStep
  /** Why, in words for the log: never key material, only kids and times. */
  readonly reason: string
  /** The key set after the step (the same keys when the step is 'none'). */
  readonly keySet: SigningKeySet
}

/**
 * When `next` may start signing: once every verifier can have fetched it.
 * API Gateway's JWT authorizer may hold a JWKS for 2 h, fetched from a JWKS
 * function whose own cache is up to KEYS_CACHE_TTL old; a verifier honouring
 * the JWKS max-age adds that TTL to the same cache. Equal to the design's
 * "2 h + KEYS_CACHE_TTL_SECONDS" (docs/design.md#keys) whenever that TTL is at most 2 h.
 *
 * @example
 * if (now >= promotableAt(keys.next, timing)) ...
 */
export const promotableAt = (next: SigningKey, timing: RotationTiming): number =>
  next.publishedAt +
  (Math.max(API_GATEWAY_JWKS_CACHE_SECONDS, timing.keysCacheTtlSeconds) +
    timing.keysCacheTtlSeconds) *
    1000

/**
 * When `previous` may leave the published set: after the last JWT it can have
 * signed has expired. Minting functions keep signing with it until their
 * cached secret expires; that JWT lives MAX_JWT_DURATION plus the verifiers'
 * clock skew. The public-key and authorizer caches only ever delay a removal,
 * but the design (docs/design.md#keys) asks for every cache TTL, and waiting longer costs nothing.
 *
 * @example
 * if (now >= retirableAt(keys.previous, timing)) ...
 */
export const retirableAt = (previous: SigningKey, timing: RotationTiming): number =>
  (previous.supersededAt ?? Number.POSITIVE_INFINITY) +
  (timing.signingKeysCacheTtlSeconds +
    timing.maxJwtDurationSeconds +
    CLOCK_SKEW_SECONDS +
    timing.keysCacheTtlSeconds +
    timing.authorizerCacheTtlSeconds) *
    1000

export interface RotationContext {
  readonly now: number
  readonly timing: RotationTiming
  readonly alg: JwtAlg
  /** Makes a fresh key stamped with `publishedAt`; injected so tests stay deterministic. */
  readonly generateKey?: (alg: JwtAlg, publishedAt: number) => SigningKey
}

/**
 * Advances the key set by the one step that is due (docs/design.md#keys):
 * 1. No `next`: create one; it is published by this run and signs nothing yet.
 * 2. `next` published long enough (see promotableAt) and `previous` absent or
 *    retirable: promote next → current → previous, with a fresh `next`.
 * 3. `previous` retirable (see retirableAt): drop it.
 * 4. Otherwise nothing: the same keys, and the reason names the next due time.
 *
 * @example
 * const { step, reason, keySet } = rotateKeySet(keys, { now, timing, alg: 'RS256' })
 */
export const rotateKeySet = (set: SigningKeySet, context: RotationContext): RotationDecision => {
  const { now, timing } = context
  const generate = context.generateKey ?? generateSigningKey
  const stamp = now + timing.stepWindowSeconds * 1000
  const fresh = () => generate(context.alg, stamp)
  const { current, previous, next } = set
  if (next === undefined) {
    return decision('create-next', 'the key set has no next key', {
      current,
      previous,
      next: fresh(),
      updatedAt: now,
    })
  }
  const promoteAt = promotableAt(next, timing)
  const retireAt = previous === undefined ? undefined : retirableAt(previous, timing)
  const previousGone = retireAt === undefined || now >= retireAt
  if (now >= promoteAt && previousGone) {
    const retiring = previous === undefined ? '' : `; previous key ${previous.kid} is retired`
    return decision('promote', `next key ${next.kid} has been published long enough${retiring}`, {
      current: { ...next, supersededAt: undefined },
      previous: { ...current, supersededAt: stamp },
      next: fresh(),
      updatedAt: now,
    })
  }
  if (previous !== undefined && previousGone) {
    return decision('retire-previous', `no valid JWT can be signed by ${previous.kid} any more`, {
      current,
      next,
      updatedAt: now,
    })
  }
  const waits = [
    now < promoteAt ? `next key ${next.kid} may not sign before ${iso(promoteAt)}` : undefined,
    previous !== undefined && retireAt !== undefined
      ? `previous key ${previous.kid} may verify JWTs until ${iso(retireAt)}`
      : undefined,
  ].filter((wait) => wait !== undefined)
  return decision('none', `nothing is due: ${waits.join('; ')}`, { ...set, updatedAt: now })
}

const decision = (step: RotationStep, reason: string, keySet: SigningKeySet): RotationDecision => ({
  step,
  reason,
  keySet,
})

const iso = (ms: number): string => new Date(ms).toISOString()
