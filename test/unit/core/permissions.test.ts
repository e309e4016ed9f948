import { describe, expect, it } from 'vitest'
import { authorizeRoute } from '../../../functions/core/permissions.js'
import { ROUTES, routeKey, TOLLGATE_SCOPES } from '../../../functions/core/routes.js'
import { errorOf } from '../../support/errors.js'
import { callers } from '../../support/management.js'

const route = (key: string) => {
  const found = ROUTES.find((r) => routeKey(r) === key)
  if (found === undefined) throw new Error(key)
  return found
}

describe('authorizeRoute', () => {
  it('lets a caller with the route scope in, and admin everywhere', () => {
    expect(() =>
      authorizeRoute(route('GET /access-tokens'), callers.service(['tokens:read'])),
    ).not.toThrow()
    for (const r of ROUTES) expect(() => authorizeRoute(r, callers.admin())).not.toThrow()
  })

  it('refuses a service caller without the scope with insufficient_scope', () => {
    const error = errorOf(() =>
      authorizeRoute(route('POST /access-tokens'), callers.service(['tokens:read'])),
    )

    expect(error.code).toBe('insufficient_scope')
  })

  it('lets people onto self-service token routes without a scope, never onto account routes', () => {
    for (const caller of [callers.person('alice', [], []), callers.personal('alice')]) {
      expect(() => authorizeRoute(route('POST /access-tokens'), caller)).not.toThrow()
      expect(() => authorizeRoute(route('DELETE /access-tokens/{id}'), caller)).not.toThrow()
      expect(errorOf(() => authorizeRoute(route('POST /access-tokens/revoke'), caller)).code).toBe(
        'insufficient_scope',
      )
      expect(errorOf(() => authorizeRoute(route('GET /service-accounts'), caller)).code).toBe(
        'insufficient_scope',
      )
    }
  })

  it('lets a federated JWT read with its scopes and write nothing, whatever its scopes', () => {
    const ci = callers.federated([...TOLLGATE_SCOPES])

    expect(() => authorizeRoute(route('GET /access-tokens'), ci)).not.toThrow()
    for (const r of ROUTES.filter((r) => r.authorization === 'handler' && r.method !== 'GET')) {
      expect(errorOf(() => authorizeRoute(r, ci)).code, routeKey(r)).toBe('forbidden')
    }
  })
})
