import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import { createSecretsManagerClient } from '../adapters/secrets-manager-client.js'
import { systemClock } from '../adapters/system-clock.js'
import type { Config } from '../core/config.js'
import type { RotationTiming } from '../core/key-rotation.js'
import type { KeyRotationDependencies } from './key-rotation.js'
import { logger } from './observability.js'

/** Rotation steps run back to back; ten minutes covers retries within one run. */
export const ROTATION_STEP_WINDOW_SECONDS = 600

/**
 * Every wait of the rotation, from the configuration (docs/design.md#keys):
 * minting functions cache the signing-key secret for KEYS_CACHE_TTL_SECONDS
 * too (key-source-dependencies.ts), so that is how long an instance may keep
 * signing with a key after its promotion.
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

/**
 * The rotation function's Lambda composition: the signing-key secret, the
 * table (KEYSET#public), the timing. It holds no pepper and no verifier.
 *
 * @example
 * export const handler = createKeyRotationHandler(lambdaProvider(buildKeyRotationDependencies))
 */
export const buildKeyRotationDependencies = async (
  config: Config,
): Promise<KeyRotationDependencies> => ({
  secretsManager: createSecretsManagerClient({ endpoint: config.secretsManagerEndpoint }),
  dynamoDb: createDynamoDbClient(config.dynamoDbEndpoint),
  tableName: config.tableName,
  alg: config.jwtAlg,
  timing: rotationTimingOf(config),
  clock: systemClock,
  log: (message, fields) => logger.info(message, { ...fields }),
})
