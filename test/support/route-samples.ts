import { randomUUID } from 'node:crypto'
import { type Route, routeKey } from '../../functions/core/routes.js'

/** Ids a sample request may name: things that exist, so the request is valid. */
export interface SampleIds {
  readonly accessToken: string
  readonly serviceAccountId: string
  readonly tokenId: string
  /** The ETag of the resource a PATCH names (any value while the store is down). */
  readonly ifMatch?: string
  /** The admin's JWT, for routes that take a bearer in their own way (introspection). */
  readonly jwt?: string
}

export interface SampleRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
}

const json = (value: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
})
const unique = () => `s-${randomUUID().slice(0, 8)}`
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  body: new URLSearchParams(fields).toString(),
})
/** The access token as an OAuth client: its id (inside it) and the token as the secret. */
const clientOf = (accessToken: string) => ({
  client_id: accessToken.slice(4, 26),
  client_secret: accessToken,
})

/** A valid body (and If-Match) per route key; routes absent here take none. */
const SAMPLES: Readonly<
  Record<string, (ids: SampleIds) => { headers?: Record<string, string>; body?: string }>
> = {
  'POST /access-tokens/jwt': (ids) => json({ access_token: ids.accessToken }),
  'POST /service-accounts': () => json({ name: unique(), roles: [], scopes: ['data:read'] }),
  'PATCH /service-accounts/{id}': (ids) => {
    const sample = json({ description: 'patched' })
    return { ...sample, headers: { ...sample.headers, 'if-match': ids.ifMatch ?? '"1"' } }
  },
  'POST /access-tokens': (ids) =>
    json({ name: unique(), service_account_id: ids.serviceAccountId }),
  'POST /access-tokens/revoke': (ids) => json({ owner: ids.serviceAccountId }),
  'PATCH /access-tokens/{id}': (ids) => {
    const sample = json({ description: 'patched' })
    return { ...sample, headers: { ...sample.headers, 'if-match': ids.ifMatch ?? '"1"' } }
  },
  'POST /trust-policies': (ids) =>
    json({
      name: unique(),
      issuer: 'https://token.actions.githubusercontent.com',
      audience: 'sts.tollgate',
      subject_pattern: 'repo:acme/.*',
      service_account_id: ids.serviceAccountId,
      scopes: [],
      max_duration_seconds: 900,
    }),
  'POST /oauth2/token': (ids) =>
    form({ grant_type: 'client_credentials', ...clientOf(ids.accessToken) }),
  'POST /oauth2/introspect': (ids) =>
    form({ token: ids.accessToken }, { authorization: `Bearer ${ids.jwt}` }),
  // A malformed token: 200 with no effect once the client is authenticated (RFC 7009 §2.2).
  'POST /oauth2/revoke': (ids) => form({ token: 'not-a-token', ...clientOf(ids.accessToken) }),
  'POST /trust-policies/simulate': () =>
    json({ claims: { iss: 'https://token.actions.githubusercontent.com', sub: 'repo:acme/x' } }),
  'PATCH /trust-policies/{id}': (ids) => {
    const sample = json({ description: 'patched' })
    return { ...sample, headers: { ...sample.headers, 'if-match': ids.ifMatch ?? '"1"' } }
  },
}

/** A well-formed trust policy id that names none: its routes answer by Tollgate's state. */
const SAMPLE_TRUST_POLICY_ID = 'tp_0000000000000000000000'

/**
 * A valid request for `route` as an admin with `jwt` would send it: the
 * answer depends on Tollgate's state, never on the request being malformed.
 */
export const sampleRequest = (route: Route, jwt: string, ids: SampleIds): SampleRequest => {
  const path = route.path
    .replace('/service-accounts/{id}', `/service-accounts/${ids.serviceAccountId}`)
    .replace('/access-tokens/{id}', `/access-tokens/${ids.tokenId}`)
    .replace('/trust-policies/{id}', `/trust-policies/${SAMPLE_TRUST_POLICY_ID}`)
    .replace('/console/{asset}', '/console/app.js')
  const sample = SAMPLES[routeKey(route)]?.({ ...ids, jwt }) ?? {}
  return {
    method: route.method,
    path,
    headers: {
      ...(route.authorization === 'none' ? {} : { authorization: `Bearer ${jwt}` }),
      ...sample.headers,
    },
    ...(sample.body === undefined ? {} : { body: sample.body }),
  }
}

/** With local keys, these answer from memory: no DynamoDB read at all. */
export const NEEDS_NO_STORE: ReadonlySet<string> = new Set([
  'GET /.well-known/jwks.json',
  'GET /.well-known/openid-configuration',
  'GET /.well-known/oauth-authorization-server',
  'GET /openapi.json',
  'GET /console',
  'GET /console/config.json',
  'GET /console/{asset}',
])
