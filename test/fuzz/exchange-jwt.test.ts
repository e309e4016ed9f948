import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/core/config.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import { createExchangeJwtHandler } from '../../functions/handlers/exchange-jwt.js'
import type { LambdaHttpHandler } from '../../functions/handlers/http-middleware.js'
import type { Dependencies } from '../../functions/wiring/dependencies.js'
import {
  fakeDependencies,
  fixedClock,
  fixedSecrets,
  MemoryStore,
  testSigner,
} from '../support/fakes.js'
import { apiGatewayFixture, lambdaContext } from '../support/lambda.js'

const baseEvent = apiGatewayFixture<APIGatewayProxyEventV2>('http-v2-proxy.json')

const context = lambdaContext('tollgate-exchange-jwt')

/** A stack frame: "at fn (/path/file.ts:1:2)" or a file URL or path. */
const STACK_TRACE = /\bat [^\n]*[/\\][^\n]*:\d+|file:\/\/|node_modules|\.ts:\d+/

let handler: LambdaHttpHandler
let secret: string

beforeAll(async () => {
  const deps: Dependencies = fakeDependencies({
    config: parseConfig({}),
    store: new MemoryStore(),
    signer: testSigner('ES256').signer,
    keySet: { publicKeys: async () => [] },
    secrets: fixedSecrets(),
    clock: fixedClock(),
  })
  secret = (await bootstrapAdmin(deps, { name: 'admin', asFirstAdmin: true })).secret
  handler = createExchangeJwtHandler(() => Promise.resolve(deps))
})

const eventWith = (
  body: string | undefined,
  contentType: string | undefined,
  isBase64Encoded = false,
): APIGatewayProxyEventV2 => ({
  ...baseEvent,
  rawPath: '/access-tokens/jwt',
  headers: {
    ...baseEvent.headers,
    ...(contentType === undefined ? {} : { 'content-type': contentType }),
  },
  body,
  isBase64Encoded,
})

const expectWellFormed = async (event: APIGatewayProxyEventV2): Promise<number> => {
  const response = await handler(event, context)
  const { statusCode } = response
  expect(
    statusCode === 200 || (statusCode >= 400 && statusCode < 500),
    `status ${statusCode}`,
  ).toBe(true)
  expect(response.body).not.toMatch(STACK_TRACE)
  const body = JSON.parse(response.body) as Record<string, unknown>
  if (statusCode === 200) {
    expect(response.headers?.['content-type']).toBe('application/json')
    expect(typeof body.jwt).toBe('string')
  } else {
    expect(response.headers?.['content-type']).toBe('application/problem+json')
    expect(typeof body.code).toBe('string')
    expect(body.status).toBe(statusCode)
    // A presented token is never echoed back.
    expect(response.body).not.toContain(secret.slice(4, -6))
  }
  return statusCode
}

/** A token-like value: the real one, near misses, or anything. */
const accessTokens = () =>
  fc.oneof(
    fc.constant(secret),
    fc.constant(`${secret.slice(0, -1)}0`),
    fc.constant(secret.replace('tgs_', 'tgp_')),
    fc.string(),
    fc.jsonValue(),
  )

const durations = fc.oneof(
  fc.integer({ min: -100, max: 100_000 }),
  fc.constantFrom(59, 60, 300, 43_200, 43_201, 1e308, -0, 0.5),
  fc.double(),
  fc.jsonValue(),
)

const scopes = fc.oneof(
  fc.constantFrom('tokens:read', 'tokens:read tokens:write', 'datasets:read', '', ' ', 'a"b'),
  fc.string(),
  fc.jsonValue(),
)

describe('POST /access-tokens/jwt (fuzz)', () => {
  it('answers any exchange-shaped JSON body with 200 or a 4xx problem, never a 5xx', async () => {
    const seen = new Set<number>()
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { access_token: accessTokens(), duration_seconds: durations, scope: scopes },
          { requiredKeys: [] },
        ),
        fc.option(
          fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
          { freq: 4 },
        ),
        async (fields, extra) => {
          const body = { ...fields, ...extra }
          seen.add(await expectWellFormed(eventWith(JSON.stringify(body), 'application/json')))
        },
      ),
      // One valid body always runs, so both outcomes are reached whatever the seed.
      { numRuns: 600, examples: [[{ access_token: secret }, null]] },
    )
    // Both outcomes are seen, so the property is not vacuous.
    expect(seen.has(200)).toBe(true)
    expect([...seen].some((status) => status >= 400)).toBe(true)
  })

  it('answers any JSON value, string or bytes with 200 or a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'),
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constant(undefined),
          fc.constant('x'.repeat(20_000)),
        ),
        fc.oneof(
          fc.constantFrom(
            undefined,
            'application/json',
            'text/plain',
            'application/json; charset=utf-8',
          ),
          fc.string(),
        ),
        fc.boolean(),
        async (body, contentType, isBase64Encoded) => {
          await expectWellFormed(eventWith(body, contentType, isBase64Encoded))
        },
      ),
      { numRuns: 600 },
    )
  })
})
