import type { Config } from '../core/config.js'
import { createHttpHandler } from './http-middleware.js'
import { jsonResponse } from './http-response.js'

const GRANT_TYPES = ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange']
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post']
const CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'client_id',
  'scope',
  'roles',
  'token_type',
  'is_bot',
  'atid',
  'tpid',
  'act',
]

/**
 * RFC 8414 metadata: exactly what Tollgate implements. No authorization
 * endpoint, so no response types (an empty list, honestly); clients
 * authenticate with a secret (an access token), never `none`; introspection
 * takes a Bearer JWT (a type of the OAuth Access Token Types registry, which
 * RFC 8414 §2 allows there).
 */
const authorizationServerMetadata = (config: Pick<Config, 'issuer' | 'jwtAlg'>) => ({
  issuer: config.issuer,
  jwks_uri: `${config.issuer}/.well-known/jwks.json`,
  token_endpoint: `${config.issuer}/oauth2/token`,
  token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
  grant_types_supported: GRANT_TYPES,
  response_types_supported: [],
  introspection_endpoint: `${config.issuer}/oauth2/introspect`,
  introspection_endpoint_auth_methods_supported: ['Bearer'],
  revocation_endpoint: `${config.issuer}/oauth2/revoke`,
  revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
})

/**
 * The OpenID configuration, for verifiers (API Gateway's JWT authorizer,
 * jose, aws-jwt-verify read `jwks_uri` from it). Tollgate is no OpenID
 * provider: it issues no ID tokens and has no authorization endpoint, so the
 * members OIDC Discovery requires say so with empty lists rather than
 * claiming what it does not do; `authorization_endpoint` is left out.
 */
const openidConfiguration = (config: Pick<Config, 'issuer' | 'jwtAlg'>) => ({
  ...authorizationServerMetadata(config),
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: [],
  claims_supported: CLAIMS,
})

/**
 * `GET /.well-known/oauth-authorization-server` (RFC 8414) and
 * `GET /.well-known/openid-configuration`: built from the config alone; they
 * name the JWKS URL and read no key.
 */
export const createOpenidConfigurationHandler = (
  dependencies: () => Promise<{ readonly config: Config }>,
) =>
  createHttpHandler(async (request) => {
    const { config } = await dependencies()
    const metadata =
      request.routeKey === 'GET /.well-known/oauth-authorization-server'
        ? authorizationServerMetadata(config)
        : openidConfiguration(config)
    return jsonResponse(200, metadata, { 'cache-control': 'public, max-age=300' })
  })
