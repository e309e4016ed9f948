/**
 * The single source of truth for Tollgate's HTTP API: the CDK stack, the dev
 * server and the authorizer's policy builder all read this table.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** Handler modules under functions/handlers/, by file name. */
export type HandlerName = 'exchange-jwt' | 'jwks' | 'openid-configuration' | 'whoami'

export interface Route {
  readonly method: HttpMethod
  /** API Gateway path syntax: `{name}` for a path parameter. */
  readonly path: string
  readonly handler: HandlerName
  /** Whether the Tollgate authorizer guards the route. */
  readonly authorizer: boolean
  /** Scope a caller's JWT must carry; absent means any valid JWT. */
  readonly scope?: string
}

/** Scopes of the management API; the bootstrap admin holds all of them. */
export const TOLLGATE_SCOPES = [
  'tokens:read',
  'tokens:write',
  'service-accounts:read',
  'service-accounts:write',
] as const

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/access-tokens/jwt', handler: 'exchange-jwt', authorizer: false },
  { method: 'GET', path: '/.well-known/jwks.json', handler: 'jwks', authorizer: false },
  {
    method: 'GET',
    path: '/.well-known/openid-configuration',
    handler: 'openid-configuration',
    authorizer: false,
  },
  { method: 'GET', path: '/whoami', handler: 'whoami', authorizer: true },
]

export const routeKey = (route: Pick<Route, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`
