import { DynamoDBClient } from '@aws-sdk/client-dynamodb'

/**
 * One DynamoDB client per process. A short timeout with few retries keeps a
 * store outage a quick 503 instead of a Lambda timeout. An explicit endpoint
 * (DynamoDB Local, LocalStack) gets placeholder credentials when none are set,
 * since those emulators accept any.
 */
export const createDynamoDbClient = (endpoint: string | undefined): DynamoDBClient => {
  const local = endpoint !== undefined && process.env.AWS_ACCESS_KEY_ID === undefined
  return new DynamoDBClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(local
      ? {
          region: process.env.AWS_REGION ?? 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
  })
}
