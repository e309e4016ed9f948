import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import type * as api from '../../functions/api/schemas.js'
import { specOf } from '../../functions/api/spec.js'
import {
  ROUTE_METHODS,
  type RouteAnswer,
  type RouteBody,
  type RouteQuery,
  TollgateApiError,
  TollgateClient,
} from '../../functions/client/index.js'
import { CLIENT_ROUTES } from '../../functions/client/routes.js'
import { ROUTES, routeKey } from '../../functions/core/routes.js'

const ROUTE_KEYS = ROUTES.map(routeKey).sort()
const jsonSchema = (schema: z.core.$ZodType | undefined) =>
  schema === undefined ? undefined : z.toJSONSchema(schema, { unrepresentable: 'any' })

describe('the client against the route table', () => {
  it('has a schema entry and a method for exactly the routes of the route table', () => {
    expect(Object.keys(CLIENT_ROUTES).sort()).toEqual(ROUTE_KEYS)
    expect(Object.keys(ROUTE_METHODS).sort()).toEqual(ROUTE_KEYS)
  })

  it.each(ROUTE_KEYS)('types %s with the schemas the handlers use', (key) => {
    const client = CLIENT_ROUTES[key as keyof typeof CLIENT_ROUTES] as {
      body?: z.core.$ZodType
      query?: z.core.$ZodType
      answer: z.core.$ZodType | undefined
    }
    const spec = specOf(key)

    expect(jsonSchema(client.answer)).toEqual(jsonSchema(spec?.success.schema))
    expect(jsonSchema(client.body)).toEqual(jsonSchema(spec?.body))
    expect(jsonSchema(client.query)).toEqual(jsonSchema(spec?.query))
  })

  it.each(Object.entries(ROUTE_METHODS))('%s is served by client.%s', async (key, method) => {
    // Prepare: a server that answers the exchange and refuses everything else with 404,
    // so the test sees which method and path each client method sends.
    const sent: string[] = []
    const fetch = async (url: string | URL | Request, init?: RequestInit) => {
      const { pathname } = new URL(String(url))
      sent.push(`${init?.method} ${pathname}`)
      if (pathname === '/access-tokens/jwt') {
        return Response.json({
          jwt: 'a.b.c',
          token_type: 'Bearer',
          expires_in: 300,
          expires_at: new Date(Date.now() + 300_000).toISOString(),
          scope: '',
        })
      }
      return Response.json({ code: 'not_found', detail: 'no', status: 404 }, { status: 404 })
    }
    const client = new TollgateClient({
      baseUrl: 'http://tollgate.test',
      accessToken: 'tgs_x',
      fetch,
    })
    const [group, name] = method.includes('.') ? method.split('.') : [undefined, method]
    const target = (group === undefined ? client : (client as never)[group]) as unknown as Record<
      string,
      (...args: unknown[]) => Promise<unknown>
    >
    const call = target[name as string]
    expect(typeof call).toBe('function')

    // Act
    const outcome = await call
      ?.call(target, 'some-id', { name: 'n' }, { ifMatch: 1 })
      .catch((e) => e)

    // Assess
    const [verb, path] = key.split(' ') as [string, string]
    const pattern = new RegExp(
      `^${verb} ${path.replace(/\{\w+\}/g, '[^/]+').replace(/\./g, '\\.')}$`,
    )
    expect(sent.at(-1)).toMatch(pattern)
    if (key !== 'POST /access-tokens/jwt') expect(outcome).toBeInstanceOf(TollgateApiError)
  })

  it('types every method by z.infer of the route’s schemas', () => {
    type Client = TollgateClient
    expectTypeOf<RouteAnswer<'GET /access-tokens/{id}'>>().toEqualTypeOf<
      z.infer<typeof api.accessToken>
    >()
    expectTypeOf<RouteAnswer<'DELETE /service-accounts/{id}'>>().toEqualTypeOf<undefined>()
    expectTypeOf<RouteBody<'POST /access-tokens'>>().toEqualTypeOf<
      z.infer<typeof api.accessTokenCreate>
    >()
    expectTypeOf<RouteQuery<'GET /access-tokens'>>().toEqualTypeOf<
      z.infer<typeof api.tokenListQuery>
    >()

    expectTypeOf<Client['exchange']>().parameters.toEqualTypeOf<
      [z.infer<typeof api.exchangeRequest>]
    >()
    expectTypeOf<Client['exchange']>().returns.resolves.toEqualTypeOf<
      z.infer<typeof api.exchangeResponse>
    >()
    expectTypeOf<Client['whoami']>().returns.resolves.toEqualTypeOf<z.infer<typeof api.whoami>>()
    expectTypeOf<Client['jwks']>().returns.resolves.toEqualTypeOf<z.infer<typeof api.jwks>>()
    expectTypeOf<Client['openidConfiguration']>().returns.resolves.toEqualTypeOf<
      z.infer<typeof api.openidConfiguration>
    >()
    expectTypeOf<Client['openapi']>().returns.resolves.toEqualTypeOf<
      z.infer<typeof api.openapiDocument>
    >()

    type Accounts = Client['serviceAccounts']
    type Account = z.infer<typeof api.serviceAccount>
    expectTypeOf<Accounts['create']>().parameters.toEqualTypeOf<
      [z.infer<typeof api.serviceAccountCreate>]
    >()
    expectTypeOf<Accounts['create']>().returns.resolves.toEqualTypeOf<Account>()
    expectTypeOf<Accounts['list']>().returns.resolves.toEqualTypeOf<
      z.infer<ReturnType<typeof api.listOf<typeof api.serviceAccount>>>
    >()
    expectTypeOf<Accounts['get']>().returns.resolves.toEqualTypeOf<Account>()
    expectTypeOf<Accounts['update']>()
      .parameter(1)
      .toEqualTypeOf<z.infer<typeof api.serviceAccountPatch>>()
    expectTypeOf<Accounts['update']>().returns.resolves.toEqualTypeOf<Account>()
    expectTypeOf<Accounts['delete']>().returns.resolves.toEqualTypeOf<void>()
    expectTypeOf<Accounts['events']>().returns.resolves.toEqualTypeOf<
      z.infer<ReturnType<typeof api.listOf<typeof api.auditEvent>>>
    >()

    type Tokens = Client['accessTokens']
    type Token = z.infer<typeof api.accessToken>
    expectTypeOf<Tokens['create']>().parameters.toEqualTypeOf<
      [z.infer<typeof api.accessTokenCreate>]
    >()
    expectTypeOf<Tokens['create']>().returns.resolves.toEqualTypeOf<
      z.infer<typeof api.accessTokenWithSecret>
    >()
    expectTypeOf<Tokens['list']>().returns.resolves.toEqualTypeOf<
      z.infer<ReturnType<typeof api.listOf<typeof api.accessToken>>>
    >()
    expectTypeOf<Tokens['list']>()
      .parameter(0)
      .exclude<undefined>()
      .toHaveProperty('status')
      .toEqualTypeOf<z.infer<typeof api.tokenListQuery>['status']>()
    expectTypeOf<Tokens['get']>().returns.resolves.toEqualTypeOf<Token>()
    expectTypeOf<Tokens['update']>()
      .parameter(1)
      .toEqualTypeOf<z.infer<typeof api.accessTokenPatch>>()
    expectTypeOf<Tokens['update']>().returns.resolves.toEqualTypeOf<Token>()
    expectTypeOf<Tokens['revoke']>().returns.resolves.toEqualTypeOf<Token>()
    expectTypeOf<Tokens['regenerate']>().returns.resolves.toEqualTypeOf<
      z.infer<typeof api.accessTokenWithSecret>
    >()
    expectTypeOf<Tokens['revokeAll']>().returns.resolves.toEqualTypeOf<
      z.infer<typeof api.revokeOwnerResponse>
    >()
    expectTypeOf<Tokens['events']>().returns.resolves.toEqualTypeOf<
      z.infer<ReturnType<typeof api.listOf<typeof api.auditEvent>>>
    >()
  })
})
