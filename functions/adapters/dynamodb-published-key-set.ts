import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { PublishedKeySet } from '../core/ports.js'
import { readPublicKeySet, writePublicKeySet } from './public-key-set-item.js'

/**
 * The PublishedKeySet of keys init and the rotation: the KEYSET#public item
 * in `tableName` (public-key-set-item.ts), skipped entries reported on `log`.
 * Its own module, so the functions that only read the item (JWKS, the
 * authorizer) do not load it.
 *
 * @example
 * const publishedKeys = dynamoDbPublishedKeySet(dynamoDb, config.tableName)
 */
export const dynamoDbPublishedKeySet = (
  client: DynamoDBClient,
  tableName: string,
  log?: (message: string, fields: Readonly<Record<string, unknown>>) => void,
): PublishedKeySet => ({
  read: () => readPublicKeySet(client, tableName, log),
  write: (keys, updatedAt) => writePublicKeySet(client, tableName, keys, updatedAt),
})
