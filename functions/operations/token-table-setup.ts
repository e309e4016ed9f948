import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb'
import { TOKEN_TABLE } from '../adapters/token-table.js'

/** Creates the token table as the CDK stack does (keys, index, TTL) unless it exists. */
export const ensureTokenTable = async (
  client: DynamoDBClient,
  tableName: string,
): Promise<void> => {
  const { partitionKey, sortKey, ownerIndex, listIndex, timeToLiveAttribute } = TOKEN_TABLE
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          partitionKey,
          sortKey,
          ownerIndex.partitionKey,
          ownerIndex.sortKey,
          listIndex.partitionKey,
          listIndex.sortKey,
        ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [ownerIndex, listIndex].map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
            { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
          ],
          Projection: {
            ProjectionType: 'INCLUDE' as const,
            NonKeyAttributes: [...index.projectedAttributes],
          },
        })),
      }),
    )
  } catch (error) {
    if (error instanceof ResourceInUseException) return
    throw error
  }
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName })
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: timeToLiveAttribute, Enabled: true },
    }),
  )
}
