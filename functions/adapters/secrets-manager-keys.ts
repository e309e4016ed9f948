import { type KeyObject, sign } from 'node:crypto'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { TollgateError } from '../core/errors.js'
import type { JwtAlg, Signer } from '../core/ports.js'
import { parseSigningKeySet, privateKeyOf } from '../core/signing-keys.js'
import { createSecretReader } from './secret-reader.js'

export interface SecretsManagerSignerOptions {
  readonly secretsManager: SecretsManagerClient
  /** SIGNING_KEYS_SECRET_ID: the private JWK set `{current, previous?, next?}`. */
  readonly secretId: string
  /** JWT_ALG: the current key must be of this algorithm. */
  readonly alg: JwtAlg
  /**
   * How long the secret is cached. After a promotion, this instance keeps
   * signing with the old key for up to this long, which is why the rotation
   * waits it out before retiring that key (RotationTiming.signingKeysCacheTtlSeconds).
   */
  readonly cacheTtlSeconds: number
}

/**
 * Signs with the `current` key of the signing-key secret (AWSCURRENT), read
 * through Powertools Parameters with a short cache. The kid comes from the
 * same key object that signs, so a rotation between two reads can never pair
 * one key's kid with another's signature.
 *
 * Failures: Secrets Manager outage (or its CMK's) → `unavailable`; a missing,
 * undecryptable or malformed secret, or a current key of the wrong
 * algorithm → `internal`. Key material never reaches a message.
 *
 * @example
 * const signer = createSecretsManagerSigner({ secretsManager,
 *   secretId: config.signingKeysSecretId, alg: 'RS256', cacheTtlSeconds: 300 })
 */
export const createSecretsManagerSigner = (options: SecretsManagerSignerOptions): Signer => {
  const reader = createSecretReader({
    ...options,
    parse: (text): { readonly kid: string; readonly key: SigningKeyObject } => {
      const { current } = parseSigningKeySet(text)
      if (current.alg !== options.alg) {
        throw new TollgateError('internal', `The current signing key is not an ${options.alg} key.`)
      }
      const key = privateKeyOf(current)
      return {
        kid: current.kid,
        key: options.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
      }
    },
  })
  return {
    alg: options.alg,
    async sign(signingInputFor) {
      const { kid, key } = await reader.read()
      const signingInput = signingInputFor(kid)
      const signature = await new Promise<Buffer>((resolve, reject) =>
        // The callback form runs on libuv's thread pool: an RSA signature
        // does not hold up the event loop.
        sign('sha256', signingInput, key, (error, result) =>
          error ? reject(error) : resolve(result),
        ),
      )
      return { kid, signingInput, signature }
    },
  }
}

type SigningKeyObject = KeyObject | { readonly key: KeyObject; readonly dsaEncoding: 'ieee-p1363' }
