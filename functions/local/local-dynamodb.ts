import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import { LOCAL_ENDPOINT_FILE } from '../adapters/local-endpoint.js'
import type { Config } from '../core/config.js'
import { ensureTokenTable } from '../operations/token-table-setup.js'
import {
  adoptDynamoDbLocal,
  type RunningDynamoDbLocal,
  startDynamoDbLocal,
} from './dynamodb-local.js'
import { superviseDynamoDbLocal } from './dynamodb-supervisor.js'
import { isAlive } from './processes.js'

export interface LocalDynamoDb {
  readonly client: DynamoDBClient
  /** Where DynamoDB answers now (a supervised DynamoDB Local may move). */
  endpoint(): string
  /** The DynamoDB Local process this one runs, if it runs one (started or adopted). */
  ownedPid(): number | undefined
  /** Stops DynamoDB Local if this process started or adopted it; leaves a shared one running. */
  release(): Promise<void>
}

export interface OpenOptions {
  /**
   * Restart DynamoDB Local whenever it exits unasked (`npm start`), saying so
   * on `log`. Short-lived tools (the CLI) leave this off.
   */
  readonly supervise?: { readonly log: (message: string) => void }
}

/**
 * The DynamoDB that local tools use, with the token table in place: the
 * configured endpoint if any; else the DynamoDB Local already serving this
 * DATA_DIR, since two instances must never share one database file (shared
 * while the process that started it runs; adopted, and stopped on release,
 * when that process died without stopping it); else a new one, persisted
 * under DATA_DIR. The instance this process owns is recorded in DATA_DIR,
 * and with `supervise` restarted when it dies.
 */
export const openLocalDynamoDb = async (
  config: Config,
  options: OpenOptions = {},
): Promise<LocalDynamoDb> => {
  if (config.dynamoDbEndpoint !== undefined) return useShared(config, config.dynamoDbEndpoint)
  const endpointFile = join(config.dataDir, LOCAL_ENDPOINT_FILE)
  const running = await runningInstance(endpointFile)
  if (running !== undefined && isAlive(running.ownerPid)) return useShared(config, running.endpoint)
  const dataDir = join(config.dataDir, 'dynamodb')
  const first =
    running !== undefined
      ? adoptDynamoDbLocal(running.endpoint, running.dynamoDbPid)
      : await startDynamoDbLocal({ dataDir })
  const record = (instance: RunningDynamoDbLocal) =>
    writeFile(
      endpointFile,
      JSON.stringify({
        endpoint: instance.endpoint,
        ownerPid: process.pid,
        dynamoDbPid: instance.pid,
      } satisfies EndpointRecord),
    )
  await record(first)
  const supervisor =
    options.supervise === undefined
      ? undefined
      : superviseDynamoDbLocal(first, {
          dataDir,
          log: options.supervise.log,
          onRestart: async (instance) => {
            await record(instance)
            const check = createDynamoDbClient(instance.endpoint)
            try {
              await ensureTokenTable(check, config.tableName)
            } finally {
              check.destroy()
            }
          },
        })
  const current = () => supervisor?.current() ?? first
  const client = createDynamoDbClient(() => current().endpoint)
  const release = async () => {
    client.destroy()
    await rm(endpointFile, { force: true })
    await (supervisor === undefined ? first.stop() : supervisor.stop())
  }
  try {
    await ensureTokenTable(client, config.tableName)
  } catch (error) {
    await release()
    throw error
  }
  return {
    client,
    endpoint: () => current().endpoint,
    ownedPid: () => current().pid,
    release,
  }
}

interface EndpointRecord {
  readonly endpoint: string
  /** The process that stops DynamoDB Local when it exits. */
  readonly ownerPid: number
  readonly dynamoDbPid: number
}

const useShared = async (config: Config, endpoint: string): Promise<LocalDynamoDb> => {
  const client = createDynamoDbClient(endpoint)
  await ensureTokenTable(client, config.tableName)
  return {
    client,
    endpoint: () => endpoint,
    ownedPid: () => undefined,
    release: async () => client.destroy(),
  }
}

/** The recorded DynamoDB Local, if its process is alive and it answers. */
const runningInstance = async (endpointFile: string): Promise<EndpointRecord | undefined> => {
  let recorded: Partial<Record<keyof EndpointRecord, unknown>>
  try {
    recorded = JSON.parse(await readFile(endpointFile, 'utf8'))
  } catch {
    return undefined
  }
  const { endpoint, ownerPid, dynamoDbPid } = recorded
  if (
    typeof endpoint !== 'string' ||
    typeof ownerPid !== 'number' ||
    typeof dynamoDbPid !== 'number' ||
    !isAlive(dynamoDbPid)
  ) {
    return undefined
  }
  // A recycled pid is not our DynamoDB Local: trust the record only if the endpoint answers.
  const client = createDynamoDbClient(endpoint)
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }))
    return { endpoint, ownerPid, dynamoDbPid }
  } catch {
    return undefined
  } finally {
    client.destroy()
  }
}
