import { describe, expect, it } from 'vitest'
import { ROUTES, routeKey } from '../../../functions/core/routes.js'
import { HANDLER_FACTORIES } from '../../../functions/handlers/registry.js'

describe('HANDLER_FACTORIES', () => {
  it('has a factory for every handler in the route table', () => {
    // Act
    const missing = ROUTES.filter((route) => typeof HANDLER_FACTORIES[route.handler] !== 'function')

    // Assess
    expect(missing.map(routeKey)).toEqual([])
  })

  it('routes every factory', () => {
    // Prepare
    const routed = new Set(ROUTES.map((route) => route.handler))

    // Act
    const unrouted = Object.keys(HANDLER_FACTORIES).filter(
      (name) => !routed.has(name as keyof typeof HANDLER_FACTORIES),
    )

    // Assess
    expect(unrouted).toEqual([])
  })

  it('has one route per method and path', () => {
    // Act
    const keys = ROUTES.map(routeKey)

    // Assess
    expect(keys.length).toBeGreaterThan(0)
    expect(new Set(keys).size).toBe(keys.length)
  })
})
