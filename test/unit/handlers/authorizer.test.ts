import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jwtVerify } from 'jose'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { loadLocalKeys } from '../../../functions/adapters/local-key-file.js'
import { buildClaims } from '../../../functions/core/claims.js'
import { parseConfig } from '../../../functions/core/config.js'
import { TollgateError } from '../../../functions/core/errors.js'
import { signJwt } from '../../../functions/core/jws.js'
import type { KeySet } from '../../../functions/core/ports.js'
import {
  isAllowedByPolicy,
  type PolicyDocument,
} from '../../../functions/core/route-permissions.js'
import { TOLLGATE_SCOPES } from '../../../functions/core/routes.js'
import type { AuthenticationDependencies } from '../../../functions/core/use-cases/authenticate-access-token.js'
import { bootstrapAdmin } from '../../../functions/core/use-cases/bootstrap-admin.js'
import {
  type AuthorizerResponse,
  createAuthorizerHandler,
  type IamAuthorizerResponse,
} from '../../../functions/handlers/authorizer.js'
import { buildAuthorizerDependencies } from '../../../functions/wiring/authorizer.js'
import { logger } from '../../../functions/wiring/observability.js'
import { fixedClock, fixedSecrets, MemoryStore } from '../../support/fakes.js'
import {
  AUDIENCE,
  attackTokens,
  ISSUER,
  makeTestKey,
  NOW,
  signWithJose,
  tollgateClaims,
} from '../../support/jwt-attacks.js'
import { apiGatewayFixture } from '../../support/lambda.js'

type Event = Record<string, unknown>
const fixture = (name: string): Event => apiGatewayFixture<Event>(name)

/** The fixture with its `Bearer foo` replaced (or, for undefined, every Authorization removed). */
const withAuthorization = (event: Event, authorization: string | undefined): Event => {
  const replace = (value: unknown): unknown => {
    if (value === 'Bearer foo') return authorization
    if (Array.isArray(value)) return value.map(replace).filter((v) => v !== undefined)
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([name]) => authorization !== undefined || name.toLowerCase() !== 'authorization')
          .map(([name, v]) => [name, replace(v)])
          .filter(([name, v]) => name === 'authorizationToken' || v !== undefined),
      )
    }
    return value
  }
  return replace(event) as Event
}

const REST_TOKEN = fixture('rest-token-authorizer.json')
const REST_REQUEST = fixture('rest-request-authorizer.json')
const HTTP_V2 = fixture('http-v2-authorizer.json')
const arnOf = (event: Event) => (event.methodArn ?? event.routeArn) as string
const otherRoute = (event: Event, methodAndPath: string) =>
  arnOf(event).replace(/\/POST\/.*$/, `/${methodAndPath}`)

const ROUTE_SCOPES = {
  'POST /lambda-token': 'lambda:invoke',
  'POST /lambda-request': 'lambda:invoke',
  'POST /lambda': 'lambda:invoke',
  'DELETE /datasets/*': 'datasets:admin',
}
const key = makeTestKey('RS256')
const keySet: KeySet = { publicKeys: async () => [key.jwk] }

const makeHandler = (
  env: Record<string, string> = {},
  parts: {
    basicAuth?: () => Promise<AuthenticationDependencies>
    keySet?: KeySet
    now?: number
  } = {},
) => {
  const config = parseConfig({
    ISSUER,
    AUDIENCE,
    ROUTE_SCOPES: JSON.stringify(ROUTE_SCOPES),
    ...env,
  })
  const deps = buildAuthorizerDependencies({
    config,
    keySet: parts.keySet ?? keySet,
    clock: fixedClock(parts.now ?? NOW),
    basicAuth: parts.basicAuth,
  })
  return createAuthorizerHandler(async () => deps)
}

const allowedJwt = () => signWithJose(key, tollgateClaims({ scope: 'lambda:invoke datasets:read' }))
const readOnlyJwt = () => signWithJose(key, tollgateClaims({ scope: 'datasets:read' }))

const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => error,
  )

/** REST's 401: exactly `new Error('Unauthorized')`, nothing more specific. */
const expectUnauthorized = async (promise: Promise<unknown>) => {
  const error = await rejection(promise)
  expect(error).toBeInstanceOf(Error)
  expect((error as Error).constructor).toBe(Error)
  expect((error as Error).message).toBe('Unauthorized')
}

/** A failure that is no verdict: a throw API Gateway answers 500, never the 401 'Unauthorized'. */
const expectCannotDecide = async (promise: Promise<unknown>) => {
  const error = await rejection(promise)
  expect(error).toBeInstanceOf(Error)
  expect((error as Error).message).toBe('Authorizer could not decide')
}

const expectPrimitiveContext = (context: unknown) => {
  expect(context).toBeTypeOf('object')
  for (const value of Object.values(context as object)) {
    expect(['string', 'number', 'boolean']).toContain(typeof value)
  }
}

/** The messages of the errors passed to logger.error (an Error's message is not enumerable). */
const loggedErrorMessages = (spy: { mock: { calls: unknown[][] } }): string =>
  spy.mock.calls.map((call) => (call[1] as { error?: Error }).error?.message ?? '').join('\n')

const iam = (response: AuthorizerResponse): IamAuthorizerResponse => {
  expect(response).toHaveProperty('policyDocument')
  return response as IamAuthorizerResponse
}

describe('authorizer handler, Bearer JWT', () => {
  const handler = makeHandler()

  it('reads the real API Gateway fixtures', () => {
    expect(REST_TOKEN).toMatchObject({ type: 'TOKEN', authorizationToken: 'Bearer foo' })
  })

  describe.each([
    ['REST TOKEN', REST_TOKEN],
    ['REST REQUEST', REST_REQUEST],
  ])('%s', (_name, event) => {
    it('allows a valid JWT with a policy for the route and a primitive-only context', async () => {
      const jwt = await allowedJwt()
      await expect(
        jwtVerify(jwt, key.publicKey, {
          issuer: ISSUER,
          audience: AUDIENCE,
          currentDate: new Date(NOW),
        }),
      ).resolves.toBeDefined()

      const response = iam(await handler(withAuthorization(event, `Bearer ${jwt}`)))

      expect(response.principalId).toBe('sa_reader')
      expect(isAllowedByPolicy(response.policyDocument, arnOf(event))).toBe(true)
      expect(response.context).toEqual({
        iss: ISSUER,
        sub: 'sa_reader',
        scope: 'lambda:invoke datasets:read',
        roles: 'reader,auditor',
        token_type: 'service',
        atid: 'atid_1',
        tpid: '',
        act_sub: '',
        jti: expect.any(String),
      })
      expectPrimitiveContext(response.context)
    })

    it('allows the scheme in any case', async () => {
      const response = await handler(withAuthorization(event, `bEaReR ${await allowedJwt()}`))
      expect(isAllowedByPolicy(iam(response).policyDocument, arnOf(event))).toBe(true)
    })

    it('answers a missing, empty or non-Bearer credential with exactly Unauthorized', async () => {
      await expectUnauthorized(handler(withAuthorization(event, undefined)))
      await expectUnauthorized(handler(withAuthorization(event, '')))
      await expectUnauthorized(handler(withAuthorization(event, await allowedJwt())))
      await expectUnauthorized(handler(withAuthorization(event, `Bearer  ${await allowedJwt()}`)))
      await expectUnauthorized(handler(withAuthorization(event, `Token ${await allowedJwt()}`)))
    })

    it('answers a valid JWT without the route’s scope with a Deny for the route (403)', async () => {
      const response = iam(await handler(withAuthorization(event, `Bearer ${await readOnlyJwt()}`)))

      expect(isAllowedByPolicy(response.policyDocument, arnOf(event))).toBe(false)
      const deny = response.policyDocument.Statement.find((s) => s.Effect === 'Deny')
      expect(
        isAllowedByPolicy(
          { Version: '2012-10-17', Statement: [{ ...deny, Effect: 'Allow' } as never] },
          arnOf(event),
        ),
      ).toBe(true)
      // Cached and reused on a route the token may call, the same answer lets it through.
      expect(isAllowedByPolicy(response.policyDocument, otherRoute(event, 'GET/datasets/1'))).toBe(
        true,
      )
    })

    it('keeps a cached allow from opening a route the token may not call', async () => {
      const response = iam(await handler(withAuthorization(event, `Bearer ${await allowedJwt()}`)))
      expect(
        isAllowedByPolicy(response.policyDocument, otherRoute(event, 'DELETE/datasets/1')),
      ).toBe(false)
      expect(
        isAllowedByPolicy(response.policyDocument, otherRoute(event, 'GET/anything/else')),
      ).toBe(true)
    })
  })

  it('REST TOKEN: every attack of the list is exactly Unauthorized', async () => {
    for (const attack of attackTokens(key)) {
      await expectUnauthorized(
        handler({ ...REST_TOKEN, authorizationToken: `Bearer ${attack.token}` }),
      )
    }
  })

  it('REST REQUEST: finds the header in any case, and refuses two of them', async () => {
    const jwt = await allowedJwt()
    const { Authorization: _, ...headers } = REST_REQUEST.headers as Record<string, string>
    const { Authorization: __, ...multi } = REST_REQUEST.multiValueHeaders as Record<
      string,
      string[]
    >
    const lower = {
      ...REST_REQUEST,
      headers: { ...headers, authorization: `Bearer ${jwt}` },
      multiValueHeaders: { ...multi, authorization: [`Bearer ${jwt}`] },
    }
    expect(iam(await handler(lower)).principalId).toBe('sa_reader')

    await expectUnauthorized(
      handler({ ...lower, headers: { ...lower.headers, AUTHORIZATION: `Bearer ${jwt}` } }),
    )
    await expectUnauthorized(
      handler({
        ...lower,
        multiValueHeaders: { ...multi, authorization: [`Bearer ${jwt}`, 'Bearer other'] },
      }),
    )
  })

  describe('HTTP API 2.0', () => {
    /** The fixture as the constructs deploy it: the route key is an identity source. */
    const perRoute = (event: Event): Event => ({
      ...event,
      identitySource: [...(event.identitySource as string[]), event.routeKey],
    })

    it('simple responses (default): allow with context, otherwise isAuthorized false', async () => {
      const allowed = await handler(
        perRoute(withAuthorization(HTTP_V2, `Bearer ${await allowedJwt()}`)),
      )
      expect(allowed).toEqual({
        isAuthorized: true,
        context: expect.objectContaining({ sub: 'sa_reader', jti: expect.any(String) }),
      })
      expectPrimitiveContext((allowed as { context: unknown }).context)

      expect(await handler(withAuthorization(HTTP_V2, `Bearer ${await readOnlyJwt()}`))).toEqual({
        isAuthorized: false,
      })
      expect(await handler(withAuthorization(HTTP_V2, 'Bearer foo'))).toEqual({
        isAuthorized: false,
      })
      expect(await handler(withAuthorization(HTTP_V2, undefined))).toEqual({ isAuthorized: false })
    })

    it('answers false on a scoped route unless $context.routeKey is an identity source', async () => {
      const errors = vi.spyOn(logger, 'error')
      const jwt = await allowedJwt()
      const unscoped = {
        ...withAuthorization(HTTP_V2, `Bearer ${jwt}`),
        routeArn: otherRoute(HTTP_V2, 'GET/open'),
        routeKey: 'GET /open',
      }

      // Cached under the token alone, a true here would open DELETE /datasets/* too.
      expect(await handler(withAuthorization(HTTP_V2, `Bearer ${jwt}`))).toEqual({
        isAuthorized: false,
      })
      expect(errors).toHaveBeenCalledWith(
        'authorizer misconfigured: $context.routeKey is not an identity source',
        expect.anything(),
        // The line's Lambda context: none was given.
        undefined,
      )
      // A route no rule covers is the same for every token: a cached true opens nothing more.
      expect(await handler(unscoped)).toMatchObject({ isAuthorized: true })
      errors.mockRestore()
    })

    it('IAM responses: the same cache-correct policies, and a deny-all for a bad credential', async () => {
      const iamHandler = makeHandler({ HTTP_API_AUTHORIZER_RESPONSE: 'iam' })
      const routeArn = arnOf(HTTP_V2)

      const allowed = iam(
        await iamHandler(withAuthorization(HTTP_V2, `Bearer ${await allowedJwt()}`)),
      )
      expect(allowed.principalId).toBe('sa_reader')
      expect(isAllowedByPolicy(allowed.policyDocument, routeArn)).toBe(true)
      expectPrimitiveContext(allowed.context)

      const forbidden = iam(
        await iamHandler(withAuthorization(HTTP_V2, `Bearer ${await readOnlyJwt()}`)),
      )
      expect(isAllowedByPolicy(forbidden.policyDocument, routeArn)).toBe(false)

      const invalid = iam(await iamHandler(withAuthorization(HTTP_V2, 'Bearer foo')))
      expect(isAllowedByPolicy(invalid.policyDocument, routeArn)).toBe(false)
      expect(isAllowedByPolicy(invalid.policyDocument, otherRoute(HTTP_V2, 'GET/x'))).toBe(false)
    })
  })
})

describe('authorizer handler failures: never an allow, never a verdict', () => {
  let errors: ReturnType<typeof vi.spyOn>
  beforeEach(() => {
    errors = vi.spyOn(logger, 'error')
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.each([
    ['null', null],
    ['a string', 'Bearer x'],
    ['an empty object', {}],
    ['TOKEN without methodArn', { type: 'TOKEN', authorizationToken: 'Bearer x' }],
    [
      'TOKEN with a bad methodArn',
      { type: 'TOKEN', authorizationToken: 'Bearer x', methodArn: 'arn:aws:s3:::bucket' },
    ],
  ])(
    'throws on an event API Gateway would not send (%s), logged as an error',
    async (_name, event) => {
      await expectCannotDecide(makeHandler()(event))
      expect(errors).toHaveBeenCalledWith(
        'authorizer could not decide',
        expect.anything(),
        undefined,
      )
    },
  )

  it('answers a REQUEST event whose headers are no object with Unauthorized: no credential', async () => {
    await expectUnauthorized(
      makeHandler()({ ...REST_REQUEST, headers: 'Authorization: x', multiValueHeaders: undefined }),
    )
  })

  it('throws on an HTTP API event without a routeArn', async () => {
    const { routeArn: _, ...event } = withAuthorization(HTTP_V2, `Bearer ${await allowedJwt()}`)
    await expectCannotDecide(makeHandler()(event))
  })

  it('throws on every call while the configuration is bad, and logs why', async () => {
    let configError: unknown
    try {
      parseConfig({ JWT_ALG: 'HS256' })
    } catch (error) {
      configError = error
    }
    const handler = createAuthorizerHandler(() => Promise.reject(configError))
    const jwt = await allowedJwt()

    await expectCannotDecide(handler(withAuthorization(REST_TOKEN, `Bearer ${jwt}`)))
    await expectCannotDecide(handler(withAuthorization(REST_REQUEST, `Bearer ${jwt}`)))
    await expectCannotDecide(handler(withAuthorization(HTTP_V2, `Bearer ${jwt}`)))
    expect(errors).toHaveBeenCalledTimes(3)
    expect(errors.mock.calls[0]?.[1]).toMatchObject({ code: 'internal' })
    expect(loggedErrorMessages(errors)).toContain('JWT_ALG')
  })

  it.each([
    ['REST TOKEN', REST_TOKEN],
    ['REST REQUEST', REST_REQUEST],
    ['HTTP API 2.0', HTTP_V2],
  ])('throws, rather than denies, when the keys cannot be loaded (%s)', async (_name, event) => {
    const handler = makeHandler(
      {},
      { keySet: { publicKeys: () => Promise.reject(new Error('disk gone')) } },
    )
    await expectCannotDecide(handler(withAuthorization(event, `Bearer ${await allowedJwt()}`)))
    expect(errors).toHaveBeenCalledWith(
      'authorizer could not decide',
      expect.objectContaining({ code: 'internal' }),
      undefined,
    )
  })

  it('never logs the Authorization header, the JWT or its signature', async () => {
    // Allows are logged at DEBUG only, which the Logger fixes when it is built: build it at DEBUG.
    vi.resetModules()
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG')
    const observability = await import('../../../functions/wiring/observability.js')
    await observability.loadLogger()
    const authorizer = await import('../../../functions/handlers/authorizer.js')
    const authorizerDependencies = await import('../../../functions/wiring/authorizer.js')
    vi.unstubAllEnvs()
    const calls: unknown[] = []
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      vi.spyOn(observability.logger, level).mockImplementation((...args: unknown[]) => {
        calls.push(args)
      })
    }
    const deps = authorizerDependencies.buildAuthorizerDependencies({
      config: parseConfig({ ISSUER, AUDIENCE, ROUTE_SCOPES: JSON.stringify(ROUTE_SCOPES) }),
      keySet,
      clock: fixedClock(NOW),
    })
    const handler = authorizer.createAuthorizerHandler(async () => deps)
    const jwts = [await allowedJwt(), await readOnlyJwt()]
    const tampered = `${jwts[0]?.slice(0, -10)}AAAAAAAAAA`
    for (const jwt of [...jwts, tampered]) {
      await rejection(handler(withAuthorization(REST_TOKEN, `Bearer ${jwt}`)))
      await rejection(handler(withAuthorization(HTTP_V2, `Bearer ${jwt}`)))
    }

    const logged = JSON.stringify(calls)
    expect(calls.length).toBeGreaterThanOrEqual(6)
    expect(logged).toContain('sa_reader')
    for (const jwt of [...jwts, tampered]) {
      for (const part of jwt.split('.')) expect(logged).not.toContain(part)
    }
  })
})

describe('authorizer handler, Basic auth', () => {
  const setupBasic = async (now = NOW) => {
    const store = new MemoryStore()
    const clock = fixedClock(now)
    const deps = { store, secrets: fixedSecrets(), clock }
    const admin = await bootstrapAdmin(
      { ...deps, config: { defaultTokenTtlSeconds: 86_400 } },
      { name: 'admin', asFirstAdmin: true },
    )
    const basic = (user: string, token: string) =>
      `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`
    const env = {
      ROUTE_SCOPES: JSON.stringify({
        'POST /lambda-token': 'tokens:read',
        'DELETE /datasets/*': 'datasets:admin',
      }),
    }
    const handlerWith = (extra: Record<string, string>, basicAuth = async () => deps) =>
      makeHandler({ ...env, ...extra }, { basicAuth })
    return { store, clock, admin, basic, handlerWith, deps }
  }

  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('is off by default: a valid access token over Basic is Unauthorized', async () => {
    const { admin, basic, handlerWith } = await setupBasic()
    await expectUnauthorized(
      handlerWith({})(withAuthorization(REST_TOKEN, basic('tollgate', admin.secret))),
    )
  })

  it('when on, allows a valid access token with the context a JWT from it would carry', async () => {
    const { admin, basic, handlerWith, store } = await setupBasic()
    const handler = handlerWith({ BASIC_AUTH_ENABLED: 'true' })

    const response = iam(
      await handler(withAuthorization(REST_TOKEN, basic('tollgate', admin.secret))),
    )

    expect(response.principalId).toBe(admin.account.id)
    expect(response.context).toEqual({
      iss: ISSUER,
      sub: admin.account.id,
      scope: [...TOLLGATE_SCOPES, 'tollgate:admin'].join(' '),
      roles: 'admin',
      token_type: 'service',
      atid: admin.token.id,
      tpid: '',
      act_sub: '',
      jti: '',
    })
    expectPrimitiveContext(response.context)
    const jwtContext = iam(
      await handler(withAuthorization(REST_TOKEN, `Bearer ${await allowedJwt()}`)),
    ).context
    expect(Object.keys(response.context ?? {}).sort()).toEqual(Object.keys(jwtContext ?? {}).sort())
    expect(isAllowedByPolicy(response.policyDocument, arnOf(REST_TOKEN))).toBe(true)
    expect(
      isAllowedByPolicy(response.policyDocument, otherRoute(REST_TOKEN, 'DELETE/datasets/1')),
    ).toBe(false)
    expect(store.uses).toHaveLength(1)
  })

  it('honours the configured username, and the scheme in any case', async () => {
    const { admin, handlerWith } = await setupBasic()
    const handler = handlerWith({ BASIC_AUTH_ENABLED: 'true', BASIC_AUTH_USERNAME: 'svc' })
    const credential = Buffer.from(`svc:${admin.secret}`).toString('base64')
    expect(
      iam(await handler(withAuthorization(REST_TOKEN, `bAsIc ${credential}`))).principalId,
    ).toBe(admin.account.id)

    // This credential's length needs padding: unpadded or non-canonical spellings are refused.
    expect(credential).toMatch(/=$/)
    const unpadded = credential.replace(/=+$/, '')
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    const last = alphabet.indexOf(unpadded.at(-1) ?? 'A')
    const nonCanonical = `${unpadded.slice(0, -1)}${alphabet[last ^ 1]}${credential.slice(unpadded.length)}`
    expect(Buffer.from(nonCanonical, 'base64')).toEqual(Buffer.from(credential, 'base64'))
    for (const spelling of [unpadded, nonCanonical, credential.replace(/=+$/, '=')]) {
      await expectUnauthorized(handler(withAuthorization(REST_TOKEN, `Basic ${spelling}`)))
    }
  })

  it('answers a wrong username, a revoked or expired token, and garbage with Unauthorized', async () => {
    const { admin, basic, handlerWith, store, clock } = await setupBasic()
    const handler = handlerWith({ BASIC_AUTH_ENABLED: 'true' })
    const credential = Buffer.from(`tollgate:${admin.secret}`).toString('base64')
    const garbage = [
      basic('someone', admin.secret),
      basic('Tollgate', admin.secret),
      basic('tollgate', `${admin.secret.slice(0, -1)}x`),
      basic('tollgate', ''),
      `Basic ${Buffer.from(admin.secret).toString('base64')}`,
      'Basic',
      'Basic ',
      'Basic !!!!',
      `Basic ${credential}==`,
      `Basic ${credential.slice(0, -1)}`,
      `Basic ${credential.slice(0, -4)}`,
      `Basic  ${credential}`,
      `Basic ${credential} `,
      `Basic ${Buffer.from(`tollgate:${admin.secret}\n`).toString('base64')}`,
      `Basic ${'A'.repeat(5000)}`,
    ]
    for (const authorization of garbage) {
      await expectUnauthorized(handler(withAuthorization(REST_TOKEN, authorization)))
    }

    store.tokens.set(admin.token.id, { ...admin.token, status: 'revoked' })
    await expectUnauthorized(
      handler(withAuthorization(REST_TOKEN, basic('tollgate', admin.secret))),
    )

    store.tokens.set(admin.token.id, admin.token)
    clock.advance(86_400 * 1000)
    await expectUnauthorized(
      handler(withAuthorization(REST_TOKEN, basic('tollgate', admin.secret))),
    )
  })

  it('throws during a store outage, logged as unavailable: never an allow, never a 401', async () => {
    const { admin, basic, handlerWith, store } = await setupBasic()
    const errors = vi.spyOn(logger, 'error')
    vi.spyOn(store, 'getTokenWithOwner').mockRejectedValue(
      new TollgateError('unavailable', 'The token store is unavailable; try again.'),
    )
    const handler = handlerWith({ BASIC_AUTH_ENABLED: 'true' })

    for (const event of [REST_TOKEN, REST_REQUEST, HTTP_V2]) {
      await expectCannotDecide(handler(withAuthorization(event, basic('tollgate', admin.secret))))
    }

    expect(errors).toHaveBeenCalledWith(
      'authorizer could not decide',
      expect.objectContaining({ code: 'unavailable' }),
      undefined,
    )
  })

  it('still allows, and reports, when only the last_used_at write fails', async () => {
    const { admin, basic, handlerWith, store, deps } = await setupBasic()
    vi.spyOn(store, 'recordTokenUse').mockRejectedValue(new Error('throttled write'))
    const notRecorded = vi.fn()
    const handler = handlerWith({ BASIC_AUTH_ENABLED: 'true' }, async () => ({
      ...deps,
      onUseNotRecorded: notRecorded,
    }))

    const answer = await handler(withAuthorization(REST_TOKEN, basic('tollgate', admin.secret)))

    expect(answer).toMatchObject({
      policyDocument: {
        Statement: expect.arrayContaining([expect.objectContaining({ Effect: 'Allow' })]),
      },
    })
    expect(notRecorded).toHaveBeenCalledWith(admin.token.id, expect.any(Error))
  })

  it('throws when the Basic dependencies cannot even be loaded', async () => {
    const { admin, basic, handlerWith } = await setupBasic()
    const handler = handlerWith({ BASIC_AUTH_ENABLED: 'true' }, () =>
      Promise.reject(new Error('no SDK')),
    )
    await expectCannotDecide(
      handler(withAuthorization(REST_TOKEN, basic('tollgate', admin.secret))),
    )
  })
})

describe('authorizer Lambda entry point', () => {
  const saved = { ...process.env }
  let dataDir: string
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tollgate-authorizer-'))
    vi.resetModules()
  })
  afterEach(async () => {
    process.env = { ...saved }
    await rm(dataDir, { recursive: true, force: true })
  })

  it.each(['RS256', 'ES256'] as const)(
    'with the dev server’s DATA_DIR, ISSUER and AUDIENCE, accepts the %s JWTs it mints',
    async (alg) => {
      const issuer = 'http://127.0.0.1:3999'
      const keys = await loadLocalKeys(dataDir, alg)
      const claims = buildClaims({
        issuer,
        audience: 'team-api',
        token: {
          id: 'tok_1',
          kind: 'personal',
          owner: { type: 'user', id: 'user-7' },
          generation: 1,
        },
        roles: ['dev'],
        ownerGeneration: 1,
        scopes: ['datasets:read'],
        issuedAt: Date.now(),
        durationSeconds: 300,
        jti: 'jti-1',
      })
      const jwt = await signJwt(keys.signer, claims)
      process.env = {
        ...saved,
        DATA_DIR: dataDir,
        ISSUER: issuer,
        AUDIENCE: 'team-api',
        JWT_ALG: alg,
        // The deny-list needs the dev server's DynamoDB Local: the integration tests run that path.
        REVOCATION_CHECK: 'false',
      }

      const { handler } = await import('../../../functions/entries/authorizer.js')
      const response = iam(await handler(withAuthorization(REST_TOKEN, `Bearer ${jwt}`)))

      expect(response.context).toEqual({
        iss: issuer,
        sub: 'user-7',
        scope: 'datasets:read',
        roles: 'dev',
        token_type: 'personal',
        atid: 'tok_1',
        tpid: '',
        act_sub: '',
        jti: 'jti-1',
      })
      expect(isAllowedByPolicy(response.policyDocument as PolicyDocument, arnOf(REST_TOKEN))).toBe(
        true,
      )
    },
  )

  it.each([
    ['ROLE_SCOPES', '{"analyst":["datasets:read"]}'],
    [
      'TRUSTED_ISSUERS',
      '[{"id":"okta","issuer":"https://acme.okta.com","jwks_uri":"https://acme.okta.com/keys","audience":"api://tollgate"}]',
    ],
  ])('with %s set (checked by parseConfig, loaded for it), still decides', async (name, value) => {
    const keys = await loadLocalKeys(dataDir, 'RS256')
    const claims = buildClaims({
      issuer: 'http://127.0.0.1:3999',
      audience: 'tollgate',
      token: {
        id: 'tok_1',
        kind: 'service',
        owner: { type: 'service_account', id: 'sa_1' },
        generation: 1,
      },
      roles: [],
      ownerGeneration: 1,
      scopes: ['datasets:read'],
      issuedAt: Date.now(),
      durationSeconds: 300,
      jti: 'jti-1',
    })
    process.env = {
      ...saved,
      DATA_DIR: dataDir,
      ISSUER: 'http://127.0.0.1:3999',
      REVOCATION_CHECK: 'false',
      [name]: value,
    }

    const { handler } = await import('../../../functions/entries/authorizer.js')
    const response = iam(
      await handler(withAuthorization(REST_TOKEN, `Bearer ${await signJwt(keys.signer, claims)}`)),
    )

    expect(response.principalId).toBe('sa_1')
  })

  it('throws on every call when TRUSTED_ISSUERS is invalid, logging the variable', async () => {
    process.env = { ...saved, DATA_DIR: dataDir, TRUSTED_ISSUERS: '[{"id":"Not An Id"}]' }
    const errors = vi.spyOn(
      (await import('../../../functions/wiring/observability.js')).logger,
      'error',
    )
    const { handler } = await import('../../../functions/entries/authorizer.js')

    await expectCannotDecide(handler(withAuthorization(REST_TOKEN, 'Bearer x')))
    expect(loggedErrorMessages(errors)).toContain('TRUSTED_ISSUERS')
    errors.mockRestore()
  })

  it('throws on every call when the environment is invalid, logging which variable', async () => {
    process.env = { ...saved, DATA_DIR: dataDir, MAX_JWT_DURATION_SECONDS: 'forever' }
    const errors = vi.spyOn(
      (await import('../../../functions/wiring/observability.js')).logger,
      'error',
    )
    const { handler } = await import('../../../functions/entries/authorizer.js')

    await expectCannotDecide(handler(withAuthorization(REST_TOKEN, 'Bearer x')))
    await expectCannotDecide(handler(withAuthorization(HTTP_V2, 'Bearer x')))
    expect(loggedErrorMessages(errors)).toContain('MAX_JWT_DURATION_SECONDS')
    errors.mockRestore()
  })
})
