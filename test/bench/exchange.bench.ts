import { randomUUID } from 'node:crypto'
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { generateKeyPair, SignJWT } from 'jose'
import { itemKeys } from '../../functions/adapters/token-table.js'
import { ownerTagOfTokenId } from '../../functions/core/owners.js'
import { apiGatewayFixture, lambdaContext } from '../support/lambda.js'
import type { BenchEnvironment } from './environment.js'
import { ratio, throughput } from './figures.js'
import { type InterleaveOptions, runInterleaved } from './interleave.js'
import type { SuiteResult } from './types.js'

export const EXCHANGE_TASK = 'exchange (handler, in-process)'
export const FLOOR_TASK = 'floor: BatchGetItem + jose sign'

const DURATION_SECONDS = 300

/**
 * ~6 s of discarded warmup (DynamoDB Local's JVM needs seconds), then 40
 * rounds of 300 ms per task: alternating slices put both tasks under the
 * same load from neighbours, and each round counts its median call (of
 * 50-100), so one slow garbage collection (ours or the JVM's) moves no round.
 */
const DEFAULT_OPTIONS: InterleaveOptions = {
  warmupRounds: 10,
  rounds: 40,
  roundTimeMs: 300,
  batchMs: 0,
}

/** An API Gateway HTTP API (payload 2.0) event as it reaches the exchange Lambda. */
export const httpApiEvent = (body: unknown): APIGatewayProxyEventV2 => {
  const event = apiGatewayFixture<APIGatewayProxyEventV2>('http-v2-proxy.json')
  const text = JSON.stringify(body)
  return {
    ...event,
    routeKey: 'POST /access-tokens/jwt',
    rawPath: '/access-tokens/jwt',
    headers: {
      ...event.headers,
      authorization: undefined,
      'content-length': String(Buffer.byteLength(text)),
      'content-type': 'application/json',
    },
    requestContext: {
      ...event.requestContext,
      http: { ...event.requestContext.http, path: '/access-tokens/jwt' },
      routeKey: 'POST /access-tokens/jwt',
    },
    body: text,
  }
}

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
  // The same one round trip the exchange makes: token and owner item, strongly consistent.
  const tokenKey = itemKeys.token(token.id)
  const batchGet = new BatchGetCommand({
    RequestItems: {
      [env.tableName]: {
        Keys: [tokenKey, itemKeys.owner(ownerTagOfTokenId(token.id))],
        ConsistentRead: true,
      },
    },
  })
  const floor = async (): Promise<string> => {
    const { Responses } = await documents.send(batchGet)
    const Item = Responses?.[env.tableName]?.find((item) => item.pk === tokenKey.pk)
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
      client_id: Item.id as string,
      atid: Item.id as string,
      atv: Item.generation as number,
      otv: 1,
      jti: randomUUID(),
      iat,
      nbf: iat,
      exp: iat + DURATION_SECONDS,
    })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
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
    id: 'exchange',
    title: 'Exchange, in-process handler on DynamoDB Local, RS256',
    figures: [
      ratio('exchange.over_floor', 'exchange / floor', rows, EXCHANGE_TASK, FLOOR_TASK, {
        op: '>=',
        value: 0.8,
      }),
      throughput('exchange.exchange', EXCHANGE_TASK, rows, EXCHANGE_TASK),
      throughput('exchange.floor', FLOOR_TASK, rows, FLOOR_TASK),
    ],
    notes: [
      `${options.rounds} rounds after ${options.warmupRounds} discarded, tasks alternating,` +
        ` ${options.roundTimeMs} ms per task per round; a round counts its median call;` +
        ' one call in flight; DynamoDB Local in memory, on the same 2 cores.',
      'Floor: the one strongly consistent BatchGetItem (token and owner item) and one jose' +
        ' RS256 signature that an exchange cannot avoid; the exchange also parses and checks' +
        ' the body, hashes the token, records last_used_at without waiting, and answers.',
    ],
  }
}
