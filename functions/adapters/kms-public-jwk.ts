import type { KeyObject } from 'node:crypto'
import { jwkThumbprint } from '../core/jwk-thumbprint.js'
import { createPublicKey } from '../core/node-crypto.js'
import type { JwtAlg, PublicJwk } from '../core/ports.js'

/** The one KMS key spec and signing algorithm behind each JWT algorithm (docs/design.md#keys). */
export const KMS_KEY_PROFILES = {
  RS256: { keySpec: 'RSA_2048', signingAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' },
  ES256: { keySpec: 'ECC_NIST_P256', signingAlgorithm: 'ECDSA_SHA_256' },
} as const

/** A KMS key that answered, but cannot serve as one of our signing keys. */
export class UnusableKmsKeyError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'UnusableKmsKeyError'
  }
}

/** A KMS signing key as we use it: the ARN to sign with and the public JWK to publish. */
export interface KmsPublicKey {
  /** The key's ARN as KMS reports it, also when the configured id was an alias. */
  readonly keyArn: string
  /** `kid` is the RFC 7638 thumbprint: a JWT header never names an ARN or an account. */
  readonly jwk: PublicJwk
}

/** Reads one key's public half, by id, ARN or alias (kms:GetPublicKey), however it is asked. */
export type FetchKmsPublicKey = (keyId: string) => Promise<KmsPublicKey>

/** What GetPublicKey answers, as far as it is used: the SDK's output and the JSON answer alike. */
export interface KmsPublicKeyAnswer {
  readonly KeyId?: string | undefined
  readonly KeyUsage?: string | undefined
  readonly KeySpec?: string | undefined
  readonly SigningAlgorithms?: readonly string[] | undefined
  /** DER-encoded SubjectPublicKeyInfo. */
  readonly PublicKey?: Uint8Array | undefined
}

/**
 * Checks a GetPublicKey answer and turns its SPKI DER into a JWK. Throws
 * UnusableKmsKeyError when the key is not a signing key of exactly the spec
 * `alg` needs, or its public key does not parse.
 *
 * @example
 * const { keyArn, jwk } = toKmsPublicKey(await kms.send(new GetPublicKeyCommand({ KeyId })), 'ES256')
 */
export const toKmsPublicKey = (output: KmsPublicKeyAnswer, alg: JwtAlg): KmsPublicKey => {
  const profile = KMS_KEY_PROFILES[alg]
  if (output.KeyUsage !== 'SIGN_VERIFY') throw new UnusableKmsKeyError('not a signing key')
  if (
    output.KeySpec !== profile.keySpec ||
    !(output.SigningAlgorithms ?? []).includes(profile.signingAlgorithm)
  ) {
    throw new UnusableKmsKeyError(`not a ${profile.keySpec} key for ${alg}`)
  }
  if (output.KeyId === undefined || output.PublicKey === undefined) {
    throw new UnusableKmsKeyError('no key id or public key in the answer')
  }
  let key: KeyObject
  try {
    key = createPublicKey({ key: Buffer.from(output.PublicKey), format: 'der', type: 'spki' })
  } catch {
    throw new UnusableKmsKeyError('the public key is not a valid SPKI')
  }
  // The key spec is only a label: the key itself must match it too.
  const details = key.asymmetricKeyDetails
  const matches =
    alg === 'RS256'
      ? key.asymmetricKeyType === 'rsa' && details?.modulusLength === 2048
      : key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1'
  if (!matches) throw new UnusableKmsKeyError(`the public key is not a ${profile.keySpec} key`)
  const { kty, n, e, crv, x, y } = key.export({ format: 'jwk' })
  const members = alg === 'RS256' ? { kty, n, e } : { kty, crv, x, y }
  return {
    keyArn: output.KeyId,
    jwk: { ...members, kid: jwkThumbprint(members), alg, use: 'sig' },
  }
}
