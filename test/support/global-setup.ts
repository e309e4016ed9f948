import type { TestProject } from 'vitest/node'
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.js'

/** One in-memory DynamoDB Local per test run; each test file makes its own table. */
export async function setup(project: TestProject) {
  const dynamoDb = await startDynamoDbLocal()
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint)
  return () => dynamoDb.stop()
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string
  }
}
