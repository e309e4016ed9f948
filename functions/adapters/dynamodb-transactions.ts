import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb'
import { WriteConflict } from '../core/errors.js'
import type { WriteIntent } from '../core/ports.js'
import { translateDynamoDbError } from './dynamodb-errors.js'
import { type Item, ownerToItem, tokenToItem } from './dynamodb-items.js'
import { auditToItem, denyToItem } from './dynamodb-log-items.js'
import { itemKeys, TABLE_LAYOUT_VERSION } from './token-table.js'
import { trustPolicyToItem } from './trust-policy-items.js'

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number]

const NOT_EXISTS = 'attribute_not_exists(pk)'
/** Written only through `recordTokenUse`; a token update must never move it back. */
const LEFT_ALONE = new Set(['pk', 'sk', 'last_used_at'])

/**
 * Turns the intents of one unit of work into the items of one
 * `TransactWriteItems`, in order, each with the condition its intent stands
 * for, so a cancellation reason at index i names intent i.
 *
 * @example
 * const items = transactItems('tollgate', [{ kind: 'deny', entry }])
 */
export const transactItems = (table: string, intents: readonly WriteIntent[]): TransactItem[] =>
  intents.map((intent) => transactItem(table, intent))

const transactItem = (table: string, intent: WriteIntent): TransactItem => {
  switch (intent.kind) {
    case 'createToken':
      return put(table, tokenToItem(intent.token), NOT_EXISTS)
    case 'updateToken':
      return updateWhole(table, tokenToItem(intent.token), intent.expectedVersion)
    case 'createOwner':
      return put(table, ownerToItem(intent.owner), NOT_EXISTS)
    case 'updateOwner':
      return {
        Put: {
          TableName: table,
          Item: ownerToItem(intent.owner),
          // The owner id check also keeps two owners that share a tag apart.
          ConditionExpression: 'version = :expected AND owner_id = :owner',
          ExpressionAttributeValues: {
            ':expected': intent.expectedVersion,
            ':owner': intent.owner.ref.id,
          },
        },
      }
    case 'reserveAccountName':
      return put(
        table,
        { ...itemKeys.accountName(intent.name), account_id: intent.accountId },
        NOT_EXISTS,
      )
    case 'releaseAccountName':
      return {
        Delete: {
          TableName: table,
          Key: itemKeys.accountName(intent.name),
          ConditionExpression: 'account_id = :account',
          ExpressionAttributeValues: { ':account': intent.accountId },
        },
      }
    case 'createTrustPolicy':
      return put(table, trustPolicyToItem(intent.policy), NOT_EXISTS)
    case 'updateTrustPolicy':
      return {
        Put: {
          TableName: table,
          Item: trustPolicyToItem(intent.policy),
          // Fails on a missing item too: a deleted policy is never written back.
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': intent.expectedVersion },
        },
      }
    case 'deleteTrustPolicy':
      return {
        Delete: {
          TableName: table,
          Key: itemKeys.trustPolicy(intent.id),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': intent.expectedVersion },
        },
      }
    case 'deny':
      return put(table, denyToItem(intent.entry), NOT_EXISTS)
    case 'markJwtRevoked':
      // Revoking a JWT twice is no conflict: the later expiry is the same JWT's exp.
      return {
        Put: {
          TableName: table,
          Item: {
            ...itemKeys.revokedJwt(intent.jti),
            expires_at: intent.expiresAt,
            // DynamoDB deletes lazily; readers compare expires_at with their clock.
            ttl: Math.ceil(intent.expiresAt / 1000),
          },
        },
      }
    case 'audit':
      return put(table, auditToItem(intent.event), NOT_EXISTS)
    case 'claimBootstrap':
      return put(
        table,
        {
          ...itemKeys.bootstrap(),
          account_id: intent.accountId,
          created_at: intent.at,
          layout: TABLE_LAYOUT_VERSION,
        },
        NOT_EXISTS,
      )
  }
}

/**
 * Why a `TransactWriteItems` was cancelled, as core understands it: a
 * condition that failed (`WriteConflict` naming the intent), another
 * transaction on the same items (`contention`), or an outage (`unavailable`).
 */
export const translateTransactionError = (error: unknown): Error => {
  const reasons = (error as { CancellationReasons?: ReadonlyArray<{ Code?: string }> })
    .CancellationReasons
  const failed = reasons?.findIndex((reason) => reason.Code === 'ConditionalCheckFailed') ?? -1
  if (failed !== -1) return new WriteConflict(failed, 'condition', { cause: error })
  const contended = reasons?.findIndex((reason) => reason.Code === 'TransactionConflict') ?? -1
  if (contended !== -1) return new WriteConflict(contended, 'contention', { cause: error })
  if ((error as { name?: string }).name === 'TransactionConflictException') {
    return new WriteConflict(-1, 'contention', { cause: error })
  }
  return translateDynamoDbError(error)
}

const put = (table: string, item: Item, condition: string): TransactItem => ({
  Put: { TableName: table, Item: item, ConditionExpression: condition },
})

/**
 * Rewrites every attribute of an item but its key and `last_used_at`, on
 * condition that it is still at `expectedVersion`: a whole-item Put would
 * move a concurrently recorded `last_used_at` back.
 */
const updateWhole = (table: string, item: Item, expectedVersion: number): TransactItem => {
  const names: Record<string, string> = {}
  const values: Record<string, unknown> = { ':expected': expectedVersion }
  const sets: string[] = []
  const removes: string[] = []
  let index = 0
  for (const [attribute, value] of Object.entries(item)) {
    if (LEFT_ALONE.has(attribute)) continue
    const name = `#a${index}`
    names[name] = attribute
    if (value === undefined) {
      removes.push(name)
    } else {
      sets.push(`${name} = :v${index}`)
      values[`:v${index}`] = value
    }
    index++
  }
  names['#version'] = 'version'
  return {
    Update: {
      TableName: table,
      Key: { pk: item.pk, sk: item.sk },
      UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  }
}
