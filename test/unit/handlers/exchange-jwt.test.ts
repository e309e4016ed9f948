import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda'
import { jwtVerify } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import { parseConfig } from '../../../functions/core/config.js'
import { bootstrapAdmin } from '../../../functions/core/use-cases/bootstrap-admin.js'
import { createExchangeJwtHandler } from '../../../functions/handlers/exchange-jwt.js'
import type { Dependencies } from '../../../functions/wiring/dependencies.js'
import { powertoolsLogger } from '../../../functions/wiring/powertools-logger.js'
import {
  fakeDependencies,
  fixedClock,
  fixedSecrets,
  MemoryStore,
  testSigner,
} from '../../support/fakes.js'
import { apiGatewayFixture, lambdaContext } from '../../support/lambda.js'

const context = lambdaContext('tollgate-exchange-jwt')

const { signer, publicKey } = testSigner('RS256')

const setup = async () => {
  const config = parseConfig({})
  const deps: Dependencies = fakeDependencies({
    config,
    store: new MemoryStore(),
    signer,
    keySet: { publicKeys: async () => [] },
    secrets: fixedSecrets(),
    clock: fixedClock(),
  })
  const admin = await bootstrapAdmin(deps, { name: 'admin', asFirstAdmin: true })
  const handler = createExchangeJwtHandler(() => Promise.resolve(deps))
  return { deps, admin, handler }
}

const httpApiEvent = (body: string | undefined, contentType = 'application/json') => {
  const event = apiGatewayFixture<APIGatewayProxyEventV2>('http-v2-proxy.json')
  return {
    ...event,
    rawPath: '/access-tokens/jwt',
    headers: { ...event.headers, 'content-type': contentType },
    body,
  }
}

describe('POST /access-tokens/jwt', () => {
  it('answers 200 with the JWT, never cached, to an HTTP API 2.0 event', async () => {
    // Prepare
    const { deps, admin, handler } = await setup()
    const event = httpApiEvent(
      JSON.stringify({ access_token: admin.secret, duration_seconds: 120 }),
    )

    // Act
    const response = await handler(event, context)

    // Assess
    expect(response.statusCode).toBe(200)
    expect(response.headers).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'no-store',
    })
    const body = JSON.parse(response.body) as Record<string, unknown>
    expect(body).toEqual({
      jwt: expect.any(String),
      token_type: 'Bearer',
      expires_in: 120,
      expires_at: new Date(deps.clock.now() + 120_000).toISOString(),
      scope: [...admin.token.scopes, 'tollgate:admin'].join(' '),
    })
    const { payload } = await jwtVerify(String(body.jwt), publicKey, {
      issuer: deps.config.issuer,
      audience: deps.config.audience,
      algorithms: ['RS256'],
      currentDate: new Date(deps.clock.now()),
    })
    expect(payload.atid).toBe(admin.token.id)
  })

  it('accepts a REST API proxy event with a base64 body', async () => {
    // Prepare
    const { admin, handler } = await setup()
    const rest = apiGatewayFixture<APIGatewayProxyEvent>('rest-proxy.json')
    const event: APIGatewayProxyEvent = {
      ...rest,
      headers: { ...rest.headers, 'Content-Type': 'application/json; charset=utf-8' },
      body: Buffer.from(JSON.stringify({ access_token: admin.secret })).toString('base64'),
      isBase64Encoded: true,
    }

    // Act
    const response = await handler(event, context)

    // Assess
    expect(response.statusCode).toBe(200)
  })

  it('answers 401 problem details with WWW-Authenticate for an unknown token', async () => {
    // Prepare
    const { admin, handler } = await setup()
    const forged = `${admin.secret.slice(0, -7)}${admin.secret.at(-7) === 'a' ? 'b' : 'a'}${admin.secret.slice(-6)}`

    // Act
    const response = await handler(httpApiEvent(JSON.stringify({ access_token: forged })), context)

    // Assess
    expect(response.statusCode).toBe(401)
    expect(response.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'www-authenticate': 'Bearer error="invalid_token"',
    })
    const body = JSON.parse(response.body) as Record<string, unknown>
    expect(body).toMatchObject({
      code: 'invalid_token',
      status: 401,
      request_id: 'ZhNHJhhLjoEEPiw=',
    })
    expect(response.body).not.toContain(forged)
  })

  it.each([
    ['a missing body', undefined, 'application/json', 'invalid_request'],
    ['a text body', 'hello', 'text/plain', 'invalid_request'],
    [
      'an unknown field',
      '{"access_token":"x","grant_type":"y"}',
      'application/json',
      'invalid_request',
    ],
    [
      'a too short duration',
      '{"access_token":"x","duration_seconds":59}',
      'application/json',
      'invalid_request',
    ],
    ['a malformed token', '{"access_token":"x"}', 'application/json', 'invalid_token'],
    [
      'a huge body',
      `{"access_token":"${'x'.repeat(20_000)}"}`,
      'application/json',
      'payload_too_large',
    ],
  ])('answers %s with problem details', async (_name, body, contentType, code) => {
    // Prepare
    const { handler } = await setup()

    // Act
    const response = await handler(httpApiEvent(body, contentType), context)

    // Assess
    expect(response.headers?.['content-type']).toBe('application/problem+json')
    expect(JSON.parse(response.body)).toMatchObject({ code })
  })

  it('answers 403 insufficient_scope for a scope the token lacks', async () => {
    // Prepare
    const { admin, handler } = await setup()
    const body = JSON.stringify({ access_token: admin.secret, scope: 'datasets:read' })

    // Act
    const response = await handler(httpApiEvent(body), context)

    // Assess
    expect(response.statusCode).toBe(403)
    expect(JSON.parse(response.body)).toMatchObject({ code: 'insufficient_scope' })
  })

  it('answers 500 internal without details when a dependency fails', async () => {
    // Prepare
    const { admin, deps } = await setup()
    const failing = createExchangeJwtHandler(() =>
      Promise.resolve({
        ...deps,
        store: {
          ...deps.store,
          getToken: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.1:443')),
        } as Dependencies['store'],
      }),
    )

    // Act
    const response = await failing(
      httpApiEvent(JSON.stringify({ access_token: admin.secret })),
      context,
    )

    // Assess
    expect(response.statusCode).toBe(500)
    expect(JSON.parse(response.body)).toMatchObject({ code: 'internal' })
    expect(response.body).not.toContain('ECONNREFUSED')
  })

  it('counts minted JWTs, refusals and faults by code in its log lines (EMF)', async () => {
    // Prepare
    const { admin, deps, handler } = await setup()
    const taken = (['info', 'error'] as const).map((level) => vi.spyOn(powertoolsLogger, level))
    const failing = createExchangeJwtHandler(() =>
      Promise.resolve({
        ...deps,
        store: { ...deps.store, getToken: () => Promise.reject(new Error('down')) },
      } as Dependencies),
    )

    // Act
    let logged: Array<Record<string, unknown> | undefined>
    try {
      await handler(httpApiEvent(JSON.stringify({ access_token: admin.secret })), context)
      await handler(httpApiEvent('{"access_token":"x"}'), context)
      await failing(httpApiEvent(JSON.stringify({ access_token: admin.secret })), context)
      logged = taken.flatMap((spy) =>
        spy.mock.calls.map(([, fields]) => fields as Record<string, unknown> | undefined),
      )
    } finally {
      for (const spy of taken) spy.mockRestore()
    }

    // Assess
    const metrics = logged
      .filter(
        (fields): fields is Record<string, unknown> => fields !== undefined && '_aws' in fields,
      )
      .map(({ FunctionName, Code, JwtsIssued, Refusals, Faults }) => ({
        FunctionName,
        Code,
        JwtsIssued,
        Refusals,
        Faults,
      }))
    const fn = 'tollgate-exchange-jwt'
    expect(metrics).toEqual([
      { FunctionName: fn, Code: undefined, JwtsIssued: 1, Refusals: undefined, Faults: undefined },
      {
        FunctionName: fn,
        Code: 'invalid_token',
        JwtsIssued: undefined,
        Refusals: 1,
        Faults: undefined,
      },
      { FunctionName: fn, Code: 'internal', JwtsIssued: undefined, Refusals: undefined, Faults: 1 },
    ])
  })
})
