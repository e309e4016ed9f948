import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type { CloudFormationCustomResourceEvent } from 'aws-lambda'
import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import { createSecretsManagerClient } from '../adapters/secrets-manager-client.js'
import { systemClock } from '../adapters/system-clock.js'
import { initKeys } from '../cli/keys-init.js'
import type { Clock } from '../core/ports.js'
import { logger } from './observability.js'

/** Stable, so an Update never looks like a replacement (which would Delete the old one). */
export const KEYS_INIT_PHYSICAL_ID = 'tollgate-keys'

export interface KeysInitDependencies {
  readonly secretsManager: SecretsManagerClient
  readonly dynamoDb: DynamoDBClient
  readonly clock: Clock
  readonly log: (message: string, fields: Readonly<Record<string, unknown>>) => void
}

/** What the CDK Provider framework expects back from an onEvent handler. */
export interface KeysInitResponse {
  readonly PhysicalResourceId: string
  readonly Data?: Readonly<Record<string, string>>
}

/**
 * The stack's `keys init` at deploy: the onEvent handler of a CDK
 * custom-resources Provider (which reports to CloudFormation; a throw fails
 * the deployment). Create and Update seed idempotently, with settings from
 * the resource properties `TableName`, `JwtAlg`, `PepperSecretId` and
 * optionally `SigningKeysSecretId` (KEY_SOURCE=secrets-manager) and
 * `SecretsKmsKeyId`. Delete does nothing: the secrets are retained, and
 * deleting keys would invalidate every token.
 *
 * @example
 * export const handler = createKeysInitHandler(async () => ({ secretsManager, dynamoDb,
 *   clock: systemClock, log: (m, f) => logger.info(m, f) }))
 */
export const createKeysInitHandler =
  (dependencies: () => Promise<KeysInitDependencies>) =>
  async (event: CloudFormationCustomResourceEvent): Promise<KeysInitResponse> => {
    if (event.RequestType === 'Delete') {
      return { PhysicalResourceId: event.PhysicalResourceId }
    }
    const properties = event.ResourceProperties as Record<string, unknown>
    const deps = await dependencies()
    const result = await initKeys({
      ...deps,
      tableName: requiredString(properties, 'TableName'),
      alg: jwtAlg(properties.JwtAlg),
      pepperSecretId: requiredString(properties, 'PepperSecretId'),
      signingKeysSecretId: optionalString(properties, 'SigningKeysSecretId'),
      secretsKmsKeyId: optionalString(properties, 'SecretsKmsKeyId'),
    })
    deps.log('keys init finished', { ...result })
    return { PhysicalResourceId: KEYS_INIT_PHYSICAL_ID, Data: { ...result } }
  }

const requiredString = (properties: Record<string, unknown>, name: string): string => {
  const value = properties[name]
  if (typeof value !== 'string' || value === '') throw new Error(`Property ${name} is required.`)
  return value
}

const optionalString = (properties: Record<string, unknown>, name: string) =>
  properties[name] === undefined || properties[name] === ''
    ? undefined
    : requiredString(properties, name)

const jwtAlg = (value: unknown): 'RS256' | 'ES256' => {
  if (value === 'RS256' || value === 'ES256') return value
  throw new Error('Property JwtAlg must be RS256 or ES256.')
}

/**
 * The Lambda entry point. Clients are made on first use with the SDK's own
 * endpoint resolution (AWS_ENDPOINT_URL and its per-service forms, for LocalStack).
 */
export const handler = createKeysInitHandler(
  (() => {
    let made: KeysInitDependencies | undefined
    return async () => {
      made ??= {
        secretsManager: createSecretsManagerClient(),
        dynamoDb: createDynamoDbClient(undefined),
        clock: systemClock,
        log: (message, fields) => logger.info(message, { ...fields }),
      }
      return made
    }
  })(),
)
