import { describe, expect, it } from 'vitest'
import type { AuthorizerHandler } from '../../../functions/handlers/authorizer.js'
import { httpApiAuthorizer } from '../../../functions/local/local-authorizer.js'
import { fixedClock } from '../../support/fakes.js'

const event = (authorization: string | undefined) =>
  ({
    version: '2.0',
    routeKey: 'GET /whoami/authorizer',
    rawPath: '/whoami/authorizer',
    rawQueryString: '',
    headers: authorization === undefined ? {} : { authorization },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      stage: '$default',
      http: { method: 'GET', path: '/whoami/authorizer' },
    },
    isBase64Encoded: false,
  }) as never

describe('httpApiAuthorizer (the dev server’s HTTP API emulation)', () => {
  const setup = (answer: Awaited<ReturnType<AuthorizerHandler>> | Error, cacheTtlSeconds = 10) => {
    const clock = fixedClock()
    let calls = 0
    const authorize = httpApiAuthorizer({
      authorizer: async () => {
        calls++
        if (answer instanceof Error) throw answer
        return answer
      },
      invoke: (_id, run) => run(),
      clock,
      cacheTtlSeconds,
    })
    return { authorize, clock, calls: () => calls }
  }

  it('answers 401 without calling the authorizer when there is no Authorization header', async () => {
    const { authorize, calls } = setup({ isAuthorized: true })

    const outcome = await authorize(event(undefined))

    expect(outcome).toMatchObject({
      allowed: false,
      response: { statusCode: 401, body: '{"message":"Unauthorized"}' },
    })
    expect(calls()).toBe(0)
  })

  it('answers 403 for a deny and 500 for a throw, never caching the throw', async () => {
    const denied = setup({ isAuthorized: false })
    const failing = setup(new Error('Authorizer could not decide'))

    expect(await denied.authorize(event('Bearer x'))).toMatchObject({
      response: { statusCode: 403 },
    })
    expect(await failing.authorize(event('Bearer x'))).toMatchObject({
      response: { statusCode: 500 },
    })
    await failing.authorize(event('Bearer x'))
    expect(failing.calls()).toBe(2)
  })

  it('caches allows and denies per identity sources for the TTL, as API Gateway does', async () => {
    const { authorize, clock, calls } = setup({
      isAuthorized: true,
      context: { sub: 'a' } as never,
    })

    await authorize(event('Bearer x'))
    await authorize(event('Bearer x'))
    clock.advance(10_000)
    await authorize(event('Bearer x'))

    expect(calls()).toBe(2)
  })

  it('stays bounded however many distinct credentials arrive', async () => {
    const { authorize, calls } = setup({ isAuthorized: false })

    for (let i = 0; i < 10_050; i++) await authorize(event(`Bearer ${i}`))
    await authorize(event('Bearer 10049'))
    await authorize(event('Bearer 0'))

    // The newest is still cached; the oldest was dropped to make room.
    expect(calls()).toBe(10_051)
  })
})
