import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import type { Config } from '../core/config.js'
import { keyMaterialFor } from './key-material.js'

/**
 * A Lambda function's DynamoDB client and key material: one client, made
 * when the function builds, which the key material reuses for KEYSET#public.
 * JWKS and the authorizer load the client on demand instead
 * (./key-material.js, ./authorizer.js): their cold start stays small.
 *
 * @example
 * const { dynamoDb, keys } = lambdaParts(config)
 */
export const lambdaParts = (config: Config) => {
  const dynamoDb = createDynamoDbClient(config.dynamoDbEndpoint)
  const keys = keyMaterialFor(config, { dynamoDb: async () => dynamoDb, localKeyFile: 'create' })
  return { dynamoDb, keys }
}
