import { describe, expect, it } from 'vitest'
import { ROUTES, routeKey, TOLLGATE_SCOPES } from '../../../functions/core/routes.js'
import { isScopeToken } from '../../../functions/core/scopes.js'

describe('ROUTES', () => {
  it('has one route per method and path', () => {
    // Act
    const keys = ROUTES.map(routeKey)

    // Assess
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('uses absolute API Gateway paths without a trailing slash', () => {
    for (const route of ROUTES) {
      // Act and assess
      expect(route.path).toMatch(
        /^\/(?:[A-Za-z0-9._-]+|\{[A-Za-z_][A-Za-z0-9_]*\})(?:\/(?:[A-Za-z0-9._-]+|\{[A-Za-z_][A-Za-z0-9_]*\}))*$/,
      )
    }
  })

  it('serves the exchange and discovery without the authorizer', () => {
    // Prepare
    const open = [
      'POST /access-tokens/jwt',
      'GET /.well-known/jwks.json',
      'GET /.well-known/openid-configuration',
    ]

    for (const key of open) {
      // Act
      const route = ROUTES.find((r) => routeKey(r) === key)

      // Assess
      expect(route, key).toBeDefined()
      expect(route?.authorization).toBe('none')
    }
  })

  it('requires only well-formed scopes', () => {
    for (const route of ROUTES) {
      // Act and assess
      for (const scope of route.scopes ?? []) expect(isScopeToken(scope)).toBe(true)
    }
  })
})

describe('routeKey', () => {
  it('joins method and path like an API Gateway route key', () => {
    // Act and assess
    expect(routeKey({ method: 'GET', path: '/access-tokens/{id}' })).toBe('GET /access-tokens/{id}')
  })
})

describe('TOLLGATE_SCOPES', () => {
  it('holds distinct, well-formed scopes', () => {
    // Act and assess
    expect(new Set(TOLLGATE_SCOPES).size).toBe(TOLLGATE_SCOPES.length)
    for (const scope of TOLLGATE_SCOPES) expect(isScopeToken(scope)).toBe(true)
  })
})
