import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import { type Config, parseConfig } from '../../functions/core/config.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import { buildDependencies, type Dependencies } from '../../functions/handlers/dependencies.js'
import {
  DEFAULT_LIMITS,
  type DevServer,
  type DevServerLimits,
  startDevServer,
} from '../../functions/local/dev-server.js'
import { freePort } from '../../functions/local/free-port.js'
import { enableInvocationScopes } from '../../functions/local/invocation-scope.js'
import { createTestTable } from './dynamodb.js'

export interface RunningTollgate {
  readonly server: DevServer
  readonly config: Config
  readonly dependencies: Dependencies
  /** The bootstrap admin's access token. */
  readonly adminToken: string
  /** A new server over the same table and data directory (the old one is closed). */
  restart(): Promise<RunningTollgate>
  /** Closes the server and removes its data directory (its keys with it). */
  close(): Promise<void>
}

export interface StartOptions {
  /** Serve through this endpoint (a proxy in front of the run's DynamoDB Local). */
  readonly dynamoDbEndpoint?: string
  /**
   * Serve this table instead of a fresh one on the run's DynamoDB Local (a
   * DynamoDB Local the test may stop). The caller made the table and owns the client.
   */
  readonly table?: {
    readonly client: DynamoDBClient
    readonly endpoint: string
    readonly tableName: string
  }
  readonly limits?: Partial<DevServerLimits>
}

/**
 * The real dev server on a free port, over a fresh table on the run's DynamoDB
 * Local and a fresh data directory, with a bootstrapped admin. Call it before
 * anything else in the file makes an AWS SDK call (see enableInvocationScopes).
 */
export const startTollgate = async (
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningTollgate> => {
  await enableInvocationScopes(DEFAULT_LIMITS.maxConnections)
  const { client: direct, endpoint, tableName } = options.table ?? (await createTestTable())
  const dynamoDbEndpoint = options.dynamoDbEndpoint ?? endpoint
  const client =
    options.dynamoDbEndpoint === undefined ? direct : createDynamoDbClient(dynamoDbEndpoint)
  const dataDir = await mkdtemp(join(tmpdir(), 'tollgate-http-'))
  const boot = async (adminToken: string | undefined): Promise<RunningTollgate> => {
    const config = parseConfig({
      ...env,
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint,
    })
    const dependencies = await buildDependencies(config, client)
    const token =
      adminToken ??
      (await bootstrapAdmin(dependencies, { name: 'admin', asFirstAdmin: true })).secret
    const server = await startDevServer({
      dependencies,
      port: config.port,
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    })
    return {
      server,
      config,
      dependencies,
      adminToken: token,
      restart: async () => {
        await server.close()
        return boot(token)
      },
      close: async () => {
        await server.close()
        if (client !== direct) client.destroy()
        if (options.table === undefined) direct.destroy()
        await rm(dataDir, { recursive: true, force: true })
      },
    }
  }
  return boot(undefined)
}
