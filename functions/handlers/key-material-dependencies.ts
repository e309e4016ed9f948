import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import { createSecretsManagerClient } from '../adapters/secrets-manager-client.js'
import { systemClock } from '../adapters/system-clock.js'
import { parseConfig } from '../core/config.js'
import { TollgateError } from '../core/errors.js'
import type { KeyRotationDependencies } from './key-rotation.js'
import { logger } from './observability.js'

/**
 * TEMPORARY, until functions/core/config.ts grows these fields (the lead's
 * wiring): the key-material settings the rotation function needs, read the
 * way config.ts reads everything else (names the variable, never the value).
 * Fold into parseConfig and delete this file.
 */
export interface KeyMaterialSettings {
  /** KEYS_CACHE_TTL_SECONDS (default 300). */
  readonly keysCacheTtlSeconds: number
  /** AUTHORIZER_CACHE_TTL_SECONDS (default 10). */
  readonly authorizerCacheTtlSeconds: number
  /** AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL. */
  readonly secretsManagerEndpoint: string | undefined
}

/** Rotation steps run back to back; ten minutes covers retries within one run. */
export const ROTATION_STEP_WINDOW_SECONDS = 600

type Env = Readonly<Record<string, string | undefined>>

const integer = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const text = env[name]?.trim()
  if (text === undefined || text === '') return fallback
  const value = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN
  if (!(value >= min && value <= max)) {
    throw new TollgateError(
      'internal',
      `Invalid configuration: ${name} must be an integer between ${min} and ${max}`,
    )
  }
  return value
}

/**
 * Parses the key-material settings; a bad value fails naming the variable.
 *
 * @example
 * const settings = parseKeyMaterialSettings(process.env)
 */
export const parseKeyMaterialSettings = (env: Env): KeyMaterialSettings => ({
  // At most 2 h: the promotion wait (2 h + TTL) assumes no cache outlives API Gateway's.
  keysCacheTtlSeconds: integer(env, 'KEYS_CACHE_TTL_SECONDS', 300, 1, 7_200),
  authorizerCacheTtlSeconds: integer(env, 'AUTHORIZER_CACHE_TTL_SECONDS', 10, 0, 3_600),
  secretsManagerEndpoint:
    env.AWS_ENDPOINT_URL_SECRETS_MANAGER?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined,
})

/** Builds once, on first use; a failed build is retried by the next invocation. */
const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let made: Promise<T> | undefined
  return () => {
    made ??= make().catch((error: unknown) => {
      made = undefined
      throw error
    })
    return made
  }
}

/**
 * The Lambda providers for the key-material functions. Configuration is
 * parsed when the module loads, so a bad variable fails the cold start.
 */
export const lambdaKeyMaterial = (() => {
  const config = parseConfig(process.env)
  const settings = parseKeyMaterialSettings(process.env)
  return {
    config,
    settings,
    rotation: once(
      async (): Promise<KeyRotationDependencies> => ({
        secretsManager: createSecretsManagerClient({ endpoint: settings.secretsManagerEndpoint }),
        dynamoDb: createDynamoDbClient(config.dynamoDbEndpoint),
        tableName: config.tableName,
        alg: config.jwtAlg,
        timing: {
          keysCacheTtlSeconds: settings.keysCacheTtlSeconds,
          // Minting functions cache the signing-key secret with the same TTL.
          signingKeysCacheTtlSeconds: settings.keysCacheTtlSeconds,
          maxJwtDurationSeconds: config.maxJwtDurationSeconds,
          authorizerCacheTtlSeconds: settings.authorizerCacheTtlSeconds,
          stepWindowSeconds: ROTATION_STEP_WINDOW_SECONDS,
        },
        clock: systemClock,
        log: (message, fields) => logger.info(message, { ...fields }),
      }),
    ),
  }
})()
