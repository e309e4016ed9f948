import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import { createSecretsManagerClient } from '../adapters/secrets-manager-client.js'
import { systemClock } from '../adapters/system-clock.js'
import type { RemoteKeyConfig, SharedConfig } from '../core/config.js'
import { configured } from '../core/key-material.js'
import {
  type KeysInitResult,
  type SeedKeysDependencies,
  type SeedKeysRequest,
  seedKeys,
} from '../core/use-cases/seed-keys.js'
import { type KeysInitDependencies, keyStoresOf } from '../wiring/key-management.js'
import { logInfo } from '../wiring/observability.js'
import { ensureTokenTable } from './token-table-setup.js'

export interface KeysInitOptions
  extends SeedKeysRequest,
    Pick<SeedKeysDependencies, 'clock' | 'log'> {
  readonly secretsManager: SecretsManagerClient
  readonly dynamoDb: DynamoDBClient
  /** The table whose KEYSET#public item receives the public keys. */
  readonly tableName: string
}

/**
 * keys init (core/use-cases/seed-keys.ts) against whatever endpoints the SDK
 * clients were given: LocalStack, the tests' fake endpoint, AWS.
 *
 * @example
 * await initKeys({ secretsManager, dynamoDb, tableName, alg: 'RS256',
 *   pepperSecretId, signingKeysSecretId, clock: systemClock })
 */
export const initKeys = (options: KeysInitOptions): Promise<KeysInitResult> =>
  seedKeys(
    {
      ...keyStoresOf(options.secretsManager, options.dynamoDb, options.tableName, options.log),
      clock: options.clock,
      log: options.log,
    },
    {
      alg: options.alg,
      pepperSecretId: options.pepperSecretId,
      signingKeysSecretId: options.signingKeysSecretId,
      createMissing: options.createMissing,
      secretsKmsKeyId: options.secretsKmsKeyId,
    },
  )

/**
 * keys init for a configuration (KEY_SOURCE=kms or secrets-manager), at the
 * endpoints it names: `tollgate keys init`, and `npm start` against an
 * emulator's Secrets Manager. Without `dynamoDb` it makes its own client,
 * and on an explicit endpoint (an emulator, which may not have the table
 * yet) creates the table first; on AWS the stack owns the table.
 *
 * @example
 * const result = await initConfiguredKeys(config, { secretsKmsKeyId: 'alias/tollgate-secrets' })
 */
export const initConfiguredKeys = async (
  config: RemoteKeyConfig,
  options: {
    /** The DynamoDB to publish to, its table in place (the dev server's). */
    readonly dynamoDb?: DynamoDBClient
    readonly secretsKmsKeyId?: string | undefined
  } = {},
): Promise<KeysInitResult> => {
  const secretsManager = createSecretsManagerClient({ endpoint: config.secretsManagerEndpoint })
  const dynamoDb = options.dynamoDb ?? createDynamoDbClient(config.dynamoDbEndpoint)
  try {
    // An emulator (LocalStack, DynamoDB Local) may not have the table yet; on AWS the stack owns it.
    if (
      options.dynamoDb === undefined &&
      config.keySource === 'secrets-manager' &&
      config.dynamoDbEndpoint !== undefined
    ) {
      await ensureTokenTable(dynamoDb, config.tableName)
    }
    return await initKeys({
      secretsManager,
      dynamoDb,
      tableName: config.tableName,
      alg: config.jwtAlg,
      pepperSecretId: configured(config.pepperSecretId, 'PEPPER_SECRET_ID'),
      signingKeysSecretId:
        config.keySource === 'secrets-manager' ? config.signingKeysSecretId : undefined,
      secretsKmsKeyId: options.secretsKmsKeyId,
      clock: systemClock,
    })
  } finally {
    secretsManager.destroy()
    if (options.dynamoDb === undefined) dynamoDb.destroy()
  }
}

/**
 * keys init as the stack runs it at deploy: the keys-init function's
 * dependencies. Clients reach the endpoints of the function's configuration
 * (AWS_ENDPOINT_URL and its per-service forms, for LocalStack), like every
 * other Tollgate function's; the table comes with each event (its resource
 * properties).
 *
 * @example
 * export const handler = createKeysInitHandler(
 *   lambdaProvider(process.env, buildKeysInitDependencies))
 */
export const buildKeysInitDependencies = async (
  config: SharedConfig,
): Promise<KeysInitDependencies> => {
  const secretsManager = createSecretsManagerClient({ endpoint: config.secretsManagerEndpoint })
  const dynamoDb = createDynamoDbClient(config.dynamoDbEndpoint)
  return {
    keyStores: (tableName) => keyStoresOf(secretsManager, dynamoDb, tableName, logInfo),
    clock: systemClock,
    log: logInfo,
  }
}
