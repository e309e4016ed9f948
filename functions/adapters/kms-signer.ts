import { createHash } from 'node:crypto'
import { type KMSClient, SignCommand } from '@aws-sdk/client-kms'
import { cachedValue } from '../core/cached-value.js'
import { derToJose } from '../core/ecdsa-signature.js'
import { TollgateError } from '../core/errors.js'
import type { Clock, JwtAlg, Signer } from '../core/ports.js'
import { awsErrorName, translateAwsError } from './aws-errors.js'
import { KMS_KEY_PROFILES } from './kms-public-jwk.js'
import { fetchKmsPublicKey } from './kms-public-keys.js'

/** RSASSA-PKCS1-v1_5 with a 2048-bit modulus: signatures are exactly this long. */
const RSA_2048_SIGNATURE_BYTES = 256

export interface KmsSignerOptions {
  readonly kms: KMSClient
  /** KMS_KEY_IDS (ids, ARNs or aliases); the first one signs. */
  readonly keyIds: readonly string[]
  /** JWT_ALG: RS256 needs an RSA_2048 key, ES256 an ECC_NIST_P256 key. */
  readonly alg: JwtAlg
  /** KEYS_CACHE_TTL_SECONDS: how long the signing key's ARN and kid are reused. */
  readonly cacheTtlSeconds: number
  readonly clock: Clock
  /** Told when KMS throttled a Sign call (its error's name), before the `unavailable` is thrown. */
  readonly onThrottled?: ((error: string) => void) | undefined
}

/** KMS's answers when the account's request quota is reached (docs/runbook.md). */
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException'])

/**
 * Signs with an asymmetric KMS key; the private key never leaves KMS.
 *
 * Primary course:
 * 1. Resolve the first key id once per TTL: its ARN and public JWK (kid = thumbprint).
 * 2. Ask for the signing input with that kid, and hash it here (SHA-256).
 * 3. KMS Sign with MessageType DIGEST, on the ARN (not an alias that could
 *    move), so the kid and the signature always come from one key.
 * 4. ECDSA answers in DER; convert it to JOSE r‖s.
 *
 * Failures: an outage is `unavailable`, a misconfigured key `internal`.
 *
 * @example
 * const signer = createKmsSigner({ kms, keyIds: config.kmsKeyIds, alg: 'ES256',
 *   cacheTtlSeconds: 300, clock: systemClock })
 * const jwt = await signJwt(signer, claims)
 */
export const createKmsSigner = (options: KmsSignerOptions): Signer => {
  const [keyId] = options.keyIds
  if (keyId === undefined) throw new TollgateError('internal', 'KMS_KEY_IDS names no key.')
  const profile = KMS_KEY_PROFILES[options.alg]
  const signingKey = cachedValue({
    load: () => fetchKmsPublicKey(options.kms, keyId, options.alg),
    ttlMs: options.cacheTtlSeconds * 1000,
    clock: options.clock,
  })
  return {
    alg: options.alg,
    async sign(signingInputFor) {
      try {
        const { keyArn, jwk } = await signingKey.get()
        const signingInput = signingInputFor(jwk.kid)
        const { Signature, KeyId } = await options.kms.send(
          new SignCommand({
            KeyId: keyArn,
            Message: createHash('sha256').update(signingInput).digest(),
            MessageType: 'DIGEST',
            SigningAlgorithm: profile.signingAlgorithm,
          }),
        )
        if (Signature === undefined || KeyId !== keyArn) throw unexpectedAnswer()
        const signature = options.alg === 'ES256' ? derToJose(Signature) : Signature
        if (options.alg === 'RS256' && signature.length !== RSA_2048_SIGNATURE_BYTES) {
          throw unexpectedAnswer()
        }
        return { kid: jwk.kid, signingInput, signature }
      } catch (error) {
        const name = awsErrorName(error)
        if (THROTTLING.has(name)) options.onThrottled?.(name)
        throw translateAwsError(error)
      }
    },
  }
}

const unexpectedAnswer = (): TollgateError =>
  new TollgateError('internal', 'The key service returned an unexpected signature.')
