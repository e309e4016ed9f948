import type { Config, KeySource } from './config.js'
import { TollgateError } from './errors.js'

/** A part of the key material a function uses (docs/design.md#keys: each loads only what it needs). */
export type KeyMaterialNeed = 'public-keys' | 'signer' | 'pepper'

/** The variables each part needs, per key source; the local key file needs none. */
const NEEDED_VARIABLES: Readonly<
  Record<Exclude<KeySource, 'local'>, Readonly<Record<KeyMaterialNeed, readonly string[]>>>
> = {
  kms: { 'public-keys': ['KMS_KEY_IDS'], signer: ['KMS_KEY_IDS'], pepper: ['PEPPER_SECRET_ID'] },
  'secrets-manager': {
    // KEYSET#public, in TABLE_NAME.
    'public-keys': [],
    signer: ['SIGNING_KEYS_SECRET_ID'],
    pepper: ['PEPPER_SECRET_ID'],
  },
}

const CONFIGURED: Readonly<Record<string, (config: Config) => boolean>> = {
  KMS_KEY_IDS: (config) => config.kmsKeyIds.length > 0,
  SIGNING_KEYS_SECRET_ID: (config) => config.signingKeysSecretId !== undefined,
  PEPPER_SECRET_ID: (config) => config.pepperSecretId !== undefined,
}

/**
 * Checks at a function's cold start that its key source names the key
 * material the function uses: KMS_KEY_IDS to sign or verify with KMS,
 * SIGNING_KEYS_SECRET_ID to sign from Secrets Manager, PEPPER_SECRET_ID to
 * hash. Per function, not in parseConfig: an authorizer without Basic auth
 * never reads the pepper, and one configured for another stack's issuer
 * (infra `tollgateIssuer`) is not even told where it is.
 *
 * @example
 * const config = requireKeyMaterial(parseConfig(process.env), ['signer', 'pepper'])
 */
export const requireKeyMaterial = (config: Config, needs: readonly KeyMaterialNeed[]): Config => {
  if (config.keySource === 'local') return config
  const needed = NEEDED_VARIABLES[config.keySource]
  const missing = [...new Set(needs.flatMap((need) => needed[need]))].filter(
    (name) => !(CONFIGURED[name]?.(config) ?? false),
  )
  if (missing.length > 0) {
    throw new TollgateError(
      'internal',
      `Invalid configuration: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} required with KEY_SOURCE=${config.keySource}`,
    )
  }
  return config
}
