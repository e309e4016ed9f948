import * as api from '../api/schemas.js'
import { holdsScope } from '../core/caller.js'
import { TollgateError } from '../core/errors.js'
import { clientAuthenticationOf } from '../core/oauth.js'
import { INTROSPECT_SCOPE, type ModuleRouteKey } from '../core/routes.js'
import { authenticateCaller } from '../core/use-cases/authenticate-caller.js'
import { authenticateClient } from '../core/use-cases/authenticate-client.js'
import { grantToken } from '../core/use-cases/grant-token.js'
import { introspectToken } from '../core/use-cases/introspect-token.js'
import { revokeIssuedToken } from '../core/use-cases/revoke-issued-token.js'
import type { OAuthDependencies } from '../wiring/oauth.js'
import { logger } from '../wiring/observability.js'
import { parseFormBody } from './form-body.js'
import type { HttpRequest } from './http-event.js'
import { createHttpHandler } from './http-middleware.js'
import { type HttpResponse, jsonResponse, NO_STORE } from './http-response.js'
import { logJwtIssued } from './issuance-log.js'
import { renderOAuthError } from './oauth-response.js'

export type { FederatedExchange } from '../core/use-cases/grant-token.js'

type Dependencies = () => Promise<OAuthDependencies>
type OAuthRoute = (request: HttpRequest, dependencies: Dependencies) => Promise<HttpResponse>

const formOf = <T>(request: HttpRequest, schema: Parameters<typeof parseFormBody<T>>[2]): T =>
  parseFormBody(request.body, request.headers['content-type'], schema)

/** `POST /oauth2/token`: client_credentials and the RFC 8693 exchange, through `exchangeToken`. */
const token: OAuthRoute = async (request, dependencies) => {
  const form = formOf(request, api.oauthTokenRequest)
  const client = clientAuthenticationOf(request.headers.authorization, form)
  const { result, issuedTokenType } = await grantToken(await dependencies(), {
    grantType: form.grant_type,
    client,
    scope: form.scope,
    durationSeconds:
      form.duration_seconds === undefined ? undefined : Number(form.duration_seconds),
    subjectToken: form.subject_token,
    subjectTokenType: form.subject_token_type,
    requestedTokenType: form.requested_token_type,
    actorToken: form.actor_token,
    actorTokenType: form.actor_token_type,
    audience: form.audience,
    resource: form.resource,
    policy: form.policy,
  })
  logJwtIssued(result.claims, request.sourceIp)
  return jsonResponse(
    200,
    {
      access_token: result.jwt,
      token_type: 'Bearer',
      expires_in: result.expiresIn,
      scope: result.scope,
      ...(issuedTokenType === undefined ? {} : { issued_token_type: issuedTokenType }),
    },
    NO_STORE,
  )
}

/** `POST /oauth2/introspect`: a bearer with `tokens:introspect` asks about any token. */
const introspect: OAuthRoute = async (request, dependencies) => {
  const deps = await dependencies()
  const caller = await authenticateCaller(deps, request.headers.authorization)
  if (!holdsScope(caller, INTROSPECT_SCOPE)) {
    throw new TollgateError(
      'insufficient_scope',
      `Introspection needs the scope ${INTROSPECT_SCOPE}.`,
    )
  }
  const form = formOf(request, api.oauthIntrospectionRequest)
  // token_type_hint only speeds a search up (RFC 7662 §2.1): the token's shape says its kind.
  return jsonResponse(200, await introspectToken(deps, form.token), NO_STORE)
}

/** `POST /oauth2/revoke`: a client gives up its own access token or one of its JWTs. */
const revoke: OAuthRoute = async (request, dependencies) => {
  const form = formOf(request, api.oauthRevocationRequest)
  const deps = await dependencies()
  const client = await authenticateClient(
    deps,
    clientAuthenticationOf(request.headers.authorization, form),
  )
  // token_type_hint is advisory (RFC 7009 §2.1) and the token's shape says its kind.
  const outcome = await revokeIssuedToken(deps, client, request.requestId, form.token)
  logger.info('oauth revocation', { atid: client.token.record.id, outcome })
  return { statusCode: 200, headers: { ...NO_STORE }, body: '', isBase64Encoded: false }
}

const ROUTES: { readonly [K in ModuleRouteKey<'oauth2'>]: OAuthRoute } = {
  'POST /oauth2/token': token,
  'POST /oauth2/introspect': introspect,
  'POST /oauth2/revoke': revoke,
}
const BY_KEY = new Map<string, OAuthRoute>(Object.entries(ROUTES))

/**
 * `/oauth2/*`, one Lambda: the OAuth 2.0 endpoints (docs/oauth.md). Each
 * authenticates its caller itself (a client, or a bearer for introspection)
 * and every refusal is RFC 6749 JSON (`renderOAuthError`).
 */
export const createOAuth2Handler = (dependencies: Dependencies) =>
  createHttpHandler(async (request) => {
    const route = BY_KEY.get(request.routeKey)
    if (route === undefined)
      throw new TollgateError('not_found', 'No route matches this method and path.')
    return route(request, dependencies)
  }, renderOAuthError)
