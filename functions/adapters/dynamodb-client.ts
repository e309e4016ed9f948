import { DynamoDBClient } from '@aws-sdk/client-dynamodb'

/**
 * One DynamoDB client per process. A short timeout with few retries keeps a
 * store outage a quick 503 instead of a Lambda timeout. An explicit endpoint
 * (DynamoDB Local, LocalStack) always gets a region, and placeholder
 * credentials when none are set, since those emulators accept any.
 */
export const createDynamoDbClient = (endpoint: string | undefined): DynamoDBClient =>
  new DynamoDBClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
    ...(endpoint === undefined
      ? {}
      : {
          endpoint,
          region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
          ...(process.env.AWS_ACCESS_KEY_ID === undefined
            ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
            : {}),
        }),
  })
