import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import { parseConfig } from '../../functions/core/config.js'
import {
  type BootstrapResult,
  bootstrapAdmin,
} from '../../functions/core/use-cases/bootstrap-admin.js'
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.js'
import { ensureTokenTable } from '../../functions/operations/token-table-setup.js'
import { buildDependencies, type Dependencies } from '../../functions/wiring/dependencies.js'

const TABLE_NAME = 'tollgate-bench'

/** What every suite shares: one DynamoDB Local, one table, real dependencies and an admin token. */
export interface BenchEnvironment {
  readonly endpoint: string
  readonly dynamoDb: DynamoDBClient
  readonly tableName: string
  readonly dataDir: string
  readonly dependencies: Dependencies
  /** A real admin access token (`admin.secret`) and its record. */
  readonly admin: BootstrapResult
}

export interface RunningBenchEnvironment {
  readonly environment: BenchEnvironment
  /** Stops DynamoDB Local and removes the temp dir; safe to call twice. */
  stop(): Promise<void>
}

/**
 * Starts an in-memory DynamoDB Local, creates the token table, builds the real
 * dependencies over a temp DATA_DIR and bootstraps an admin. Whatever was
 * started is torn down again if a later step fails.
 */
export const startBenchEnvironment = async (): Promise<RunningBenchEnvironment> => {
  const cleanups: Array<() => Promise<void> | void> = []
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup()
        } catch (error) {
          console.error('bench cleanup failed:', error)
        }
      }
    })()
    return stopped
  }
  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'tollgate-bench-'))
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const dynamoDbLocal = await startDynamoDbLocal()
    cleanups.push(() => dynamoDbLocal.stop())
    const dynamoDb = createDynamoDbClient(dynamoDbLocal.endpoint)
    cleanups.push(() => dynamoDb.destroy())
    await ensureTokenTable(dynamoDb, TABLE_NAME)
    const config = parseConfig({ DATA_DIR: dataDir, TABLE_NAME })
    const dependencies = await buildDependencies(config, dynamoDb)
    const admin = await bootstrapAdmin(dependencies, { name: 'bench-admin', asFirstAdmin: true })
    return {
      environment: {
        endpoint: dynamoDbLocal.endpoint,
        dynamoDb,
        tableName: TABLE_NAME,
        dataDir,
        dependencies,
        admin,
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
