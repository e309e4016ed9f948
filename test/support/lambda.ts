import { readFileSync } from 'node:fs'
import type { Context } from 'aws-lambda'

/** A real event API Gateway sent (test/fixtures/apigateway, see SOURCES.md there). */
export const apiGatewayFixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/apigateway/${name}`, import.meta.url), 'utf8')) as T

/** A Lambda context as the runtime passes it. */
export const lambdaContext = (functionName = 'tollgate'): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: '2026/01/01/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
})
