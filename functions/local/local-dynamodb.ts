import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import type { Config } from '../core/config.js'
import { startDynamoDbLocal } from './dynamodb-local.js'
import { ensureTokenTable } from './token-table-setup.js'

const ENDPOINT_FILE = 'dynamodb-endpoint.json'

export interface LocalDynamoDb {
  readonly client: DynamoDBClient
  readonly endpoint: string
  /** Stops DynamoDB Local if this process started it; leaves a shared one running. */
  release(): Promise<void>
}

/**
 * The DynamoDB that local tools use, with the token table in place: the
 * configured endpoint if any; else the DynamoDB Local that another local
 * process (a running `npm start`) already serves for this DATA_DIR, since two
 * instances must never share one database file; else a new one, persisted
 * under DATA_DIR.
 */
export const openLocalDynamoDb = async (config: Config): Promise<LocalDynamoDb> => {
  const shared = config.dynamoDbEndpoint ?? (await runningEndpoint(config.dataDir))
  if (shared !== undefined) {
    const client = createDynamoDbClient(shared)
    await ensureTokenTable(client, config.tableName)
    return { client, endpoint: shared, release: async () => client.destroy() }
  }
  const dynamoDb = await startDynamoDbLocal({ dataDir: join(config.dataDir, 'dynamodb') })
  const endpointFile = join(config.dataDir, ENDPOINT_FILE)
  await writeFile(endpointFile, JSON.stringify({ endpoint: dynamoDb.endpoint, pid: process.pid }))
  const client = createDynamoDbClient(dynamoDb.endpoint)
  await ensureTokenTable(client, config.tableName)
  return {
    client,
    endpoint: dynamoDb.endpoint,
    release: async () => {
      client.destroy()
      await rm(endpointFile, { force: true })
      await dynamoDb.stop()
    },
  }
}

const runningEndpoint = async (dataDir: string): Promise<string | undefined> => {
  let recorded: { endpoint?: unknown; pid?: unknown }
  try {
    recorded = JSON.parse(await readFile(join(dataDir, ENDPOINT_FILE), 'utf8'))
  } catch {
    return undefined
  }
  if (typeof recorded.endpoint !== 'string' || typeof recorded.pid !== 'number') return undefined
  return isAlive(recorded.pid) ? recorded.endpoint : undefined
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
