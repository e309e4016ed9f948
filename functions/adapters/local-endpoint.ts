import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Where `npm start` records the DynamoDB Local it serves, under DATA_DIR. */
export const LOCAL_ENDPOINT_FILE = 'dynamodb-endpoint.json'

/**
 * The DynamoDB Local endpoint a running `npm start` recorded for this
 * DATA_DIR, or undefined: how local tools and the authorizer (run with the
 * dev server's DATA_DIR) find the store the dev server writes to.
 *
 * @example
 * const endpoint = config.dynamoDbEndpoint ?? (await readLocalDynamoDbEndpoint(config.dataDir))
 */
export const readLocalDynamoDbEndpoint = async (dataDir: string): Promise<string | undefined> => {
  try {
    const { endpoint } = JSON.parse(await readFile(join(dataDir, LOCAL_ENDPOINT_FILE), 'utf8')) as {
      endpoint?: unknown
    }
    return typeof endpoint === 'string' ? endpoint : undefined
  } catch {
    return undefined
  }
}
