import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import { TollgateError } from '../core/errors.js'
import { isSameOwner, type OwnerRef, ownerTagOfTokenId } from '../core/owners.js'
import type {
  Page,
  PageRequest,
  PolicyGrant,
  Store,
  TokenWithOwner,
  WriteIntent,
} from '../core/ports.js'
import type { AccessTokenRecord, AuditEvent, AuditSubject, OwnerRecord } from '../core/records.js'
import type { TrustPolicy } from '../core/trust-policy.js'
import { translateDynamoDbError } from './dynamodb-errors.js'
import { type Item, itemToOwner, itemToToken, ownerItemKey } from './dynamodb-items.js'
import { auditPartition, itemToAudit } from './dynamodb-log-items.js'
import { transactItems, translateTransactionError } from './dynamodb-transactions.js'
import { itemKeys, TABLE_LAYOUT_VERSION, TOKEN_TABLE } from './token-table.js'
import { itemToTrustPolicy } from './trust-policy-items.js'

/** BatchGetItem may leave keys unprocessed under load; they are asked again, this often. */
const BATCH_ATTEMPTS = 5
/** DynamoDB's limit on keys in one BatchGetItem. */
const BATCH_GET_LIMIT = 100

/**
 * Every port of the store on one DynamoDB table (layout in token-table.ts
 * and dynamodb-items.ts): strongly consistent reads of tokens and owners,
 * index queries for lists, and one `TransactWriteItems` per unit of work.
 */
export class DynamoDbStore implements Store {
  readonly #documents: DynamoDBDocumentClient
  readonly #table: string

  constructor(client: DynamoDBClient, tableName: string) {
    this.#documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    })
    this.#table = tableName
  }

  async getTokenWithOwner(tokenId: string): Promise<TokenWithOwner> {
    const tokenKey = itemKeys.token(tokenId)
    const ownerKey = itemKeys.owner(ownerTagOfTokenId(tokenId))
    const items = await this.#batchGet([tokenKey, ownerKey])
    const token = items.find((item) => item.pk === tokenKey.pk)
    const owner = items.find((item) => item.pk === ownerKey.pk)
    return {
      token: token === undefined ? undefined : itemToToken(token),
      owner: owner === undefined ? undefined : itemToOwner(owner),
    }
  }

  async getTokens(tokenIds: readonly string[]): Promise<readonly AccessTokenRecord[]> {
    return (await this.#getAll([...new Set(tokenIds)].map(itemKeys.token))).map(itemToToken)
  }

  async listTokens(
    filter: { readonly owner: OwnerRef | undefined; readonly name: string | undefined },
    page: PageRequest,
  ): Promise<Page<AccessTokenRecord>> {
    const index = filter.owner === undefined ? TOKEN_TABLE.listIndex : TOKEN_TABLE.ownerIndex
    return this.#queryIndex(
      {
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: {
          '#pk': index.partitionKey,
          ...(filter.name === undefined ? {} : { '#name': 'name' }),
        },
        ExpressionAttributeValues: {
          ':pk': filter.owner === undefined ? 'TOKENS' : `TOKENS_OF#${filter.owner.id}`,
          ...(filter.name === undefined ? {} : { ':name': filter.name }),
        },
        ...(filter.name === undefined ? {} : { FilterExpression: '#name = :name' }),
      },
      page,
      itemToToken,
    )
  }

  async getOwner(owner: OwnerRef): Promise<OwnerRecord | undefined> {
    const { Item } = await guarded(
      this.#documents.send(
        new GetCommand({
          TableName: this.#table,
          Key: ownerItemKey(owner.id),
          ConsistentRead: true,
        }),
      ),
    )
    const found = Item === undefined ? undefined : itemToOwner(Item)
    // Another owner sharing the tag holds this slot: that is not this owner's item.
    return found !== undefined && isSameOwner(found.ref, owner) ? found : undefined
  }

  async getOwners(owners: readonly OwnerRef[]): Promise<readonly OwnerRecord[]> {
    if (owners.length === 0) return []
    const keys = [
      ...new Map(owners.map((o) => [ownerItemKey(o.id).pk, ownerItemKey(o.id)])).values(),
    ]
    return (await this.#batchGet(keys)).map(itemToOwner)
  }

  listServiceAccounts(page: PageRequest): Promise<Page<OwnerRecord>> {
    return this.#queryIndex(
      {
        IndexName: TOKEN_TABLE.listIndex.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TOKEN_TABLE.listIndex.partitionKey },
        ExpressionAttributeValues: { ':pk': 'SERVICE_ACCOUNTS' },
      },
      page,
      itemToOwner,
    )
  }

  async getTrustPolicy(id: string): Promise<TrustPolicy | undefined> {
    const { Item } = await guarded(
      this.#documents.send(
        new GetCommand({
          TableName: this.#table,
          Key: itemKeys.trustPolicy(id),
          ConsistentRead: true,
        }),
      ),
    )
    return Item === undefined ? undefined : itemToTrustPolicy(Item)
  }

  async getPolicyGrant(tpid: string): Promise<PolicyGrant> {
    const policy = await this.getTrustPolicy(tpid)
    if (policy === undefined) return { policy: undefined, owner: undefined }
    // The account is known only once the policy is read: two reads, both strongly consistent.
    const owner = await this.getOwner({ type: 'service_account', id: policy.serviceAccountId })
    return { policy, owner }
  }

  listTrustPolicies(page: PageRequest): Promise<Page<TrustPolicy>> {
    return this.#query(
      {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': TRUST_POLICIES },
        ConsistentRead: true,
      },
      page,
      itemToTrustPolicy,
    )
  }

  async trustPoliciesOf(issuer: string): Promise<readonly TrustPolicy[]> {
    const policies: TrustPolicy[] = []
    let after: Item | undefined
    do {
      const { Items, LastEvaluatedKey } = await guarded(
        this.#documents.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: 'issuer = :issuer',
            ExpressionAttributeValues: { ':pk': TRUST_POLICIES, ':issuer': issuer },
            ConsistentRead: true,
            ...(after === undefined ? {} : { ExclusiveStartKey: after }),
          }),
        ),
      )
      policies.push(...(Items ?? []).map(itemToTrustPolicy))
      after = LastEvaluatedKey
    } while (after !== undefined)
    return policies
  }

  listEvents(subject: AuditSubject, page: PageRequest): Promise<Page<AuditEvent>> {
    return this.#query(
      {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': auditPartition(subject) },
        ConsistentRead: true,
      },
      page,
      itemToAudit,
    )
  }

  async isBootstrapped(): Promise<boolean> {
    const { Item } = await guarded(
      this.#documents.send(
        new GetCommand({ TableName: this.#table, Key: itemKeys.bootstrap(), ConsistentRead: true }),
      ),
    )
    if (Item !== undefined && Item.layout !== TABLE_LAYOUT_VERSION) {
      throw new TollgateError(
        'internal',
        `Table ${this.#table} was written by an earlier Tollgate with another layout. ` +
          'Locally, move the data directory (DATA_DIR) aside and start again; it holds only development data.',
      )
    }
    return Item !== undefined
  }

  async recordTokenUse(id: string, at: number, unlessUsedSince: number): Promise<void> {
    try {
      await this.#documents.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: itemKeys.token(id),
          UpdateExpression: 'SET last_used_at = :at',
          // Exists, and not touched within the last minute: a concurrent exchange may have won.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(last_used_at) OR last_used_at <= :since)',
          ExpressionAttributeValues: { ':at': at, ':since': unlessUsedSince },
        }),
      )
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return
      throw translateDynamoDbError(error)
    }
  }

  async commit(intents: readonly WriteIntent[]): Promise<void> {
    try {
      await this.#documents.send(
        new TransactWriteCommand({ TransactItems: transactItems(this.#table, intents) }),
      )
    } catch (error) {
      throw translateTransactionError(error)
    }
  }

  /**
   * A page of an index, read from the table: the indexes carry keys and what
   * lists filter on (token-table.ts), the items come from one strongly
   * consistent BatchGetItem per 100, in the index's order. An item gone since
   * the query (expired by TTL) is left out, as a later query would.
   */
  async #queryIndex<T>(
    input: Omit<QueryCommandInput, 'TableName'>,
    page: PageRequest,
    decode: (item: Item) => T,
  ): Promise<Page<T>> {
    const { items: indexed, next } = await this.#query(input, page, (item) => item)
    const keys = indexed.map(({ pk, sk }) => ({ pk, sk }))
    const found = new Map((await this.#getAll(keys)).map((item) => [keyOf(item), item]))
    const items = keys.flatMap((key) => {
      const item = found.get(keyOf(key))
      return item === undefined ? [] : [decode(item)]
    })
    return { items, next }
  }

  /** Any number of items by key, in batches of DynamoDB's limit; missing ones left out. */
  async #getAll(keys: readonly Item[]): Promise<Item[]> {
    const batches: Promise<Item[]>[] = []
    for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
      batches.push(this.#batchGet(keys.slice(start, start + BATCH_GET_LIMIT)))
    }
    return (await Promise.all(batches)).flat()
  }

  async #batchGet(keys: readonly Item[]): Promise<Item[]> {
    const found: Item[] = []
    let pending: Item[] = [...keys]
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === BATCH_ATTEMPTS) {
        throw new TollgateError('unavailable', 'The token store is unavailable; try again.')
      }
      if (attempt > 0) await new Promise((wake) => setTimeout(wake, 10 * 2 ** attempt))
      const { Responses, UnprocessedKeys } = await guarded(
        this.#documents.send(
          new BatchGetCommand({
            RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: true } },
          }),
        ),
      )
      found.push(...(Responses?.[this.#table] ?? []))
      pending = (UnprocessedKeys?.[this.#table]?.Keys ?? []) as Item[]
    }
    return found
  }

  async #query<T>(
    input: Omit<QueryCommandInput, 'TableName'>,
    page: PageRequest,
    decode: (item: Item) => T,
  ): Promise<Page<T>> {
    const { Items, LastEvaluatedKey } = await guarded(
      this.#documents.send(
        new QueryCommand({
          ...input,
          TableName: this.#table,
          ScanIndexForward: false,
          Limit: page.limit,
          ...(page.after === undefined ? {} : { ExclusiveStartKey: page.after as Item }),
        }),
      ),
    )
    return { items: (Items ?? []).map(decode), next: LastEvaluatedKey }
  }
}

/** The one partition of every trust policy. */
const TRUST_POLICIES = itemKeys.trustPolicy('').pk

const keyOf = (item: Item): string => `${String(item.pk)}\n${String(item.sk)}`

const guarded = async <T>(request: Promise<T>): Promise<T> => {
  try {
    return await request
  } catch (error) {
    throw translateDynamoDbError(error)
  }
}
