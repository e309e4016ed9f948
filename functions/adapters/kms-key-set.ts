import { cachedValue } from '../core/cached-value.js'
import { TollgateError } from '../core/errors.js'
import type { Clock, KeySet, PublicJwk } from '../core/ports.js'
import { awsErrorName, isAwsOutage, translateAwsError } from './aws-errors.js'
import { type FetchKmsPublicKey, UnusableKmsKeyError } from './kms-public-jwk.js'

export interface KmsKeySetOptions {
  /**
   * GetPublicKey of one key, for JWT_ALG (a key of another spec is
   * skipped): with the SDK client (`kmsPublicKeyFetcher`), or without it
   * (`jsonKmsPublicKeyFetcher`, the authorizer's cold start).
   */
  readonly fetchPublicKey: FetchKmsPublicKey
  /** KMS_KEY_IDS: every key is published, the signing key and the others alike. */
  readonly keyIds: readonly string[]
  /** KEYS_CACHE_TTL_SECONDS. */
  readonly cacheTtlSeconds: number
  readonly clock: Clock
  /** Told about each skipped key (with its configured id, never key material). */
  readonly log?: (message: string, fields: Readonly<Record<string, unknown>>) => void
}

/**
 * The public keys of every KMS key in KMS_KEY_IDS (GetPublicKey), cached for
 * KEYS_CACHE_TTL with one load shared by concurrent callers.
 *
 * A key that is disabled, pending deletion, missing, denied to us, of the
 * wrong spec or malformed is skipped and logged: the others still verify.
 * An outage (throttling, 5xx, timeout) on any key fails the whole load with
 * `unavailable` instead, because a key set shrunk by a slow KMS would turn
 * valid JWTs into 401s for a whole TTL. No usable key at all is `internal`.
 *
 * @example
 * const keySet = createKmsKeySet({ fetchPublicKey: kmsPublicKeyFetcher(kms, 'RS256'),
 *   keyIds: config.kmsKeyIds, cacheTtlSeconds: 300, clock: systemClock,
 *   log: (m, f) => logger.warn(m, f) })
 */
export const createKmsKeySet = (options: KmsKeySetOptions): KeySet => {
  const cache = cachedValue({
    load: () => loadPublicKeys(options),
    ttlMs: options.cacheTtlSeconds * 1000,
    clock: options.clock,
  })
  const translated = async (read: () => Promise<readonly PublicJwk[]>) => {
    try {
      return await read()
    } catch (error) {
      throw translateAwsError(error)
    }
  }
  return {
    publicKeys: () => translated(() => cache.get()),
    // A verifier's throttled re-read on an unknown kid: KMS_KEY_IDS changes only with a
    // deployment, but a key may come back from Disabled, and a skipped key is re-tried.
    refresh: () => translated(() => cache.refresh()),
  }
}

const loadPublicKeys = async (options: KmsKeySetOptions): Promise<readonly PublicJwk[]> => {
  const results = await Promise.allSettled(
    options.keyIds.map((keyId) => options.fetchPublicKey(keyId)),
  )
  const keys = new Map<string, PublicJwk>()
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') {
      // An alias and an ARN of one key are one key.
      keys.set(result.value.jwk.kid, result.value.jwk)
      return
    }
    if (isAwsOutage(result.reason)) throw result.reason
    options.log?.('KMS key skipped: not a usable public key', {
      key_id: options.keyIds[index],
      error: awsErrorName(result.reason),
      ...(result.reason instanceof UnusableKmsKeyError ? { reason: result.reason.message } : {}),
    })
  })
  if (keys.size === 0) {
    throw new TollgateError('internal', 'No key in KMS_KEY_IDS is a usable public key.')
  }
  return [...keys.values()]
}
