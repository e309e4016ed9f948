import { createPublicKey } from 'node:crypto'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { cachedValue } from '../core/cached-value.js'
import { TollgateError } from '../core/errors.js'
import { jwkThumbprint } from '../core/jwk-thumbprint.js'
import type { Clock, KeySet, PublicJwk } from '../core/ports.js'
import { translateDynamoDbError } from './dynamodb-errors.js'
import { itemKeys } from './token-table.js'

const MAX_KID_LENGTH = 128

type Log = (message: string, fields: Readonly<Record<string, unknown>>) => void

const documentsOf = (client: DynamoDBClient) => DynamoDBDocumentClient.from(client)

/**
 * Reads the public JWK set item (KEYSET#public) with a strongly consistent
 * read, keeping each well-formed public key and skipping (and logging) any
 * other, so one bad entry never takes the rest down. Undefined when the item
 * does not exist.
 *
 * @example
 * const published = await readPublicKeySet(dynamoDb, tableName, (m, f) => logger.warn(m, f))
 */
export const readPublicKeySet = async (
  client: DynamoDBClient,
  tableName: string,
  log?: Log,
): Promise<readonly PublicJwk[] | undefined> => {
  let item: Record<string, unknown> | undefined
  try {
    ;({ Item: item } = await documentsOf(client).send(
      new GetCommand({ TableName: tableName, Key: itemKeys.publicKeySet(), ConsistentRead: true }),
    ))
  } catch (error) {
    throw translateDynamoDbError(error)
  }
  if (item === undefined) return undefined
  const entries = parseKeys(item.keys)
  if (entries === undefined) {
    throw new TollgateError('internal', 'The published key set item is malformed.')
  }
  const keys = new Map<string, PublicJwk>()
  entries.forEach((entry, index) => {
    const key = toPublicJwk(entry)
    if (key === undefined || keys.has(key.kid)) {
      // The index, never the entry: a malformed entry might hold anything.
      log?.('Published key skipped: not a usable public key', { key_index: index })
    } else {
      keys.set(key.kid, key)
    }
  })
  return [...keys.values()]
}

/**
 * Writes the public JWK set item: only the public members of each key.
 * Conditional, so an older writer never replaces a newer set: with
 * `onlyIfAbsent` it writes only into an empty slot (keys init), otherwise
 * only over a set no newer than `updatedAt` (the rotation's setSecret, which
 * may repeat). Resolves whether the item was written.
 *
 * @example
 * await writePublicKeySet(dynamoDb, tableName, keys.map(publicJwkOf), now)
 */
export const writePublicKeySet = async (
  client: DynamoDBClient,
  tableName: string,
  keys: readonly PublicJwk[],
  updatedAt: number,
  options: { readonly onlyIfAbsent?: boolean } = {},
): Promise<boolean> => {
  const published = keys.map((key) => toPublicJwk(key))
  if (published.some((key) => key === undefined)) {
    throw new TollgateError('internal', 'Refusing to publish a key that is not a public key.')
  }
  try {
    await documentsOf(client).send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...itemKeys.publicKeySet(),
          keys: JSON.stringify({ keys: published }),
          updated_at: updatedAt,
        },
        ConditionExpression: options.onlyIfAbsent
          ? 'attribute_not_exists(pk)'
          : 'attribute_not_exists(pk) OR updated_at <= :updatedAt',
        ...(options.onlyIfAbsent ? {} : { ExpressionAttributeValues: { ':updatedAt': updatedAt } }),
      }),
    )
    return true
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false
    throw translateDynamoDbError(error)
  }
}

export interface DynamoDbKeySetOptions {
  readonly dynamoDb: DynamoDBClient
  readonly tableName: string
  /** KEYS_CACHE_TTL_SECONDS. */
  readonly cacheTtlSeconds: number
  readonly clock: Clock
  readonly log?: Log
}

/**
 * The KeySet of KEY_SOURCE=secrets-manager: the public JWK set item, cached
 * for KEYS_CACHE_TTL with one read shared by concurrent callers (`refresh`
 * reads it now, for a verifier that met an unknown kid). This is all
 * JWKS, discovery and the authorizer read, so none of them can read the
 * private secret. A missing item or one without a usable key is `internal`
 * (keys init has not run); a DynamoDB outage is `unavailable`.
 *
 * @example
 * const keySet = createDynamoDbKeySet({ dynamoDb, tableName: config.tableName,
 *   cacheTtlSeconds: 300, clock: systemClock, log: (m, f) => logger.warn(m, f) })
 */
export const createDynamoDbKeySet = (options: DynamoDbKeySetOptions): KeySet => {
  const cache = cachedValue({
    load: async () => {
      const keys = await readPublicKeySet(options.dynamoDb, options.tableName, options.log)
      if (keys === undefined || keys.length === 0) {
        throw new TollgateError('internal', 'No public key has been published.')
      }
      return keys
    },
    ttlMs: options.cacheTtlSeconds * 1000,
    clock: options.clock,
  })
  // refresh: a verifier's throttled re-read on an unknown kid, so a key the
  // rotation just published verifies before this cache's TTL has run out.
  return { publicKeys: () => cache.get(), refresh: () => cache.refresh() }
}

const parseKeys = (text: unknown): unknown[] | undefined => {
  if (typeof text !== 'string') return undefined
  try {
    const parsed: unknown = JSON.parse(text)
    const keys = (parsed as { keys?: unknown } | null)?.keys
    return Array.isArray(keys) ? keys : undefined
  } catch {
    return undefined
  }
}

/**
 * The public JWK of an entry that is exactly a usable RS256 (RSA ≥ 2048) or
 * ES256 (P-256) public key whose kid is a plain string; undefined otherwise.
 * An entry carrying a private member (`d`, …) is refused outright: whatever
 * wrote it leaked a private key, and it must never be served further.
 */
const toPublicJwk = (entry: unknown): PublicJwk | undefined => {
  if (typeof entry !== 'object' || entry === null) return undefined
  const { kty, n, e, crv, x, y, kid, alg, use, d } = entry as Record<string, unknown>
  if (d !== undefined || (use !== undefined && use !== 'sig')) return undefined
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH) return undefined
  const members =
    alg === 'RS256' && kty === 'RSA' && typeof n === 'string' && typeof e === 'string'
      ? { kty, n, e }
      : alg === 'ES256' &&
          kty === 'EC' &&
          crv === 'P-256' &&
          typeof x === 'string' &&
          typeof y === 'string'
        ? { kty, crv, x, y }
        : undefined
  if (members === undefined) return undefined
  try {
    const details = createPublicKey({ key: members, format: 'jwk' }).asymmetricKeyDetails
    if (alg === 'RS256' && (details?.modulusLength ?? 0) < 2048) return undefined
  } catch {
    return undefined
  }
  // Our kids are thumbprints; anything else was not written by Tollgate.
  if (kid !== jwkThumbprint(members)) return undefined
  return { ...members, kid, alg: members.kty === 'RSA' ? 'RS256' : 'ES256', use: 'sig' }
}
