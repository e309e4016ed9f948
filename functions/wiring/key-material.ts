import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type { FetchKmsPublicKey } from '../adapters/kms-public-jwk.js'
import type { LocalKeys } from '../adapters/local-key-file.js'
// Static, unlike the other adapters: a kilobyte that spares the authorizer's cold start in
// local mode a chunk to load (readLocalPublicKeys reads no private key, no zod).
import { readLocalPublicKeys } from '../adapters/local-public-keys.js'
import { systemClock } from '../adapters/system-clock.js'
import type { Config, JwksKeySource, KmsKeySource, SharedConfig } from '../core/config.js'
import { TollgateError } from '../core/errors.js'
import { configured } from '../core/key-material.js'
import type { Clock, KeySet, Secrets, Signer } from '../core/ports.js'
import { logger, logKmsThrottled } from './observability.js'
import { once } from './once.js'
import { lazyRemoteKeySet } from './remote-key-set.js'

/**
 * The key material of one process, per KEY_SOURCE (docs/design.md#keys). Each
 * part is built on first use and kept, and loads its adapter and AWS SDK
 * client with `import()`: a function that only publishes KMS public keys
 * never loads Secrets Manager's client, and the authorizer never loads KMS
 * or Secrets Manager code unless its key source needs it.
 *
 * | part         | local          | kms                    | secrets-manager                  | jwks                  |
 * | ------------ | -------------- | ---------------------- | -------------------------------- | --------------------- |
 * | publicKeys   | key file       | kms:GetPublicKey       | table item KEYSET#public         | GET JWKS_URL (https)  |
 * | signer       | key file       | kms:Sign               | signing-key secret (Powertools)  | none: refused         |
 * | pepper       | key file (v1)  | pepper secret          | pepper secret                    | none: refused         |
 */
export interface KeyMaterial {
  /** Public keys: what JWKS publishes and verifiers check signatures with. */
  publicKeys(): Promise<KeySet>
  /** The signer (minting functions only). */
  signer(): Promise<Signer>
  /** The versioned pepper (hashing and verifying access tokens, sealing cursors). */
  pepper(): Promise<Secrets>
  /** The development issuer's keys: local mode only, else undefined. */
  devIssuer(): Promise<LocalKeys['devIssuer']>
  /**
   * What a verifier needs and nothing more: our public keys and, in local
   * mode, the development issuer's. A local key file is then read without
   * its private keys (the authorizer's cold start).
   */
  verificationKeys(): Promise<{ readonly keySet: KeySet; readonly devIssuer: KeySet | undefined }>
}

export interface KeyMaterialOptions {
  readonly clock?: Clock
  /**
   * The function's DynamoDB client, for KEYSET#public (secrets-manager);
   * asked for only when needed.
   */
  readonly dynamoDb: () => Promise<DynamoDBClient>
  /**
   * The local key file: `create` it when missing (the dev server, tests,
   * tools), or only `read` it (the authorizer; any function on Lambda, which
   * is `sam local` here since config refuses KEY_SOURCE=local on real Lambda).
   */
  readonly localKeyFile: 'create' | 'read'
  /**
   * KMS GetPublicKey without the SDK client, where the environment allows
   * it (the authorizer's cold start: ./authorizer.js); undefined, or
   * resolving undefined, means the SDK client.
   */
  readonly kmsPublicKeyFetcher?: (() => Promise<FetchKmsPublicKey | undefined>) | undefined
}

/**
 * Picks the adapter for each key-material port from the config.
 *
 * @example
 * const keys = keyMaterialFor(config, { dynamoDb: async () => client, localKeyFile: 'read' })
 * const jwks = await (await keys.publicKeys()).publicKeys()
 */
export const keyMaterialFor = (config: Config, options: KeyMaterialOptions): KeyMaterial => {
  const clock = options.clock ?? systemClock
  if (config.keySource === 'local') {
    // Imported here too: node:fs/promises, the key-file schema and jose's thumbprint are
    // dead weight in the cold start of a function whose keys come from KMS or Secrets Manager.
    const keys = once(async () => {
      const { loadLocalKeys, readLocalKeys } = await import('../adapters/local-key-file.js')
      return options.localKeyFile === 'create' && config.runtime === 'process'
        ? loadLocalKeys(config.dataDir, config.jwtAlg)
        : readLocalKeys(config.dataDir, config.jwtAlg)
    })
    return {
      publicKeys: async () => (await keys()).keySet,
      signer: async () => (await keys()).signer,
      pepper: async () => (await keys()).secrets,
      devIssuer: async () => (config.localMode ? (await keys()).devIssuer : undefined),
      verificationKeys: async () => {
        if (options.localKeyFile === 'create' && config.runtime === 'process') {
          const { keySet, devIssuer } = await keys()
          return { keySet, devIssuer: config.localMode ? devIssuer?.keySet : undefined }
        }
        const { keySet, devIssuer } = readLocalPublicKeys(config.dataDir, config.jwtAlg)
        return { keySet, devIssuer: config.localMode ? devIssuer : undefined }
      },
    }
  }
  if (config.keySource === 'jwks') return jwksKeyMaterial(config, clock)
  const cacheTtlSeconds = config.keysCacheTtlSeconds
  const secretsManager = once(async (): Promise<SecretsManagerClient> => {
    const { createSecretsManagerClient } = await import('../adapters/secrets-manager-client.js')
    return createSecretsManagerClient({ endpoint: config.secretsManagerEndpoint })
  })
  const kms = once(async () => {
    const { createKmsClient } = await import('../adapters/kms-client.js')
    return createKmsClient({ endpoint: config.kmsEndpoint })
  })
  const publicKeys = once(async (): Promise<KeySet> => {
    if (config.keySource === 'kms') {
      const [{ createKmsKeySet }, light] = await Promise.all([
        import('../adapters/kms-key-set.js'),
        options.kmsPublicKeyFetcher?.(),
      ])
      const fetchPublicKey =
        light ??
        (await import('../adapters/kms-public-keys.js')).kmsPublicKeyFetcher(
          await kms(),
          config.jwtAlg,
        )
      return createKmsKeySet({ ...kmsOptions(config, clock), fetchPublicKey, log: warn })
    }
    const { createDynamoDbKeySet } = await import('../adapters/public-key-set-item.js')
    return createDynamoDbKeySet({
      dynamoDb: await options.dynamoDb(),
      tableName: config.tableName,
      cacheTtlSeconds,
      clock,
      log: warn,
    })
  })
  const signer = once(async (): Promise<Signer> => {
    if (config.keySource === 'kms') {
      const { createKmsSigner } = await import('../adapters/kms-signer.js')
      return createKmsSigner({
        ...kmsOptions(config, clock),
        kms: await kms(),
        onThrottled: logKmsThrottled,
      })
    }
    const { createSecretsManagerSigner } = await import('../adapters/secrets-manager-keys.js')
    return createSecretsManagerSigner({
      secretsManager: await secretsManager(),
      secretId: configured(config.signingKeysSecretId, 'SIGNING_KEYS_SECRET_ID'),
      alg: config.jwtAlg,
      // The rotation waits this out before retiring a key (RotationTiming.signingKeysCacheTtlSeconds).
      cacheTtlSeconds,
    })
  })
  const pepper = once(async (): Promise<Secrets> => {
    const { createSecretsManagerPepper } = await import('../adapters/secrets-manager-pepper.js')
    return createSecretsManagerPepper({
      secretsManager: await secretsManager(),
      secretId: configured(config.pepperSecretId, 'PEPPER_SECRET_ID'),
      cacheTtlSeconds,
      clock,
    })
  })
  return {
    publicKeys,
    signer,
    pepper,
    devIssuer: async () => undefined,
    verificationKeys: async () => ({ keySet: await publicKeys(), devIssuer: undefined }),
  }
}

/**
 * The issuer's public keys from its JWKS URL, through the hardened fetcher
 * that people's identity providers go through (https, no redirects, a size
 * cap and a deadline), cached for KEYS_CACHE_TTL_SECONDS and refetched on an
 * unknown `kid` as often as the verifier's key cache allows: a key the
 * issuer rotates in is picked up without a redeploy. Loopback (and plain
 * http to it) only off Lambda: on Lambda 127.0.0.1 is the runtime's own API.
 */
const jwksKeyMaterial = (config: SharedConfig & JwksKeySource, clock: Clock): KeyMaterial => {
  const keySet = lazyRemoteKeySet(
    { uri: config.jwksUrl, allowLoopback: config.runtime === 'process' },
    { cacheTtlMs: config.keysCacheTtlSeconds * 1000, clock },
  )
  const holdsNone = async (): Promise<never> => {
    throw new TollgateError(
      'internal',
      'Invalid configuration: KEY_SOURCE=jwks holds no signing key and no pepper.',
    )
  }
  return {
    publicKeys: async () => keySet,
    signer: holdsNone,
    pepper: holdsNone,
    devIssuer: async () => undefined,
    verificationKeys: async () => ({ keySet, devIssuer: undefined }),
  }
}

const kmsOptions = (config: SharedConfig & KmsKeySource, clock: Clock) => ({
  keyIds: config.kmsKeyIds,
  alg: config.jwtAlg,
  cacheTtlSeconds: config.keysCacheTtlSeconds,
  clock,
})

const warn = (message: string, fields: Readonly<Record<string, unknown>>): void => {
  logger.warn(message, { ...fields })
}

/** parseConfig guarantees these for their key source; this only narrows the type. */
/**
 * The public keys only: JWKS (and nothing else needs so little). DynamoDB's
 * client is loaded only for KEY_SOURCE=secrets-manager (KEYSET#public).
 *
 * @example
 * export const handler = createJwksHandler(
 *   lambdaProvider(process.env, buildPublicKeyDependencies, ['public-keys']))
 */
export const buildPublicKeyDependencies = async (
  config: Config,
): Promise<PublicKeyDependencies> => {
  const keys = keyMaterialFor(config, {
    dynamoDb: async () => {
      const { createDynamoDbClient } = await import('../adapters/dynamodb-client.js')
      return createDynamoDbClient(config.dynamoDbEndpoint)
    },
    localKeyFile: 'create',
  })
  return { config, keySet: await keys.publicKeys() }
}

/** What the JWKS function holds: its config and the public keys. */
export interface PublicKeyDependencies {
  readonly config: Config
  readonly keySet: KeySet
}
