import { randomUUID } from 'node:crypto'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'
import { generateKeyPair, SignJWT } from 'jose'
import { itemKeys } from '../../functions/adapters/token-table.js'
import type { BenchEnvironment } from './environment.js'
import { type InterleaveOptions, runInterleaved } from './interleave.js'
import type { SuiteResult } from './types.js'

export const EXCHANGE_TASK = 'exchange (handler, in-process)'
export const FLOOR_TASK = 'floor: GetItem + jose sign'

const DURATION_SECONDS = 300

/**
 * ~3 s of discarded warmup, then ~4 s measured per task, in 100 ms slices:
 * short alternating slices put both tasks under the same load from neighbours.
 */
const DEFAULT_OPTIONS: InterleaveOptions = {
  warmupRounds: 15,
  rounds: 40,
  roundTimeMs: 100,
  warmupMs: 0,
}

/** An API Gateway HTTP API (payload 2.0) event as it reaches the exchange Lambda. */
export const httpApiEvent = (body: unknown): APIGatewayProxyEventV2 => {
  const text = JSON.stringify(body)
  return {
    version: '2.0',
    routeKey: 'POST /access-tokens/jwt',
    rawPath: '/access-tokens/jwt',
    rawQueryString: '',
    headers: {
      accept: '*/*',
      'content-length': String(Buffer.byteLength(text)),
      'content-type': 'application/json',
      host: 'lsw1ro4ipb.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'tollgate-bench',
      'x-amzn-trace-id': 'Root=1-66705bc7-2b4257df30cbee696ef2cf28',
      'x-forwarded-for': '15.248.3.126',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'lsw1ro4ipb',
      domainName: 'lsw1ro4ipb.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'lsw1ro4ipb',
      http: {
        method: 'POST',
        path: '/access-tokens/jwt',
        protocol: 'HTTP/1.1',
        sourceIp: '15.248.3.126',
        userAgent: 'tollgate-bench',
      },
      requestId: 'ZhNHJhhLjoEEPiw=',
      routeKey: 'POST /access-tokens/jwt',
      stage: '$default',
      time: '17/Jun/2024:15:52:39 +0000',
      timeEpoch: 1718639559080,
    },
    body: text,
    isBase64Encoded: false,
  }
}

/** A Lambda context as the runtime passes it (middy reads getRemainingTimeInMillis). */
export const lambdaContext = (functionName: string): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '1024',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
})

/**
 * Task A runs the real exchange Lambda handler in-process against DynamoDB
 * Local; task B is the floor it is measured against: the one strongly
 * consistent GetItem plus an RS256 signature that an exchange cannot avoid.
 * Handler modules are imported here, lazily, so run.ts can set
 * POWERTOOLS_LOG_LEVEL before the logger is constructed.
 */
export const runExchangeSuite = async (
  env: BenchEnvironment,
  options: InterleaveOptions = DEFAULT_OPTIONS,
): Promise<SuiteResult> => {
  const { createExchangeJwtHandler } = await import('../../functions/handlers/exchange-jwt.js')
  const handler = createExchangeJwtHandler(async () => env.dependencies)
  const event = httpApiEvent({
    access_token: env.admin.secret,
    duration_seconds: DURATION_SECONDS,
  })
  const context = lambdaContext('tollgate-exchange-jwt')
  const exchange = async (): Promise<void> => {
    const response = await handler(event, context)
    if (response.statusCode !== 200) {
      throw new Error(`exchange answered ${response.statusCode}: ${response.body}`)
    }
  }
  // Fail loudly before measuring anything: a 4xx/5xx would benchmark the error path.
  await exchange()

  const documents = DynamoDBDocumentClient.from(env.dynamoDb)
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 })
  const kid = 'bench-floor'
  const { config } = env.dependencies
  const token = env.admin.token
  const getItem = new GetCommand({
    TableName: env.tableName,
    Key: itemKeys.token(token.id),
    ConsistentRead: true,
  })
  const floor = async (): Promise<string> => {
    const { Item } = await documents.send(getItem)
    if (Item === undefined) throw new Error('floor: token item not found')
    const iat = Math.floor(Date.now() / 1000)
    return new SignJWT({
      iss: config.issuer,
      sub: token.owner.id,
      aud: config.audience,
      scope: (Item.scopes as string[]).join(' '),
      roles: Item.roles as string[],
      token_type: Item.kind as string,
      is_bot: Item.kind === 'service',
      atid: Item.id as string,
      jti: randomUUID(),
      iat,
      nbf: iat,
      exp: iat + DURATION_SECONDS,
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .sign(privateKey)
  }
  await floor()

  const rows = await runInterleaved(
    [
      { name: EXCHANGE_TASK, fn: exchange },
      { name: FLOOR_TASK, fn: floor },
    ],
    options,
  )
  return {
    suite: 'exchange',
    rows,
    ratios: [
      { label: 'exchange / floor', numerator: EXCHANGE_TASK, denominator: FLOOR_TASK, goal: 0.8 },
    ],
    notes: [
      `${options.rounds} alternating rounds x ${options.roundTimeMs} ms per task` +
        ` after ${options.warmupRounds} discarded warmup rounds;` +
        ` sequential, one call in flight; DynamoDB Local in memory; RS256 (RSA-2048)`,
    ],
  }
}
