import type { DenyListReader } from '../core/deny-list.js'
import type { JwtAlg } from '../core/ports.js'
import type { AwsJsonClient } from './aws-json-client.js'
import { createDenyListReader, type QueryPartitionPage } from './deny-list-reader.js'
import type { Item } from './dynamodb-items.js'
import { type FetchKmsPublicKey, toKmsPublicKey } from './kms-public-jwk.js'

/**
 * The reads the authorizer makes at a cold start, over `AwsJsonClient`
 * rather than the SDK (see there why): a page of a deny-list partition,
 * and a KMS key's public half.
 */

type AttributeValue = Readonly<Record<string, unknown>>

/**
 * A DynamoDB attribute value as lib-dynamodb's DocumentClient unmarshalls
 * it by default: numbers as JavaScript numbers (refused beyond the safe
 * integers, where it would round), sets as Sets, binary as Uint8Array.
 */
const unmarshall = (value: AttributeValue): unknown => {
  const [type] = Object.keys(value)
  const inner = type === undefined ? undefined : value[type]
  switch (type) {
    case 'S':
      return inner
    case 'N':
      return toNumber(inner)
    case 'BOOL':
      return inner === true
    case 'NULL':
      return null
    case 'B':
      return Buffer.from(String(inner), 'base64')
    case 'L':
      return (inner as readonly AttributeValue[]).map(unmarshall)
    case 'M':
      return unmarshallItem(inner as Readonly<Record<string, AttributeValue>>)
    case 'SS':
      return new Set(inner as readonly string[])
    case 'NS':
      return new Set((inner as readonly string[]).map(toNumber))
    case 'BS':
      return new Set((inner as readonly string[]).map((b) => Buffer.from(b, 'base64')))
    default:
      throw new Error(`Unknown DynamoDB attribute type ${String(type)}`)
  }
}

const toNumber = (text: unknown): number => {
  const value = Number(text)
  if (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    throw new Error('A DynamoDB number is beyond the safe integers')
  }
  return value
}

const unmarshallItem = (item: Readonly<Record<string, AttributeValue>>): Item => {
  const out: Item = {}
  for (const [name, value] of Object.entries(item)) {
    // JSON.parse makes `__proto__` an own key; an assignment would set the prototype.
    Object.defineProperty(out, name, {
      value: unmarshall(value),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

/**
 * One page of `pk = :pk AND sk >= :from`, strongly consistent, as
 * DynamoDB's JSON protocol answers it; the page's `LastEvaluatedKey` is
 * handed back as it came.
 *
 * @example
 * const reader = createDenyListReader(jsonQueryPartitionPage(dynamoDb), config.tableName)
 */
export const jsonQueryPartitionPage =
  (client: AwsJsonClient): QueryPartitionPage =>
  async ({ tableName, pk, fromSortKey, start }) => {
    const page = await client.send('Query', {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': { S: pk }, ':from': { S: fromSortKey } },
      ConsistentRead: true,
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
    })
    const items = (page.Items ?? []) as ReadonlyArray<Readonly<Record<string, AttributeValue>>>
    return { items: items.map(unmarshallItem), next: page.LastEvaluatedKey ?? undefined }
  }

/**
 * KMS GetPublicKey over the JSON protocol (the key comes as base64 DER),
 * checked and converted as the SDK path converts it (`toKmsPublicKey`).
 *
 * @example
 * const keySet = createKmsKeySet({ fetchPublicKey: jsonKmsPublicKeyFetcher(kms, 'RS256'), … })
 */
export const jsonKmsPublicKeyFetcher =
  (client: AwsJsonClient, alg: JwtAlg): FetchKmsPublicKey =>
  async (keyId) => {
    const answer = await client.send('GetPublicKey', { KeyId: keyId })
    const publicKey = answer.PublicKey
    return toKmsPublicKey(
      {
        KeyId: typeof answer.KeyId === 'string' ? answer.KeyId : undefined,
        KeyUsage: typeof answer.KeyUsage === 'string' ? answer.KeyUsage : undefined,
        KeySpec: typeof answer.KeySpec === 'string' ? answer.KeySpec : undefined,
        SigningAlgorithms: Array.isArray(answer.SigningAlgorithms)
          ? answer.SigningAlgorithms.filter((name): name is string => typeof name === 'string')
          : undefined,
        PublicKey: typeof publicKey === 'string' ? Buffer.from(publicKey, 'base64') : undefined,
      },
      alg,
    )
  }

/**
 * The deny-list reader over `jsonQueryPartitionPage`: the authorizer's, in
 * the same chunk as its client, so its first load waits for no other import.
 *
 * @example
 * const entries = await jsonDenyListReader(dynamoDb, config.tableName).entriesSince(since, now)
 */
export const jsonDenyListReader = (client: AwsJsonClient, tableName: string): DenyListReader =>
  createDenyListReader(jsonQueryPartitionPage(client), tableName)
