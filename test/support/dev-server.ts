import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Config, parseConfig } from '../../functions/core/config.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import { buildDependencies, type Dependencies } from '../../functions/handlers/dependencies.js'
import { type DevServer, startDevServer } from '../../functions/local/dev-server.js'
import { freePort } from '../../functions/local/free-port.js'
import { createTestTable } from './dynamodb.js'

export interface RunningTollgate {
  readonly server: DevServer
  readonly config: Config
  readonly dependencies: Dependencies
  /** The bootstrap admin's access token. */
  readonly adminToken: string
  restart(): Promise<RunningTollgate>
}

/**
 * The real dev server on a free port, over a fresh table on the run's DynamoDB
 * Local and a fresh data directory, with a bootstrapped admin.
 */
export const startTollgate = async (env: Record<string, string> = {}): Promise<RunningTollgate> => {
  const { client, tableName } = await createTestTable()
  const dataDir = await mkdtemp(join(tmpdir(), 'tollgate-http-'))
  const boot = async (adminToken: string | undefined): Promise<RunningTollgate> => {
    const config = parseConfig({
      ...env,
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      TABLE_NAME: tableName,
    })
    const dependencies = await buildDependencies(config, client)
    const token =
      adminToken ??
      (await bootstrapAdmin(dependencies, { name: 'admin', asFirstAdmin: true })).secret
    const server = await startDevServer({ dependencies, port: config.port })
    return {
      server,
      config,
      dependencies,
      adminToken: token,
      restart: async () => {
        await server.close()
        return boot(token)
      },
    }
  }
  return boot(undefined)
}
