import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import { dynamoDbPublishedKeySet } from '../adapters/dynamodb-published-key-set.js'
import { secretsManagerSecretStore } from '../adapters/secret-versions.js'
import { createSecretsManagerClient } from '../adapters/secrets-manager-client.js'
import { systemClock } from '../adapters/system-clock.js'
import type { Config } from '../core/config.js'
import type { RotationTiming } from '../core/key-rotation.js'
import type { Clock, PublishedKeySet, SecretStore } from '../core/ports.js'
import type { RotationDependencies } from '../core/use-cases/rotate-signing-keys.js'
import { logInfo } from './observability.js'

type Log = (message: string, fields: Readonly<Record<string, unknown>>) => void

/** Rotation steps run back to back; ten minutes covers retries within one run. */
export const ROTATION_STEP_WINDOW_SECONDS = 600

/**
 * Every wait of the rotation, from the configuration (docs/design.md#keys):
 * minting functions cache the signing-key secret for KEYS_CACHE_TTL_SECONDS
 * too (key-material.ts), so that is how long an instance may keep signing
 * with a key after its promotion.
 *
 * @example
 * const timing = rotationTimingOf(config)
 */
export const rotationTimingOf = (config: Config): RotationTiming => ({
  keysCacheTtlSeconds: config.keysCacheTtlSeconds,
  signingKeysCacheTtlSeconds: config.keysCacheTtlSeconds,
  maxJwtDurationSeconds: config.maxJwtDurationSeconds,
  authorizerCacheTtlSeconds: config.authorizerCacheTtlSeconds,
  stepWindowSeconds: ROTATION_STEP_WINDOW_SECONDS,
})

/** Where key management reads and writes: the secrets, and the table's public key-set item. */
export interface KeyStores {
  readonly secrets: SecretStore
  readonly publishedKeys: PublishedKeySet
}

/**
 * The key stores over Secrets Manager and the table `tableName`
 * (KEYSET#public), on clients the caller made and owns.
 *
 * @example
 * const stores = keyStoresOf(secretsManager, dynamoDb, config.tableName)
 */
export const keyStoresOf = (
  secretsManager: SecretsManagerClient,
  dynamoDb: DynamoDBClient,
  tableName: string,
  log?: Log,
): KeyStores => ({
  secrets: secretsManagerSecretStore(secretsManager),
  publishedKeys: dynamoDbPublishedKeySet(dynamoDb, tableName, log),
})

/**
 * The rotation function's Lambda composition: the signing-key secret, the
 * table (KEYSET#public), the timing. It holds no pepper and no verifier.
 *
 * @example
 * export const handler = createKeyRotationHandler(
 *   lambdaProvider(process.env, buildKeyRotationDependencies))
 */
export const buildKeyRotationDependencies = async (
  config: Config,
): Promise<RotationDependencies> => ({
  ...keyStoresOf(
    createSecretsManagerClient({ endpoint: config.secretsManagerEndpoint }),
    createDynamoDbClient(config.dynamoDbEndpoint),
    config.tableName,
  ),
  alg: config.jwtAlg,
  timing: rotationTimingOf(config),
  clock: systemClock,
  log: logInfo,
})

/** What keys init runs on at deploy: stores for the table the event names, a clock, a log. */
export interface KeysInitDependencies {
  readonly keyStores: (tableName: string) => KeyStores
  readonly clock: Clock
  readonly log: Log
}
