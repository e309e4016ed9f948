import { realpath } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Config } from '../core/config.js'

/**
 * The dev-only route where a running dev server says which store it serves,
 * so that `tollgate bootstrap` can tell whether a token it mints would work
 * there. Not in the route table: never deployed.
 */
export const STORE_PATH = '/_local/store'

const SERVICE = 'tollgate-dev-server'

/**
 * What an access token minted in one place needs to be accepted by a server:
 * the same data directory (its pepper hashes the secret; its DynamoDB Local
 * holds the table unless an endpoint is set), the same table, and the same
 * DynamoDB.
 */
export interface StoreIdentity {
  /** Absolute, symlinks resolved. */
  readonly dataDir: string
  readonly tableName: string
  /** AWS_ENDPOINT_URL_DYNAMODB, or null for the DynamoDB Local that runs under DATA_DIR. */
  readonly dynamoDbEndpoint: string | null
}

export const storeIdentity = async (config: Config): Promise<StoreIdentity> => ({
  dataDir: await realpath(config.dataDir).catch(() => resolve(config.dataDir)),
  tableName: config.tableName,
  dynamoDbEndpoint: config.dynamoDbEndpoint?.replace(/\/+$/, '') ?? null,
})

export const sameStore = (a: StoreIdentity, b: StoreIdentity): boolean =>
  a.dataDir === b.dataDir &&
  a.tableName === b.tableName &&
  a.dynamoDbEndpoint === b.dynamoDbEndpoint

export const describeStore = (store: StoreIdentity): string =>
  `DATA_DIR=${store.dataDir} TABLE_NAME=${store.tableName} ` +
  (store.dynamoDbEndpoint === null
    ? '(DynamoDB Local under DATA_DIR)'
    : `AWS_ENDPOINT_URL_DYNAMODB=${store.dynamoDbEndpoint}`)

/** The body of `GET /_local/store`. */
export const storeDocument = (store: StoreIdentity) => ({
  service: SERVICE,
  data_dir: store.dataDir,
  table_name: store.tableName,
  dynamodb_endpoint: store.dynamoDbEndpoint,
})

/**
 * The store of the Tollgate dev server listening on 127.0.0.1:`port`;
 * undefined when nothing answers there within a second, or something that is
 * not a Tollgate dev server does.
 */
export const runningServerStore = async (port: number): Promise<StoreIdentity | undefined> => {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${STORE_PATH}`, {
      signal: AbortSignal.timeout(1_000),
    })
    if (!response.ok) return undefined
    const body = (await response.json()) as Partial<Record<string, unknown>>
    const { service, data_dir, table_name, dynamodb_endpoint } = body
    if (
      service !== SERVICE ||
      typeof data_dir !== 'string' ||
      typeof table_name !== 'string' ||
      (dynamodb_endpoint !== null && typeof dynamodb_endpoint !== 'string')
    ) {
      return undefined
    }
    return { dataDir: data_dir, tableName: table_name, dynamoDbEndpoint: dynamodb_endpoint }
  } catch {
    return undefined
  }
}
