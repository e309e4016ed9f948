import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import { TollgateError } from '../core/errors.js'
import type { TokenStore } from '../core/ports.js'
import type { AccessTokenRecord, ServiceAccountRecord } from '../core/records.js'
import { translateDynamoDbError } from './dynamodb-errors.js'
import { accountToItem, itemToToken, tokenToItem } from './dynamodb-items.js'
import { itemKeys, ownerKey } from './token-table.js'

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number]

const NOT_EXISTS = 'attribute_not_exists(pk)'

/** TokenStore on one DynamoDB table (key schema in token-table.ts). */
export class DynamoDbTokenStore implements TokenStore {
  readonly #documents: DynamoDBDocumentClient
  readonly #tableName: string

  constructor(client: DynamoDBClient, tableName: string) {
    this.#documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    })
    this.#tableName = tableName
  }

  async getToken(id: string): Promise<AccessTokenRecord | undefined> {
    try {
      const { Item } = await this.#documents.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: itemKeys.token(id),
          ConsistentRead: true,
        }),
      )
      return Item === undefined ? undefined : itemToToken(Item)
    } catch (error) {
      throw translateDynamoDbError(error)
    }
  }

  async recordTokenUse(id: string, at: number, unlessUsedSince: number): Promise<void> {
    try {
      await this.#documents.send(
        new UpdateCommand({
          TableName: this.#tableName,
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

  async isBootstrapped(): Promise<boolean> {
    try {
      const { Item } = await this.#documents.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: itemKeys.bootstrap(),
          ConsistentRead: true,
        }),
      )
      return Item !== undefined
    } catch (error) {
      throw translateDynamoDbError(error)
    }
  }

  async createServiceAccountWithToken(
    account: ServiceAccountRecord,
    token: AccessTokenRecord,
    options: { readonly asFirstAdmin: boolean; readonly maxActiveTokensPerOwner: number },
  ): Promise<void> {
    const owner = ownerKey(token.owner)
    // Each entry carries the conflict it stands for, matched to CancellationReasons by index.
    const writes: Array<{ item: TransactItem; conflict: string }> = [
      {
        item: this.#put(accountToItem(account)),
        conflict: 'A service account with this id already exists.',
      },
      {
        item: this.#put({ ...itemKeys.serviceAccountName(account.name), id: account.id }),
        conflict: 'A service account with this name already exists.',
      },
      {
        item: this.#put(tokenToItem(token)),
        conflict: 'An access token with this id already exists.',
      },
      {
        item: this.#put({ ...itemKeys.tokenName(owner, token.name), id: token.id }),
        conflict: 'The owner already has an access token with this name.',
      },
      {
        item: {
          Update: {
            TableName: this.#tableName,
            Key: itemKeys.activeTokenCount(owner),
            UpdateExpression: 'ADD active_count :one',
            ConditionExpression: 'attribute_not_exists(active_count) OR active_count < :max',
            ExpressionAttributeValues: { ':one': 1, ':max': options.maxActiveTokensPerOwner },
          },
        },
        conflict: 'The owner already holds the maximum number of active access tokens.',
      },
    ]
    if (options.asFirstAdmin) {
      writes.push({
        item: this.#put({
          ...itemKeys.bootstrap(),
          account_id: account.id,
          created_at: account.createdAt,
        }),
        conflict: 'Tollgate is already bootstrapped.',
      })
    }
    try {
      await this.#documents.send(
        new TransactWriteCommand({ TransactItems: writes.map((write) => write.item) }),
      )
    } catch (error) {
      const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> })
        .CancellationReasons
      const failed = reasons?.findIndex((reason) => reason.Code === 'ConditionalCheckFailed') ?? -1
      const conflict = writes[failed]?.conflict
      if (conflict !== undefined) throw new TollgateError('conflict', conflict, { cause: error })
      throw translateDynamoDbError(error)
    }
  }

  #put(item: Record<string, unknown>): TransactItem {
    return { Put: { TableName: this.#tableName, Item: item, ConditionExpression: NOT_EXISTS } }
  }
}
