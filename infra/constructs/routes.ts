import { ROUTES, type Route } from '../../functions/core/routes.js'

/**
 * Who authorizes a route: nobody (`none`: the exchange, JWKS, discovery), the
 * handler itself (`handler`: management routes and `/whoami`, which answer
 * problem+json and check revocation at once), or the Lambda authorizer in
 * front (`authorizer`: `/whoami/authorizer`, the live example).
 */
export type RouteAuthorization = 'none' | 'handler' | 'authorizer'

/**
 * Reads a route's authorization from either shape of the route table:
 * `authorization` (the lead's upcoming field) or today's `authorizer: boolean`.
 * Once routes.ts has `authorization`, this becomes `route.authorization`.
 */
export const authorizationOf = (route: Route): RouteAuthorization => {
  const fields: { readonly authorization?: unknown; readonly authorizer?: unknown } = route
  const { authorization, authorizer } = fields
  if (authorization === 'none' || authorization === 'handler' || authorization === 'authorizer') {
    return authorization
  }
  if (typeof authorizer === 'boolean') return authorizer ? 'authorizer' : 'none'
  throw new Error(`route ${route.method} ${route.path} says nothing about its authorization`)
}

/** Handler modules of the route table, each once, in table order. */
export const routedHandlers = (routes: readonly Route[] = ROUTES): Route['handler'][] => [
  ...new Set(routes.map((route) => route.handler)),
]

/** `functions/entries/<name>.ts`: one Lambda function per handler module, each with its entry. */
export const handlerEntry = (name: string): string => `functions/entries/${name}.ts`
