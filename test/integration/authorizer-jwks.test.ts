import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { PublicJwk } from '../../functions/core/ports.js'
import { createAuthorizerHandler } from '../../functions/handlers/authorizer.js'
import { lambdaAuthorizerDependencies } from '../../functions/wiring/authorizer.js'
import { apiAs, exchangeFor } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { makeTestKey, signWithJose, type TestKey, tollgateClaims } from '../support/jwt-attacks.js'

/**
 * A consumer's authorizer with KEY_SOURCE=jwks (docs/authorizer.md#a-consumer-in-another-account):
 * the Lambda composition itself, reading the issuer's public keys from its
 * JWKS URL over loopback, as it would over https from another account.
 */

const ROUTE = 'arn:aws:execute-api:eu-west-1:222222222222:abc123/prod/GET/datasets'

/** What API Gateway would make of the authorizer's answer (or throw). */
const decide = (handler: ReturnType<typeof createAuthorizerHandler>, jwt: string) =>
  handler({
    type: 'TOKEN',
    authorizationToken: `Bearer ${jwt}`,
    methodArn: ROUTE,
  } satisfies APIGatewayTokenAuthorizerEvent).then(
    (answer) => ('principalId' in answer ? `allow ${answer.principalId}` : 'other'),
    (error: Error) => error.message,
  )

/** A cold start of the authorizer, as Lambda makes one, with `env` as its environment. */
const coldStart = (env: Record<string, string>) =>
  createAuthorizerHandler(lambdaAuthorizerDependencies({ ...process.env, ...env }))

describe('the authorizer with KEY_SOURCE=jwks, against an issuer’s JWKS on loopback', () => {
  const first = makeTestKey('RS256', 'issuer-key-1')
  const rotatedIn = makeTestKey('RS256', 'issuer-key-2')
  const neverPublished = makeTestKey('RS256', 'issuer-key-3')
  let served: readonly PublicJwk[] = []
  let answer: 'keys' | 'outage' = 'keys'
  let fetches = 0
  let server: Server
  let issuer: string

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url !== '/.well-known/jwks.json') {
        response.writeHead(404).end()
        return
      }
      fetches++
      if (answer === 'outage') {
        response.writeHead(503).end()
        return
      }
      response.writeHead(200, { 'content-type': 'application/jwk-set+json' })
      response.end(JSON.stringify({ keys: served }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))
  afterEach(() => {
    vi.useRealTimers()
    served = []
    answer = 'keys'
    fetches = 0
  })

  /** A JWT the issuer would mint now (the test's clock), signed with `key`. */
  const jwtFrom = (key: TestKey, sub = 'sa_reader') => {
    const now = Math.floor(Date.now() / 1000)
    return signWithJose(
      key,
      tollgateClaims({ iss: issuer, sub, iat: now, nbf: now, exp: now + 300 }),
    )
  }
  /** Only ISSUER and KEY_SOURCE: the JWKS URL is the issuer's own; no KMS, no table. */
  const consumer = () =>
    coldStart({ KEY_SOURCE: 'jwks', ISSUER: issuer, REVOCATION_CHECK: 'false' })

  it('allows a JWT signed with a key the JWKS serves, fetching the set once', async () => {
    served = [first.jwk]
    const handler = consumer()

    expect(await decide(handler, await jwtFrom(first))).toBe('allow sa_reader')
    expect(await decide(handler, await jwtFrom(first, 'sa_other'))).toBe('allow sa_other')
    expect(fetches).toBe(1)
  })

  it('picks up a key the issuer rotates in without a redeploy: an unknown kid refetches, at most once a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.UTC(2026, 11, 7, 12))
    served = [first.jwk]
    const handler = consumer()
    expect(await decide(handler, await jwtFrom(first))).toBe('allow sa_reader')
    expect(fetches).toBe(1)

    // The issuer publishes its next key; a JWT signed with it arrives within the minute.
    served = [first.jwk, rotatedIn.jwk]
    vi.setSystemTime(Date.now() + 1_000)
    expect(await decide(handler, await jwtFrom(rotatedIn))).toBe('Unauthorized')
    expect(fetches).toBe(1)

    vi.setSystemTime(Date.now() + 60_000)
    expect(await decide(handler, await jwtFrom(rotatedIn))).toBe('allow sa_reader')
    expect(fetches).toBe(2)

    // A kid nobody published cannot make it fetch again: junk kids do not flood the issuer.
    vi.setSystemTime(Date.now() + 1_000)
    expect(await decide(handler, await jwtFrom(neverPublished))).toBe('Unauthorized')
    expect(await decide(handler, await jwtFrom(first))).toBe('allow sa_reader')
    expect(fetches).toBe(2)
  })

  it('drops a key the issuer withdrew once its cache (KEYS_CACHE_TTL_SECONDS) has passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.UTC(2026, 11, 7, 12))
    served = [first.jwk, rotatedIn.jwk]
    const handler = consumer()
    expect(await decide(handler, await jwtFrom(first))).toBe('allow sa_reader')

    served = [rotatedIn.jwk]
    vi.setSystemTime(Date.now() + 301_000)
    expect(await decide(handler, await jwtFrom(first))).toBe('Unauthorized')
    expect(await decide(handler, await jwtFrom(rotatedIn))).toBe('allow sa_reader')
    expect(fetches).toBe(2)
  })

  it('fails closed when the JWKS cannot be fetched: nothing is allowed, and it is no verdict', async () => {
    served = [first.jwk]
    answer = 'outage'
    const handler = consumer()

    expect(await decide(handler, await jwtFrom(first))).toBe('Authorizer could not decide')
    // The issuer is back: the next invocation fetches again, nothing was cached of the failure.
    answer = 'keys'
    expect(await decide(handler, await jwtFrom(first))).toBe('allow sa_reader')
  })

  it('fails closed when nothing listens at the JWKS URL', async () => {
    const gone = createServer()
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve))
    const { port } = gone.address() as AddressInfo
    await new Promise((resolve) => gone.close(resolve))
    served = [first.jwk]
    const handler = coldStart({
      KEY_SOURCE: 'jwks',
      ISSUER: issuer,
      JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      REVOCATION_CHECK: 'false',
    })

    expect(await decide(handler, await jwtFrom(first))).toBe('Authorizer could not decide')
  })

  it('refuses Basic auth at its cold start: KEY_SOURCE=jwks holds no pepper', async () => {
    served = [first.jwk]
    const handler = coldStart({
      KEY_SOURCE: 'jwks',
      ISSUER: issuer,
      REVOCATION_CHECK: 'false',
      BASIC_AUTH_ENABLED: 'true',
    })

    expect(await decide(handler, await jwtFrom(first))).toBe('Authorizer could not decide')
    expect(fetches).toBe(0)
  })
})

describe('the authorizer with KEY_SOURCE=jwks, against the real dev server', () => {
  let tollgate: RunningTollgate | undefined
  afterEach(async () => {
    await tollgate?.close()
  })

  it('accepts the JWTs it mints through its JWKS URL, and refuses a revoked one through the deny-list', async () => {
    tollgate = await startTollgate()
    const { config } = tollgate
    const admin = await apiAs(tollgate, tollgate.adminToken)
    const account = await admin.post('/service-accounts', {
      name: 'consumer',
      roles: [],
      scopes: [],
    })
    const [kept, revoked] = await Promise.all(
      ['kept', 'gone'].map((name) =>
        admin.post('/access-tokens', { name, service_account_id: account.body.id }),
      ),
    )
    const keptJwt = await exchangeFor(tollgate, kept?.body.token as string)
    const revokedJwt = await exchangeFor(tollgate, revoked?.body.token as string)
    await admin.delete(`/access-tokens/${revoked?.body.id}`)

    // No DATA_DIR and no key source of the dev server's: its ISSUER (whose JWKS URL it
    // derives), and its table for the deny-list.
    const handler = coldStart({
      KEY_SOURCE: 'jwks',
      ISSUER: config.issuer,
      AUDIENCE: config.audience,
      TABLE_NAME: config.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: config.dynamoDbEndpoint as string,
      DATA_DIR: '/nonexistent',
    })

    expect(await decide(handler, keptJwt)).toBe(`allow ${account.body.id}`)
    expect(await decide(handler, revokedJwt)).toBe('Unauthorized')
  })
})
