import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { DenyListReader } from '../core/deny-list.js'
import type { DenyEntry } from '../core/records.js'
import { createDenyListReader, type QueryPartitionPage } from './deny-list-reader.js'

/**
 * The deny-list reader (`createDenyListReader`) on the SDK's DynamoDB client:
 * the dev server's and the tests'. The authorizer's Lambda reads it without
 * the SDK where it can (aws-json-reads.ts).
 *
 * @example
 * const entries = await new DynamoDbDenyListReader(client, 'tollgate').entriesSince(since, now)
 */
export class DynamoDbDenyListReader implements DenyListReader {
  readonly #reader: DenyListReader

  constructor(client: DynamoDBClient, tableName: string) {
    this.#reader = createDenyListReader(documentQueryPage(client), tableName)
  }

  entriesSince(since: number, until: number): Promise<readonly DenyEntry[]> {
    return this.#reader.entriesSince(since, until)
  }
}

const documentQueryPage = (client: DynamoDBClient): QueryPartitionPage => {
  const documents = DynamoDBDocumentClient.from(client)
  return async ({ tableName, pk, fromSortKey, start }) => {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': pk, ':from': fromSortKey },
        ConsistentRead: true,
        ExclusiveStartKey: start as Record<string, unknown> | undefined,
      }),
    )
    return { items: page.Items ?? [], next: page.LastEvaluatedKey }
  }
}
