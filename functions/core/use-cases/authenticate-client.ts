import { parseAccessToken } from '../access-token.js'
import { TollgateError } from '../errors.js'
import { type ClientAuthentication, OAuthError } from '../oauth.js'
import {
  type AuthenticationDependencies,
  authenticateAccessToken,
} from './authenticate-access-token.js'
import type { AuthenticatedClient } from './revoke-issued-token.js'

/**
 * Authenticates an OAuth client (RFC 6749 §2.3.1): its secret is a usable
 * Tollgate access token whose id is `client_id`, checked as the exchange
 * checks it (one read, keyed hash, status). Any failure is `invalid_client`,
 * the same for every cause, so probing learns nothing.
 *
 * @example
 * const client = await authenticateClient(deps, clientAuthenticationOf(authorization, form))
 */
export const authenticateClient = async (
  deps: AuthenticationDependencies,
  client: ClientAuthentication,
): Promise<AuthenticatedClient> => {
  const basic = client.method === 'client_secret_basic'
  if (client.method === 'none') {
    throw new OAuthError(
      'invalid_client',
      'Client authentication is required: client_id is the access token id, client_secret the access token.',
    )
  }
  try {
    if (parseAccessToken(client.clientSecret).id !== client.clientId) {
      throw new OAuthError('invalid_client', 'client_id must be the id inside the access token.', {
        basic,
      })
    }
    return {
      token: await authenticateAccessToken(deps, client.clientSecret),
      secret: client.clientSecret,
    }
  } catch (error) {
    if (error instanceof TollgateError && error.code === 'invalid_token') {
      throw new OAuthError('invalid_client', error.message, { basic, cause: error })
    }
    throw error
  }
}
