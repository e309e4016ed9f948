import { type Config, parseConfig } from '../core/config.js'
import type { LocalDynamoDb, OpenOptions } from './local-dynamodb.js'

/** The config, or undefined after saying which variable is wrong (never with a stack trace). */
export const readConfig = (): Config | undefined => {
  try {
    return parseConfig(process.env)
  } catch (error) {
    process.stderr.write(`tollgate: ${(error as Error).message}\n`)
    return undefined
  }
}

/**
 * The modules that build and serve real dependencies (the AWS SDK among
 * them), loaded only when a command gets that far: `tollgate` stays quick to
 * start, and `npm start` fails on a bad config or a busy port before loading
 * any of them.
 *
 * - `openDevServerDynamoDb`: what `npm start` serves from, whatever the key
 *   source: the configured endpoint, else DynamoDB Local under DATA_DIR.
 * - `openLocalDynamoDb`: what operator tools (`tollgate bootstrap`) write
 *   to: the same in local mode; with KEY_SOURCE=kms or secrets-manager and no
 *   endpoint, the AWS DynamoDB of the SDK's own configuration (a deployed
 *   stack, whose table the stack owns: it is never created here).
 */
export const loadLocalRuntime = async () => {
  const [{ buildDependencies }, local, { startDevServer }] = await Promise.all([
    import('../wiring/dependencies.js'),
    import('./local-dynamodb.js'),
    import('./dev-server.js'),
  ])
  const openLocalDynamoDb = async (
    config: Config,
    options: OpenOptions = {},
  ): Promise<LocalDynamoDb> =>
    config.localMode || config.dynamoDbEndpoint !== undefined
      ? local.openLocalDynamoDb(config, options)
      : openAwsDynamoDb()
  return {
    buildDependencies,
    openLocalDynamoDb,
    openDevServerDynamoDb: local.openLocalDynamoDb,
    startDevServer,
  }
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
