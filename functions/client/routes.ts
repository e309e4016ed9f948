import type * as z from 'zod/mini'
import * as api from '../api/schemas.js'
import type { RouteKey as TableRouteKey } from '../core/routes.js'

/**
 * The schemas of every route of the route table, as the client types them:
 * the same zod objects the handlers validate with (lists are built with the
 * same `listOf`). At run time the client checks answers against the server's
 * own `ROUTE_SPECS`. Both are typed over the route table's keys, so a route
 * missing here, or one the table lacks, fails the typecheck; a test proves
 * this table and `ROUTE_SPECS` describe the same JSON.
 */
export const CLIENT_ROUTES = {
  'POST /access-tokens/jwt': { body: api.exchangeRequest, answer: api.exchangeResponse },
  'POST /oauth2/token': { body: api.oauthTokenRequest, answer: api.oauthTokenResponse },
  'POST /oauth2/introspect': {
    body: api.oauthIntrospectionRequest,
    answer: api.oauthIntrospectionResponse,
  },
  'POST /oauth2/revoke': { body: api.oauthRevocationRequest, answer: undefined },
  'GET /.well-known/jwks.json': { answer: api.jwks },
  'GET /.well-known/openid-configuration': { answer: api.openidConfiguration },
  'GET /.well-known/oauth-authorization-server': { answer: api.authorizationServerMetadata },
  'GET /openapi.json': { answer: api.openapiDocument },
  'GET /whoami': { answer: api.whoami },
  'GET /whoami/authorizer': { answer: api.authorizerContext },
  'POST /service-accounts': { body: api.serviceAccountCreate, answer: api.serviceAccount },
  'GET /service-accounts': { query: api.pageQuery, answer: api.listOf(api.serviceAccount) },
  'GET /service-accounts/{id}': { answer: api.serviceAccount },
  'PATCH /service-accounts/{id}': { body: api.serviceAccountPatch, answer: api.serviceAccount },
  'DELETE /service-accounts/{id}': { answer: undefined },
  'GET /service-accounts/{id}/events': {
    query: api.pageQuery,
    answer: api.listOf(api.auditEvent),
  },
  'POST /access-tokens': { body: api.accessTokenCreate, answer: api.accessTokenWithSecret },
  'GET /access-tokens': { query: api.tokenListQuery, answer: api.listOf(api.accessToken) },
  'POST /access-tokens/revoke': { body: api.revokeOwnerRequest, answer: api.revokeOwnerResponse },
  'GET /access-tokens/{id}': { answer: api.accessToken },
  'PATCH /access-tokens/{id}': { body: api.accessTokenPatch, answer: api.accessToken },
  'DELETE /access-tokens/{id}': { answer: api.accessToken },
  'POST /access-tokens/{id}/regenerate': { answer: api.accessTokenWithSecret },
  'GET /access-tokens/{id}/events': { query: api.pageQuery, answer: api.listOf(api.auditEvent) },
  'POST /trust-policies': { body: api.trustPolicyCreate, answer: api.trustPolicy },
  'GET /trust-policies': { query: api.pageQuery, answer: api.listOf(api.trustPolicy) },
  'POST /trust-policies/simulate': {
    body: api.trustPolicySimulation,
    answer: api.trustPolicySimulationResult,
  },
  'GET /trust-policies/{id}': { answer: api.trustPolicy },
  'PATCH /trust-policies/{id}': { body: api.trustPolicyPatch, answer: api.trustPolicy },
  'DELETE /trust-policies/{id}': { answer: undefined },
  'GET /trust-policies/{id}/events': { query: api.pageQuery, answer: api.listOf(api.auditEvent) },
  'GET /console': { answer: undefined },
  'GET /console/config.json': { answer: api.consoleConfig },
  'GET /console/{asset}': { answer: undefined },
} as const satisfies Record<
  TableRouteKey,
  { body?: z.core.$ZodType; query?: z.core.$ZodType; answer: z.core.$ZodType | undefined }
>

type Routes = typeof CLIENT_ROUTES

/** `METHOD /path` of a route of the route table. */
export type RouteKey = keyof Routes

type PathOf<K extends string> = K extends `${string} ${infer Path}` ? Path : never
type ParameterNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParameterNames<Rest>
  : never

/** The path parameters of a route, e.g. `{ id: string }`. */
export type RouteParams<K extends RouteKey> = Record<ParameterNames<PathOf<K>>, string>

/** The JSON body a route takes (`undefined`: none). */
export type RouteBody<K extends RouteKey> = Routes[K] extends {
  body: infer S extends z.core.$ZodType
}
  ? z.infer<S>
  : undefined

/** The query a route takes (`undefined`: none). */
export type RouteQuery<K extends RouteKey> = Routes[K] extends {
  query: infer S extends z.core.$ZodType
}
  ? z.infer<S>
  : undefined

/** The success answer of a route (`undefined` for 204). */
export type RouteAnswer<K extends RouteKey> = Routes[K]['answer'] extends infer S extends
  z.core.$ZodType
  ? z.infer<S>
  : undefined

/** An entity tag as the server sent it (`"3"`), or a token's `version`. */
export type IfMatch = string | number

/** What one call of `client.call(key, input)` takes; required members follow the route. */
export type CallInput<K extends RouteKey> = ([ParameterNames<PathOf<K>>] extends [never]
  ? { readonly params?: undefined }
  : { readonly params: RouteParams<K> }) &
  (RouteBody<K> extends undefined
    ? { readonly body?: undefined }
    : { readonly body: RouteBody<K> }) &
  (RouteQuery<K> extends undefined
    ? { readonly query?: undefined }
    : { readonly query?: RouteQuery<K> }) &
  (K extends `PATCH ${string}`
    ? { readonly ifMatch: IfMatch }
    : { readonly ifMatch?: undefined }) & {
    readonly signal?: AbortSignal
  }

/** A success answer with what the headers said about it. */
export interface Answer<T> {
  readonly status: number
  readonly data: T
  /** The `ETag` (a quoted version), on routes that carry one. */
  readonly etag: string | undefined
  readonly requestId: string | undefined
}

/** A page of a list route, as `listOf` in the API schemas types it. */
export interface Page<T> {
  items: T[]
  next_cursor: string | null
}
