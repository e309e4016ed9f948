import { describe, expect, it } from 'vitest'
import { ROUTE_SPECS, type RouteSpec } from '../../functions/api/spec.js'
import { CLIENT_ROUTES } from '../../functions/client/routes.js'
import { isRouteKey, ROUTES, type RouteKey, routeKey } from '../../functions/core/routes.js'
import { createAuthorizedHandler, type Operation } from '../../functions/handlers/api-handler.js'
import type { CallerDependencies } from '../../functions/wiring/dependencies.js'

/**
 * The route contract is checked by the compiler: each `@ts-expect-error`
 * below is a mistake that must fail `npm run typecheck` (an unused one fails
 * it too). None of these functions is ever called.
 */
const op: Operation = async () => ({ statusCode: 204, body: '', headers: {} })
const deps = async (): Promise<CallerDependencies> => {
  throw new Error('never called')
}

const typeChecks = {
  bogusSpec: () =>
    ({
      ...ROUTE_SPECS,
      // @ts-expect-error: a spec for a route the table lacks
      'GET /nope': { success: { status: 200, schema: undefined } },
    }) satisfies Record<RouteKey, RouteSpec>,
  missingSpec: () =>
    // @ts-expect-error: a route of the table without its spec
    ({ 'GET /whoami': ROUTE_SPECS['GET /whoami'] }) satisfies Record<RouteKey, RouteSpec>,
  bogusOperation: () =>
    createAuthorizedHandler('whoami', deps, {
      'GET /whoami': op,
      // @ts-expect-error: another module's route in this module's map
      'GET /service-accounts': op,
    }),
  missingOperation: () =>
    // @ts-expect-error: a module's map without one of its routes
    createAuthorizedHandler('service-accounts', deps, { 'GET /service-accounts': op }),
  mistypedKey: () =>
    createAuthorizedHandler('whoami', deps, {
      // @ts-expect-error: a mistyped route key
      'GET /whoamI': op,
    }),
}

describe('the typed route contract', () => {
  it('has one spec and one client entry per route of the table, and nothing else', () => {
    const keys = ROUTES.map(routeKey).sort()

    expect(Object.keys(ROUTE_SPECS).sort()).toEqual(keys)
    expect(Object.keys(CLIENT_ROUTES).sort()).toEqual(keys)
    expect(keys.every(isRouteKey)).toBe(true)
    expect(isRouteKey('GET /nope')).toBe(false)
    expect(Object.keys(typeChecks)).toHaveLength(5)
  })
})
