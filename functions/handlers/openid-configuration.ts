import type { Config } from '../core/config.js'
import { createHttpHandler } from './http-middleware.js'
import { jsonResponse } from './http-response.js'

/**
 * `GET /.well-known/openid-configuration`: enough discovery metadata for
 * standard verifiers (jose, aws-jwt-verify, API Gateway's JWT authorizer).
 * Built from the config alone: it names the JWKS URL and the algorithm, and
 * reads no key.
 */
export const createOpenidConfigurationHandler = (
  dependencies: () => Promise<{ readonly config: Config }>,
) =>
  createHttpHandler(async () => {
    const { config } = await dependencies()
    return jsonResponse(
      200,
      {
        issuer: config.issuer,
        jwks_uri: `${config.issuer}/.well-known/jwks.json`,
        token_endpoint: `${config.issuer}/access-tokens/jwt`,
        id_token_signing_alg_values_supported: [config.jwtAlg],
        token_endpoint_auth_methods_supported: ['none'],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        claims_supported: [
          'iss',
          'sub',
          'aud',
          'exp',
          'nbf',
          'iat',
          'jti',
          'scope',
          'roles',
          'token_type',
          'is_bot',
          'atid',
        ],
      },
      { 'cache-control': 'public, max-age=300' },
    )
  })
