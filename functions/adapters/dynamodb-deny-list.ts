import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { DenyListReader } from '../core/deny-list.js'
import type { DenyEntry } from '../core/records.js'
import { translateDynamoDbError } from './dynamodb-errors.js'
import { denyPartition, denySortKey, itemToDeny } from './dynamodb-log-items.js'

const HOUR_MS = 3_600_000

/**
 * The deny-list as the authorizer reads it: one base-table partition per
 * hour of revocations (`DENY#2026-12-01T22`), each read with a strongly
 * consistent query from the wanted instant on. Never a GSI, whose lag could
 * hide an entry for good from a reader that has moved its watermark past it.
 *
 * @example
 * const entries = await new DynamoDbDenyListReader(client, 'tollgate').entriesSince(since, now)
 */
export class DynamoDbDenyListReader implements DenyListReader {
  readonly #documents: DynamoDBDocumentClient
  readonly #table: string

  constructor(client: DynamoDBClient, tableName: string) {
    this.#documents = DynamoDBDocumentClient.from(client)
    this.#table = tableName
  }

  async entriesSince(since: number, until: number): Promise<readonly DenyEntry[]> {
    const partitions: string[] = []
    for (let hour = Math.floor(since / HOUR_MS) * HOUR_MS; hour <= until; hour += HOUR_MS) {
      partitions.push(denyPartition(hour))
    }
    const pages = await Promise.all(
      partitions.map((pk) => this.#queryAll(pk, denySortKey(since, ''))),
    )
    return pages.flat()
  }

  async #queryAll(pk: string, fromSortKey: string): Promise<DenyEntry[]> {
    const entries: DenyEntry[] = []
    let start: Record<string, unknown> | undefined
    try {
      do {
        const page = await this.#documents.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk AND sk >= :from',
            ExpressionAttributeValues: { ':pk': pk, ':from': fromSortKey },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        )
        entries.push(...(page.Items ?? []).map(itemToDeny))
        start = page.LastEvaluatedKey
      } while (start !== undefined)
    } catch (error) {
      throw translateDynamoDbError(error)
    }
    return entries
  }
}
