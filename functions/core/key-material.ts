import type { Config, KmsKeySource, SecretsManagerKeySource } from './config.js'
import { TollgateError } from './errors.js'

/** A part of the key material a function uses (docs/design.md#keys: each loads only what it needs). */
export type KeyMaterialNeed = 'public-keys' | 'signer' | 'pepper'

type RemoteKeySource = KmsKeySource | SecretsManagerKeySource

/** The variables a part of the key material is missing, for its key source. */
const missingFor = (config: RemoteKeySource, need: KeyMaterialNeed): readonly string[] => {
  if (need === 'pepper') return config.pepperSecretId === undefined ? ['PEPPER_SECRET_ID'] : []
  if (config.keySource === 'kms') return config.kmsKeyIds.length === 0 ? ['KMS_KEY_IDS'] : []
  // Secrets Manager's public keys are the KEYSET#public item in TABLE_NAME.
  if (need === 'public-keys') return []
  return config.signingKeysSecretId === undefined ? ['SIGNING_KEYS_SECRET_ID'] : []
}

/**
 * Checks at a function's cold start that its key source names the key
 * material the function uses: KMS_KEY_IDS to sign or verify with KMS,
 * SIGNING_KEYS_SECRET_ID to sign from Secrets Manager, PEPPER_SECRET_ID to
 * hash. Per function, not in parseConfig: an authorizer without Basic auth
 * never reads the pepper, and one configured for another stack's issuer
 * (infra `tollgateIssuer`) is not even told where it is. KEY_SOURCE=jwks
 * verifies and nothing more: a function that signs or hashes is refused.
 *
 * @example
 * const config = requireKeyMaterial(parseConfig(process.env), ['signer', 'pepper'])
 */
export const requireKeyMaterial = <C extends Config>(
  config: C,
  needs: readonly KeyMaterialNeed[],
): C => {
  if (config.keySource === 'local') return config
  if (config.keySource === 'jwks') {
    const held = needs.filter((need) => need !== 'public-keys')
    if (held.length === 0) return config
    throw new TollgateError(
      'internal',
      `Invalid configuration: KEY_SOURCE=jwks only verifies (it reads the issuer's public keys), but this function needs the ${held.join(' and ')}: use the issuer's own key source (Basic auth needs the Tollgate stack's authorizer)`,
    )
  }
  const missing = [...new Set(needs.flatMap((need) => missingFor(config, need)))]
  if (missing.length > 0) {
    throw new TollgateError(
      'internal',
      `Invalid configuration: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} required with KEY_SOURCE=${config.keySource}`,
    )
  }
  return config
}

/**
 * A setting `requireKeyMaterial` has checked, as the string it is; a
 * function that skipped the check fails naming the variable, never a cast.
 *
 * @example
 * const secretId = configured(config.pepperSecretId, 'PEPPER_SECRET_ID')
 */
export const configured = (value: string | undefined, variable: string): string => {
  if (value === undefined) {
    throw new TollgateError('internal', `Invalid configuration: ${variable} is required here.`)
  }
  return value
}
