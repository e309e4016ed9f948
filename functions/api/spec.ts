import type * as z from 'zod/mini'
import { isRouteKey, type RouteKey } from '../core/routes.js'
import * as api from './schemas.js'

/** What one route takes and answers, beyond the route table's method, path and scope. */
export interface RouteSpec {
  readonly body?: z.core.$ZodType
  readonly query?: z.ZodMiniObject
  readonly success: { readonly status: number; readonly schema: z.core.$ZodType | undefined }
  /** Answers carry an `ETag`; a `PATCH` needs `If-Match`. */
  readonly etag?: boolean
  /** The answer holds a secret or a JWT: `Cache-Control: no-store`. */
  readonly secret?: boolean
  /**
   * An OAuth 2.0 route (`/oauth2/*`): the body is form-encoded, refusals are
   * RFC 6749 §5.2 JSON, and the caller proves itself as an OAuth `client`
   * (Basic or client_secret_post) or with a `bearer` JWT.
   */
  readonly oauth?: { readonly credential: 'client' | 'bearer' }
}

const ok = (schema: z.core.$ZodType, status = 200) => ({ status, schema })

/**
 * Every route of the route table, by route key: a route cannot ship
 * undocumented, nor a spec outlive its route (both fail the typecheck).
 */
export const ROUTE_SPECS: Readonly<Record<RouteKey, RouteSpec>> = {
  'POST /access-tokens/jwt': {
    body: api.exchangeRequest,
    success: ok(api.exchangeResponse),
    secret: true,
  },
  'POST /oauth2/token': {
    body: api.oauthTokenRequest,
    success: ok(api.oauthTokenResponse),
    secret: true,
    oauth: { credential: 'client' },
  },
  'POST /oauth2/introspect': {
    body: api.oauthIntrospectionRequest,
    success: ok(api.oauthIntrospectionResponse),
    secret: true,
    oauth: { credential: 'bearer' },
  },
  'POST /oauth2/revoke': {
    body: api.oauthRevocationRequest,
    success: { status: 200, schema: undefined },
    oauth: { credential: 'client' },
  },
  'GET /.well-known/jwks.json': { success: ok(api.jwks) },
  'GET /.well-known/openid-configuration': { success: ok(api.openidConfiguration) },
  'GET /.well-known/oauth-authorization-server': {
    success: ok(api.authorizationServerMetadata),
  },
  'GET /openapi.json': { success: ok(api.openapiDocument) },
  'GET /whoami': { success: ok(api.whoami) },
  'GET /whoami/authorizer': { success: ok(api.authorizerContext) },
  'POST /service-accounts': {
    body: api.serviceAccountCreate,
    success: ok(api.serviceAccount, 201),
    etag: true,
  },
  'GET /service-accounts': { query: api.pageQuery, success: ok(api.listOf(api.serviceAccount)) },
  'GET /service-accounts/{id}': { success: ok(api.serviceAccount), etag: true },
  'PATCH /service-accounts/{id}': {
    body: api.serviceAccountPatch,
    success: ok(api.serviceAccount),
    etag: true,
  },
  'DELETE /service-accounts/{id}': { success: { status: 204, schema: undefined } },
  'GET /service-accounts/{id}/events': {
    query: api.pageQuery,
    success: ok(api.listOf(api.auditEvent)),
  },
  'POST /access-tokens': {
    body: api.accessTokenCreate,
    success: ok(api.accessTokenWithSecret, 201),
    etag: true,
    secret: true,
  },
  'GET /access-tokens': { query: api.tokenListQuery, success: ok(api.listOf(api.accessToken)) },
  'POST /access-tokens/revoke': {
    body: api.revokeOwnerRequest,
    success: ok(api.revokeOwnerResponse),
  },
  'GET /access-tokens/{id}': { success: ok(api.accessToken), etag: true },
  'PATCH /access-tokens/{id}': {
    body: api.accessTokenPatch,
    success: ok(api.accessToken),
    etag: true,
  },
  'DELETE /access-tokens/{id}': { success: ok(api.accessToken), etag: true },
  'POST /access-tokens/{id}/regenerate': {
    success: ok(api.accessTokenWithSecret),
    etag: true,
    secret: true,
  },
  'GET /access-tokens/{id}/events': {
    query: api.pageQuery,
    success: ok(api.listOf(api.auditEvent)),
  },
  'POST /trust-policies': {
    body: api.trustPolicyCreate,
    success: ok(api.trustPolicy, 201),
    etag: true,
  },
  'GET /trust-policies': { query: api.pageQuery, success: ok(api.listOf(api.trustPolicy)) },
  'POST /trust-policies/simulate': {
    body: api.trustPolicySimulation,
    success: ok(api.trustPolicySimulationResult),
  },
  'GET /trust-policies/{id}': { success: ok(api.trustPolicy), etag: true },
  'PATCH /trust-policies/{id}': {
    body: api.trustPolicyPatch,
    success: ok(api.trustPolicy),
    etag: true,
  },
  'DELETE /trust-policies/{id}': { success: { status: 204, schema: undefined } },
  'GET /trust-policies/{id}/events': {
    query: api.pageQuery,
    success: ok(api.listOf(api.auditEvent)),
  },
  // HTML, JavaScript and CSS: no JSON schema to check.
  'GET /console': { success: { status: 200, schema: undefined } },
  'GET /console/config.json': { success: ok(api.consoleConfig) },
  'GET /console/{asset}': { success: { status: 200, schema: undefined } },
}

/** The spec of a route key read from an event, if it names a route of the table. */
export const specOf = (key: string): RouteSpec | undefined =>
  isRouteKey(key) ? ROUTE_SPECS[key] : undefined
