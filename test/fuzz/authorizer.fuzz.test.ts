import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/core/config.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import {
  type AuthorizerResponse,
  createAuthorizerHandler,
} from '../../functions/handlers/authorizer.js'
import { buildAuthorizerDependencies } from '../../functions/wiring/authorizer.js'
import { fixedClock, fixedSecrets, MemoryStore } from '../support/fakes.js'
import { AUDIENCE, ISSUER, makeTestKey, NOW, signWithJose } from '../support/jwt-attacks.js'

/**
 * Property: whatever arrives in the Authorization header (or as the event),
 * the authorizer never allows without the exact valid credential, and never
 * fails in any other way than REST's `Unauthorized` throw.
 */

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET/datasets/1'
const ROUTE_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default/GET/datasets/1'
const RUNS = { numRuns: 300 }

const key = makeTestKey('RS256')
const store = new MemoryStore()
const clock = fixedClock(NOW)
const basicDeps = { store, secrets: fixedSecrets(), clock }
const config = parseConfig({ ISSUER, AUDIENCE, BASIC_AUTH_ENABLED: 'true' })
const deps = buildAuthorizerDependencies({
  config,
  keySet: { publicKeys: async () => [key.jwk] },
  clock,
  basicAuth: async () => basicDeps,
})
const handler = createAuthorizerHandler(async () => deps)
const validJwt = await signWithJose(key)
const admin = await bootstrapAdmin(
  { ...basicDeps, config: { defaultTokenTtlSeconds: 86_400 } },
  { name: 'admin', asFirstAdmin: true },
)
const validBasic = Buffer.from(`tollgate:${admin.secret}`).toString('base64')

type Outcome = 'allow' | 'deny'

/** Runs an event and classifies the answer; anything but the known deny shapes fails the property. */
const outcomeOf = async (event: unknown): Promise<Outcome> => {
  let response: AuthorizerResponse
  try {
    response = await handler(event)
  } catch (error) {
    // REST's 401, or the failure API Gateway answers 500: neither lets anyone in.
    expect(error).toBeInstanceOf(Error)
    expect(['Unauthorized', 'Authorizer could not decide']).toContain((error as Error).message)
    return 'deny'
  }
  if ('isAuthorized' in response) return response.isAuthorized ? 'allow' : 'deny'
  expect(response.policyDocument.Statement.length).toBeGreaterThan(0)
  return response.policyDocument.Statement.some((s) => s.Effect === 'Allow') ? 'allow' : 'deny'
}

const restToken = (authorization: string) => ({
  type: 'TOKEN',
  authorizationToken: authorization,
  methodArn: METHOD_ARN,
})
const httpV2 = (authorization: string) => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: ROUTE_ARN,
  routeKey: 'GET /datasets/{id}',
  rawPath: '/datasets/1',
  headers: { authorization },
})

const base64urlChar = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'.split(''),
)
const headerValue = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.string({ unit: base64urlChar, maxLength: 400 }).map((s) => `Bearer ${s}`),
  fc.string({ maxLength: 100 }).map((s) => `Basic ${Buffer.from(s).toString('base64')}`),
  fc
    .string({ maxLength: 60 })
    .map((s) => `Basic ${Buffer.from(`tollgate:${s}`).toString('base64')}`),
  fc.constantFrom('Bearer', 'Bearer ', 'Basic', 'Basic ', 'bearer .', 'Bearer ..', 'Bearer a.b.c'),
)

/** A valid credential changed in one way: it must then be refused. */
const mutation = (valid: string) =>
  fc.oneof(
    fc
      .tuple(
        fc.nat({ max: valid.length - 1 }),
        fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme-ascii' }),
      )
      .map(([i, c]) => valid.slice(0, i) + c + valid.slice(i + 1)),
    fc.nat({ max: valid.length - 1 }).map((i) => valid.slice(0, i) + valid.slice(i + 1)),
    fc.nat({ max: valid.length - 1 }).map((i) => valid.slice(0, i)),
    fc.string({ minLength: 1, maxLength: 20 }).map((tail) => valid + tail),
    fc
      .tuple(fc.nat({ max: valid.length }), fc.string({ minLength: 1, maxLength: 3 }))
      .map(([i, s]) => valid.slice(0, i) + s + valid.slice(i)),
  )

describe('authorizer fuzzing', () => {
  it('sanity: the unmutated credentials are allowed', async () => {
    expect(await outcomeOf(restToken(`Bearer ${validJwt}`))).toBe('allow')
    expect(await outcomeOf(httpV2(`Basic ${validBasic}`))).toBe('allow')
  })

  it('an arbitrary Authorization value is never allowed (REST TOKEN and HTTP API)', async () => {
    await fc.assert(
      fc.asyncProperty(headerValue, async (authorization) => {
        expect(await outcomeOf(restToken(authorization))).toBe('deny')
        expect(await outcomeOf(httpV2(authorization))).toBe('deny')
      }),
      RUNS,
    )
  })

  it('a valid JWT flipped, cut, shortened or extended is never allowed', async () => {
    await fc.assert(
      fc.asyncProperty(mutation(validJwt), async (jwt) => {
        fc.pre(jwt !== validJwt)
        expect(await outcomeOf(restToken(`Bearer ${jwt}`))).toBe('deny')
      }),
      RUNS,
    )
  })

  it('a valid Basic credential changed in any way is never allowed', async () => {
    await fc.assert(
      fc.asyncProperty(mutation(validBasic), async (credential) => {
        fc.pre(credential !== validBasic)
        expect(await outcomeOf(httpV2(`Basic ${credential}`))).toBe('deny')
      }),
      RUNS,
    )
  })

  it('any event at all is a deny or a throw, never an allow and never a crash', async () => {
    const arn = fc.oneof(fc.constantFrom(METHOD_ARN, ROUTE_ARN), fc.string(), fc.anything())
    const event = fc.oneof(
      fc.anything(),
      fc.record(
        {
          version: fc.oneof(fc.constant('2.0'), fc.anything()),
          type: fc.oneof(fc.constantFrom('TOKEN', 'REQUEST'), fc.anything()),
          methodArn: arn,
          routeArn: arn,
          authorizationToken: fc.oneof(headerValue, fc.anything()),
          headers: fc.oneof(
            fc.dictionary(fc.constantFrom('authorization', 'Authorization', 'x'), headerValue),
            fc.anything(),
          ),
          multiValueHeaders: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    )
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        expect(await outcomeOf(e)).toBe('deny')
      }),
      RUNS,
    )
  })
})
