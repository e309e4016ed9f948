import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import { type Config, parseConfig } from '../../functions/core/config.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import {
  DEFAULT_LIMITS,
  type DevServer,
  type DevServerLimits,
  startDevServer,
} from '../../functions/local/dev-server.js'
import { freePort } from '../../functions/local/free-port.js'
import { enableInvocationScopes } from '../../functions/local/invocation-scope.js'
import { buildDependencies, type Dependencies } from '../../functions/wiring/dependencies.js'
import { createTestTable } from './dynamodb.js'

export interface RunningTollgate {
  readonly server: DevServer
  readonly config: Config
  readonly dependencies: Dependencies
  /** The bootstrap admin's access token. */
  readonly adminToken: string
  /**
   * A new server over the same table and data directory (the old one is
   * closed), with `env` on top of the first start's (a redeployment).
   */
  restart(env?: Readonly<Record<string, string>>): Promise<RunningTollgate>
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
  /**
   * Runs once the table exists, before the first start: e.g. `keys init`,
   * which KEY_SOURCE=kms and secrets-manager need before anything can sign.
   */
  readonly prepare?: (table: {
    readonly client: DynamoDBClient
    readonly tableName: string
  }) => Promise<void>
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
  await options.prepare?.({ client, tableName })
  const boot = async (
    adminToken: string | undefined,
    currentEnv: Readonly<Record<string, string>>,
  ): Promise<RunningTollgate> => {
    const config = parseConfig({
      ...currentEnv,
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
      restart: async (overrides = {}) => {
        await server.close()
        return boot(token, { ...currentEnv, ...overrides })
      },
      close: async () => {
        await server.close()
        if (client !== direct) client.destroy()
        if (options.table === undefined) direct.destroy()
        await rm(dataDir, { recursive: true, force: true })
      },
    }
  }
  return boot(undefined, env)
}
