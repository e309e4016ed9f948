/**
 * The single source of truth for Tollgate's HTTP API: the CDK stack, the dev
 * server, the OpenAPI document and the authorizer's policy builder all read
 * this table.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** Handler modules under functions/handlers/, by file name: one Lambda function each. */
export type HandlerName =
  | 'exchange-jwt'
  | 'jwks'
  | 'openid-configuration'
  | 'openapi'
  | 'whoami'
  | 'service-accounts'
  | 'access-tokens'
  | 'trust-policies'
  | 'oauth2'
  | 'console'

/**
 * Who checks the caller:
 * - `none`: no check in front (the exchange checks its access token itself;
 *   `/oauth2/*` authenticate their clients or bearer in the handler, in OAuth's terms);
 * - `handler`: the handler, with one strongly consistent read of the caller's
 *   records, so revocation is immediate (Tollgate's own routes);
 * - `authorizer`: the Lambda authorizer in front, as on any downstream API.
 */
export type Authorization = 'none' | 'handler' | 'authorizer'

export interface Route {
  readonly method: HttpMethod
  /** API Gateway path syntax: `{name}` for a path parameter. */
  readonly path: string
  readonly handler: HandlerName
  readonly authorization: Authorization
  /**
   * Scopes the caller's JWT must hold, all of them (rights are scopes: no
   * role stands in for one); absent means any valid caller. The use case
   * then decides who may act on whom.
   */
  readonly scopes?: readonly string[]
  /**
   * A person may call it without the scopes to manage their own personal
   * tokens (the use case then limits them to those).
   */
  readonly selfService?: boolean
  /** One line for the OpenAPI document and `--help`. */
  readonly summary: string
}

/** RFC 7662 introspection (`POST /oauth2/introspect`): whoever holds it may ask about any token. */
export const INTROSPECT_SCOPE = 'tokens:introspect'

/**
 * Scopes of the management API: a bootstrap admin's token carries them, and a
 * person with the `admin` role holds them at sign-in. `tollgate:admin`
 * (`rights.ts`) is not among them: only the `admin` role contributes it.
 */
export const TOLLGATE_SCOPES = [
  'tokens:read',
  'tokens:write',
  'service-accounts:read',
  'service-accounts:write',
  INTROSPECT_SCOPE,
] as const

/**
 * The reserved scope of administrators (docs/design.md#who-may-act-on-whom): only
 * the `admin` role contributes it, where rights are computed (`rights.ts`);
 * accounts, tokens, `ROUTE_SCOPES` and `ROLE_SCOPES` may not name it.
 */
export const TOLLGATE_ADMIN_SCOPE = 'tollgate:admin'
const tokensRead = { scopes: ['tokens:read'], selfService: true } as const
const tokensWrite = { scopes: ['tokens:write'], selfService: true } as const
const accounts = (access: 'read' | 'write') =>
  ({
    handler: 'service-accounts',
    authorization: 'handler',
    scopes: [`service-accounts:${access}`],
  }) as const
const tokens = { handler: 'access-tokens', authorization: 'handler' } as const
/** Every `/trust-policies` route needs `tollgate:admin` (docs/design.md#who-may-act-on-whom). */
const trustPolicies = {
  handler: 'trust-policies',
  authorization: 'handler',
  scopes: [TOLLGATE_ADMIN_SCOPE],
} as const

const ROUTE_TABLE = [
  {
    method: 'POST',
    path: '/access-tokens/jwt',
    handler: 'exchange-jwt',
    authorization: 'none',
    summary: 'Exchange an access token for a short-lived JWT',
  },
  {
    method: 'POST',
    path: '/oauth2/token',
    handler: 'oauth2',
    authorization: 'none',
    summary: 'OAuth 2.0 token endpoint: client_credentials and RFC 8693 token exchange',
  },
  {
    method: 'POST',
    path: '/oauth2/introspect',
    handler: 'oauth2',
    authorization: 'none',
    summary: 'RFC 7662 introspection of an access token or a JWT',
  },
  {
    method: 'POST',
    path: '/oauth2/revoke',
    handler: 'oauth2',
    authorization: 'none',
    summary: 'RFC 7009 revocation of a client’s own access token or JWT',
  },
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    handler: 'jwks',
    authorization: 'none',
    summary: 'Public keys of every JWT that may still be valid',
  },
  {
    method: 'GET',
    path: '/.well-known/openid-configuration',
    handler: 'openid-configuration',
    authorization: 'none',
    summary: 'Discovery metadata for JWT verifiers',
  },
  {
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    handler: 'openid-configuration',
    authorization: 'none',
    summary: 'OAuth 2.0 authorization server metadata (RFC 8414)',
  },
  {
    method: 'GET',
    path: '/openapi.json',
    handler: 'openapi',
    authorization: 'none',
    summary: 'This API as an OpenAPI 3.1 document',
  },
  {
    method: 'GET',
    path: '/whoami',
    handler: 'whoami',
    authorization: 'handler',
    summary: 'Who the caller is, as Tollgate sees them',
  },
  {
    method: 'GET',
    path: '/whoami/authorizer',
    handler: 'whoami',
    authorization: 'authorizer',
    summary: 'What the Lambda authorizer in front of this route passed on (a live example)',
  },
  {
    method: 'POST',
    path: '/service-accounts',
    ...accounts('write'),
    scopes: ['service-accounts:write', TOLLGATE_ADMIN_SCOPE],
    summary: 'Create a service account',
  },
  {
    method: 'GET',
    path: '/service-accounts',
    ...accounts('read'),
    summary: 'List service accounts',
  },
  {
    method: 'GET',
    path: '/service-accounts/{id}',
    ...accounts('read'),
    summary: 'Read a service account',
  },
  {
    method: 'PATCH',
    path: '/service-accounts/{id}',
    ...accounts('write'),
    summary: 'Change a service account (If-Match)',
  },
  {
    method: 'DELETE',
    path: '/service-accounts/{id}',
    ...accounts('write'),
    summary: 'Delete a service account and make all its tokens unusable',
  },
  {
    method: 'GET',
    path: '/service-accounts/{id}/events',
    ...accounts('read'),
    summary: "A service account's audit trail",
  },
  {
    method: 'POST',
    path: '/access-tokens',
    ...tokens,
    ...tokensWrite,
    summary: 'Create an access token (the secret is in this answer only)',
  },
  {
    method: 'GET',
    path: '/access-tokens',
    ...tokens,
    ...tokensRead,
    summary: 'List access tokens',
  },
  {
    method: 'POST',
    path: '/access-tokens/revoke',
    ...tokens,
    scopes: ['tokens:write', TOLLGATE_ADMIN_SCOPE],
    summary: 'Revoke every token of an owner',
  },
  {
    method: 'GET',
    path: '/access-tokens/{id}',
    ...tokens,
    ...tokensRead,
    summary: 'Read an access token',
  },
  {
    method: 'PATCH',
    path: '/access-tokens/{id}',
    ...tokens,
    ...tokensWrite,
    summary: 'Rename, redescribe or narrow an access token (If-Match)',
  },
  {
    method: 'DELETE',
    path: '/access-tokens/{id}',
    ...tokens,
    ...tokensWrite,
    summary: 'Revoke an access token (the record stays for audit)',
  },
  {
    method: 'POST',
    path: '/access-tokens/{id}/regenerate',
    ...tokens,
    ...tokensWrite,
    summary: 'Give an access token a new secret (same id and expiry)',
  },
  {
    method: 'GET',
    path: '/access-tokens/{id}/events',
    ...tokens,
    ...tokensRead,
    summary: "An access token's audit trail",
  },
  {
    method: 'POST',
    path: '/trust-policies',
    ...trustPolicies,
    summary: 'Create a trust policy: which outside JWTs may act as a service account',
  },
  {
    method: 'GET',
    path: '/trust-policies',
    ...trustPolicies,
    summary: 'List trust policies',
  },
  {
    method: 'POST',
    path: '/trust-policies/simulate',
    ...trustPolicies,
    summary:
      'Which trust policy an outside JWT or claim set would match, and why not (mints nothing)',
  },
  {
    method: 'GET',
    path: '/trust-policies/{id}',
    ...trustPolicies,
    summary: 'Read a trust policy',
  },
  {
    method: 'PATCH',
    path: '/trust-policies/{id}',
    ...trustPolicies,
    summary:
      'Change a trust policy (If-Match); any change but name or description revokes its JWTs',
  },
  {
    method: 'DELETE',
    path: '/trust-policies/{id}',
    ...trustPolicies,
    summary: 'Delete a trust policy and revoke every JWT it minted',
  },
  {
    method: 'GET',
    path: '/trust-policies/{id}/events',
    ...trustPolicies,
    summary: "A trust policy's audit trail",
  },
  {
    method: 'GET',
    path: '/console',
    handler: 'console',
    authorization: 'none',
    summary: 'The console: tokens and accounts in the browser (an HTML page)',
  },
  {
    method: 'GET',
    path: '/console/config.json',
    handler: 'console',
    authorization: 'none',
    summary: "The console's sign-in options: the identity providers it may use",
  },
  {
    method: 'GET',
    path: '/console/{asset}',
    handler: 'console',
    authorization: 'none',
    summary: "The console's script and styles",
  },
] as const satisfies readonly Route[]

/** The table, as every reader sees a route. */
export const ROUTES: readonly Route[] = ROUTE_TABLE

/** One entry of the table, with its literal method, path and handler. */
type RouteEntry = (typeof ROUTE_TABLE)[number]

type KeyOf<R> = R extends {
  readonly method: infer M extends string
  readonly path: infer P extends string
}
  ? `${M} ${P}`
  : never

/**
 * `METHOD /path` of every route of the table: the key that specs, handler
 * operation maps, the OpenAPI document and the client are typed over, so a
 * missing or mistyped route fails `npm run typecheck`.
 */
export type RouteKey = KeyOf<RouteEntry>

/** The keys of a handler module's routes that authorize in the handler. */
export type HandlerRouteKey<H extends HandlerName> = KeyOf<
  Extract<RouteEntry, { readonly handler: H; readonly authorization: 'handler' }>
>

/** The keys of every route a handler module serves, however it authorizes. */
export type ModuleRouteKey<H extends HandlerName> = KeyOf<
  Extract<RouteEntry, { readonly handler: H }>
>

/** A route's key: a `RouteKey` for an entry of the table. */
export const routeKey = <R extends Pick<Route, 'method' | 'path'>>(route: R): KeyOf<R> =>
  `${route.method} ${route.path}` as KeyOf<R>

const ROUTE_KEYS: ReadonlySet<string> = new Set(ROUTES.map(routeKey))

/** Whether a key (from an event, a test) names a route of the table. */
export const isRouteKey = (key: string): key is RouteKey => ROUTE_KEYS.has(key)
