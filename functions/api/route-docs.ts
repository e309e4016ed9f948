import { isRouteKey, type Route, type RouteKey } from '../core/routes.js'

/**
 * What a reader is told about each route, in one place: the OpenAPI document
 * (`GET /openapi.json`) and the route reference of docs/api.md are both
 * rendered from here, so they cannot drift apart. One line of Markdown each:
 * the summary stays in the route table; this says what the route does and
 * what the caller must know.
 */

/** The resources the reference groups routes by: one OpenAPI tag each, in reading order. */
export const API_TAGS = [
  {
    name: 'Exchange',
    description: 'Trade an access token for a short-lived JWT.',
  },
  {
    name: 'OAuth 2.0',
    description:
      'The standard endpoints OAuth 2.0 client libraries speak: form-encoded bodies, RFC 6749 errors (`{"error", "error_description"}`, not problem+json).',
  },
  {
    name: 'Discovery',
    description:
      'Public keys, issuer metadata and the OpenAPI document: what JWT verifiers and clients read.',
  },
  {
    name: 'Caller',
    description: 'Who the caller is, as Tollgate and as the Lambda authorizer see them.',
  },
  {
    name: 'Service accounts',
    description:
      'Principals for workloads: each holds a ceiling of roles and scopes that its tokens stay within.',
  },
  {
    name: 'Access tokens',
    description:
      'Long-lived credentials of a service account or a person: the secret is shown once, and only a keyed hash is stored.',
  },
  {
    name: 'Trust policies',
    description:
      'Workload identity federation: which JWTs of an outside issuer (CI jobs, Kubernetes pods) may act as a service account, with no long-lived secret.',
  },
  {
    name: 'Console',
    description:
      'The page people manage their tokens and accounts with, served by Tollgate itself (docs/console.md).',
  },
] as const

export type ApiTag = (typeof API_TAGS)[number]['name']

export interface RouteDoc {
  readonly tag: ApiTag
  /** One line of Markdown: what the route does, and what its caller must know. */
  readonly description: string
  /** Who may call it, where the route table's `authorization` cannot say (OAuth's own client authentication). */
  readonly needs?: string
}

const OAUTH_CLIENT =
  'An OAuth client: `client_id` the access token’s id and `client_secret` the access token, by HTTP Basic (`client_secret_basic`) or in the body (`client_secret_post`), never both.'

/** Every route of the table, by key: a route cannot ship without its description (typecheck). */
export const ROUTE_DOCS: Readonly<Record<RouteKey, RouteDoc>> = {
  'POST /access-tokens/jwt': {
    tag: 'Exchange',
    description:
      'Trades an access token (`tgs_…` or `tgp_…`) for a JWT signed by Tollgate. `duration_seconds` (default 300) must lie between 60 and `MAX_JWT_DURATION_SECONDS` and within the token’s remaining life: it is never clamped. `scope` (space-separated) may name only scopes the token holds within its owner’s ceiling; omitted, the JWT gets all of them, and asking for fewer drops `tollgate:admin`. The answer is never cached.',
  },
  'POST /oauth2/token': {
    tag: 'OAuth 2.0',
    description:
      'RFC 6749 token endpoint. `grant_type=client_credentials` mints a JWT for an authenticated service token (a personal token gets `unauthorized_client`); `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693) takes `subject_token` with `subject_token_type=urn:ietf:params:oauth:token-type:access_token`. Both run the exchange of `/access-tokens/jwt`: `scope` beyond the token is `invalid_scope`, `duration_seconds` is its extension parameter; `actor_token` is refused, `audience` other than Tollgate’s and `resource` are `invalid_target`. Never cached.',
    needs: `${OAUTH_CLIENT} Required for client_credentials; optional for the token exchange, where it must be the subject token itself.`,
  },
  'POST /oauth2/introspect': {
    tag: 'OAuth 2.0',
    description:
      'RFC 7662 introspection of a Tollgate access token or JWT, from strongly consistent reads (status, expiry, owner, generations, a `jti` revocation). Inactive, unknown or malformed: exactly `{"active": false}`. Active: `scope`, `client_id`, `sub`, `iss`, `iat`, `exp`, and for a JWT `nbf`, `aud`, `jti`, `token_type: Bearer`; Tollgate’s kind is `kind` (`access_token` or `jwt`). Never a secret or a hash.',
    needs:
      'A bearer JWT with the scope `tokens:introspect`; errors in RFC 6750 form, with `WWW-Authenticate: Bearer`.',
  },
  'POST /oauth2/revoke': {
    tag: 'OAuth 2.0',
    description:
      'RFC 7009 revocation: `token` is the client’s own access token (revoked as by `DELETE /access-tokens/{id}`) or a JWT minted from it (denied by `jti` until it expires). 200 for revoked, unknown, malformed or someone else’s token (which is left alone); 400 without `token`; 503 when the write did not commit, and the token must then be taken as still valid.',
    needs: OAUTH_CLIENT,
  },
  'GET /.well-known/jwks.json': {
    tag: 'Discovery',
    description:
      'The public keys of every key that may have signed a JWT still valid, and the next signing key at least two hours before it signs. Cacheable for `KEYS_CACHE_TTL_SECONDS`.',
  },
  'GET /.well-known/openid-configuration': {
    tag: 'Discovery',
    description:
      'Issuer metadata for verifiers (`issuer`, `jwks_uri`, the RFC 8414 members below), so standard verifiers such as jose, aws-jwt-verify and API Gateway’s JWT authorizer can use Tollgate as an issuer. Tollgate is no OpenID provider: it issues no ID tokens and has no authorization endpoint, and the required members say so with empty lists.',
  },
  'GET /.well-known/oauth-authorization-server': {
    tag: 'Discovery',
    description:
      'RFC 8414 metadata: the token, introspection and revocation endpoints, the grant types (`client_credentials`, RFC 8693 token exchange) and client authentication methods (`client_secret_basic`, `client_secret_post`) Tollgate implements, and nothing it does not.',
  },
  'GET /openapi.json': {
    tag: 'Discovery',
    description:
      'The OpenAPI 3.1 document of this API, generated from the route table and the schemas the handlers validate with, so it describes exactly what the code does.',
  },
  'GET /whoami': {
    tag: 'Caller',
    description:
      'The caller as Tollgate sees them: subject, kind, roles and scopes. The caller’s records are read on every request, so a revoked token’s JWT is refused at once.',
  },
  'GET /whoami/authorizer': {
    tag: 'Caller',
    description:
      'The context the Lambda authorizer passed on for this request: a live example of the authorizer in front of a route. Refusals are API Gateway’s own (401, 403, 500 with a fixed `message`), not problem+json.',
  },
  'POST /service-accounts': {
    tag: 'Service accounts',
    description:
      'Creates a service account with the roles and scopes its tokens may hold (its ceiling). Names are unique among accounts. The answer carries its version as `ETag`.',
  },
  'GET /service-accounts': {
    tag: 'Service accounts',
    description:
      'Lists service accounts, newest first, a page at a time: follow `next_cursor` until it is null.',
  },
  'GET /service-accounts/{id}': {
    tag: 'Service accounts',
    description: 'Reads a service account, with its version as `ETag`.',
  },
  'PATCH /service-accounts/{id}': {
    tag: 'Service accounts',
    description:
      'Renames, redescribes, widens or narrows a service account; needs `If-Match`. Widening needs `tollgate:admin` and never widens existing tokens; any other change needs `tollgate:admin` or a JWT holding all the account holds. Narrowing applies at once: JWTs minted before are refused and every token is capped at the new ceiling.',
  },
  'DELETE /service-accounts/{id}': {
    tag: 'Service accounts',
    description:
      'Deletes a service account: every token it holds stops working at once. Needs `tollgate:admin` or a JWT holding all the account holds. The records stay for audit; the name is free again.',
  },
  'GET /service-accounts/{id}/events': {
    tag: 'Service accounts',
    description:
      'The account’s audit trail, newest first: who changed what, when, and with which token.',
  },
  'POST /access-tokens': {
    tag: 'Access tokens',
    description:
      'Creates an access token: with `service_account_id` a token of that account (needs `tollgate:admin`), without it a personal token of the calling person. Scopes and roles default to the owner’s and never exceed them; `expires_in_seconds` defaults to `DEFAULT_TOKEN_TTL_SECONDS`. The secret, `token`, is in this answer only.',
  },
  'GET /access-tokens': {
    tag: 'Access tokens',
    description:
      'Lists access tokens, newest first, filtered by `owner`, `name` and `status`; never a secret or a hash. A page may hold fewer than `limit` items while `next_cursor` is not null: follow it until it is.',
  },
  'POST /access-tokens/revoke': {
    tag: 'Access tokens',
    description:
      'Revokes every token of an owner, a service account (`sa_…`) or a person (`user:<issuer>:<sub>`), in one small transaction; their JWTs are refused at once.',
  },
  'GET /access-tokens/{id}': {
    tag: 'Access tokens',
    description: 'Reads an access token (never its secret), with its version as `ETag`.',
  },
  'PATCH /access-tokens/{id}': {
    tag: 'Access tokens',
    description:
      'Changes `name` and `description`, or narrows `scopes` and `roles` (widening takes a new token); needs `If-Match`. Narrowing refuses the JWTs minted before.',
  },
  'DELETE /access-tokens/{id}': {
    tag: 'Access tokens',
    description:
      'Revokes an access token: the exchange and its JWTs are refused at once. The record stays, revoked, for audit.',
  },
  'POST /access-tokens/{id}/regenerate': {
    tag: 'Access tokens',
    description:
      'Gives an access token a new secret with the same id and expiry; the old secret and its JWTs are refused at once. A service account’s token needs `tollgate:admin`; a personal token only its own person, signed in. The new secret is in this answer only.',
  },
  'GET /access-tokens/{id}/events': {
    tag: 'Access tokens',
    description:
      'The token’s audit trail, newest first: who changed what, when, and with which token.',
  },
  'POST /trust-policies': {
    tag: 'Trust policies',
    description:
      'Creates a trust policy: outside JWTs of `issuer` (one of `FEDERATION_ISSUERS`) with exactly `audience`, a `subject` or a `subject_pattern` (anchored RE2 keeping its tenant prefix, e.g. `repo:acme/.*`) and every `claims` pattern may be exchanged for a JWT of `service_account_id`, with at most `scopes` (within the account’s, never `tollgate:admin`) for at most `max_duration_seconds`. The answer carries its version as `ETag`.',
  },
  'GET /trust-policies': {
    tag: 'Trust policies',
    description: 'Lists trust policies, a page at a time: follow `next_cursor` until it is null.',
  },
  'POST /trust-policies/simulate': {
    tag: 'Trust policies',
    description:
      'Answers, without minting, which policy an outside JWT (`token`, verified first) or a bare claim set (`claims`, with `iss`) would be exchanged under (`policy` names one), and for every policy of its issuer the first condition that fails and the claim value it saw. The token is never echoed.',
  },
  'GET /trust-policies/{id}': {
    tag: 'Trust policies',
    description: 'Reads a trust policy, with its version as `ETag`.',
  },
  'PATCH /trust-policies/{id}': {
    tag: 'Trust policies',
    description:
      'Changes a trust policy; needs `If-Match`. Any change but `name` and `description` bumps its `generation`, and every JWT it minted before is refused at once.',
  },
  'DELETE /trust-policies/{id}': {
    tag: 'Trust policies',
    description:
      'Deletes a trust policy: every JWT it minted is refused at once. Its audit trail stays.',
  },
  'GET /trust-policies/{id}/events': {
    tag: 'Trust policies',
    description:
      'The policy’s audit trail, newest first, also after it was deleted: who changed what, when, and with which token.',
  },
  'GET /console': {
    tag: 'Console',
    description:
      'The console, an HTML page: sign in, then list, create, narrow, regenerate and revoke tokens and manage service accounts. Strict Content-Security-Policy; it calls this API from the same origin.',
  },
  'GET /console/config.json': {
    tag: 'Console',
    description:
      'How people may sign in to the console: the identity providers with a public `client_id`, and whether the development issuer is there (local mode).',
  },
  'GET /console/{asset}': {
    tag: 'Console',
    description: 'The console’s script (`app.js`) and styles (`app.css`).',
  },
}

/** The description of a route key, if it names a route of the table. */
export const docOf = (key: string): RouteDoc | undefined =>
  isRouteKey(key) ? ROUTE_DOCS[key] : undefined

/** Query parameters of the list routes, by name. */
export const QUERY_PARAMETER_DOCS: Readonly<Record<string, string>> = {
  limit: 'Items per page, 1 to 100 (default 20).',
  cursor: 'The previous page’s `next_cursor`; it is bound to the caller and the filters.',
  owner: 'Only tokens of this owner: a service account `sa_…` or a person `user:<issuer>:<sub>`.',
  name: 'Only the token with exactly this name.',
  status: 'Only tokens in this state, derived when read: `active`, `revoked` or `expired`.',
}

/** The `{id}` of a route, by the resource it names. */
export const PATH_ID_DOCS: Readonly<Partial<Record<ApiTag, string>>> = {
  'Service accounts': 'The service account’s id (`sa_…`).',
  'Access tokens': 'The access token’s id, the public part of the token (22 base62 characters).',
  'Trust policies': 'The trust policy’s id (`tp_…`).',
  Console: 'The file’s name: `app.js` or `app.css`.',
}

/** Who may call a route, in words, from the route table. */
export const routeNeeds = (route: Route): string => {
  if (route.authorization === 'none') return 'Public: no credential.'
  if (route.authorization === 'authorizer') {
    return 'Any valid JWT (or Basic, where enabled), checked by the Lambda authorizer.'
  }
  if (route.scopes === undefined) return 'Any valid JWT: from the exchange, or a person’s.'
  const scopes = route.scopes.map((scope) => `\`${scope}\``).join(' and ')
  const self = route.selfService === true ? ', or a person managing their own personal tokens' : ''
  return `The JWT scope${route.scopes.length > 1 ? 's' : ''} ${scopes}${self}. Rights are scopes: no role stands in for one.`
}
