import { randomUUID } from 'node:crypto'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { inject } from 'vitest'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import { ensureTokenTable } from '../../functions/operations/token-table-setup.js'

/** A fresh table on the run's DynamoDB Local, so test files never see each other's items. */
export const createTestTable = async (): Promise<{
  client: DynamoDBClient
  endpoint: string
  tableName: string
}> => {
  const endpoint = inject('dynamoDbEndpoint')
  const client = createDynamoDbClient(endpoint)
  const tableName = `test-${randomUUID()}`
  await ensureTokenTable(client, tableName)
  return { client, endpoint, tableName }
}
