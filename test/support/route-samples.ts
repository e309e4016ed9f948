import { randomUUID } from 'node:crypto'
import { type Route, routeKey } from '../../functions/core/routes.js'

/** Ids a sample request may name: things that exist, so the request is valid. */
export interface SampleIds {
  readonly accessToken: string
  readonly serviceAccountId: string
  readonly tokenId: string
  /** The ETag of the resource a PATCH names (any value while the store is down). */
  readonly ifMatch?: string
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
  const sample = SAMPLES[routeKey(route)]?.(ids) ?? {}
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
  'GET /openapi.json',
])
