import type { Config } from '../core/config.js'
import type { LocalDynamoDb, OpenOptions } from './local-dynamodb.js'

/**
 * What operator tools (`tollgate bootstrap`) write with, and nothing of the
 * dev server, so the packaged CLI loads only the AWS SDK clients it needs
 * (docs/packaging.md).
 *
 * - `openLocalDynamoDb`: in local mode, or with an endpoint, the same store
 *   as `npm start`; with KEY_SOURCE=kms or secrets-manager and no endpoint,
 *   the AWS DynamoDB of the SDK's own configuration (a deployed stack, whose
 *   table the stack owns: it is never created here).
 */
export const loadStoreRuntime = async () => {
  const { buildDependencies } = await import('../wiring/dependencies.js')
  const openLocalDynamoDb = async (
    config: Config,
    options: OpenOptions = {},
  ): Promise<LocalDynamoDb> =>
    config.localMode || config.dynamoDbEndpoint !== undefined
      ? (await import('./local-dynamodb.js')).openLocalDynamoDb(config, options)
      : openAwsDynamoDb()
  return { buildDependencies, openLocalDynamoDb }
}

const openAwsDynamoDb = async (): Promise<LocalDynamoDb> => {
  const { createDynamoDbClient } = await import('../adapters/dynamodb-client.js')
  const client = createDynamoDbClient(undefined)
  return {
    client,
    endpoint: () => 'AWS',
    ownedPid: () => undefined,
    release: async () => client.destroy(),
  }
}
