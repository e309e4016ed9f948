import { looksLikeAccessToken } from '../core/credential-kinds.js'

/** RFC 8693's grant, and the subject token types Tollgate exchanges for a JWT. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const SUBJECT_TOKEN_TYPES = {
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
} as const

/** `tgs_`/`tgp_`, then the token's public id: its 22 characters are the OAuth `client_id`. */
const PREFIX_LENGTH = 4
export const ACCESS_TOKEN_ID_LENGTH = 22

/**
 * The `client_id` of an access token used as an OAuth client: the public id
 * inside it (docs/oauth.md, "The client is an access token"). Read here
 * rather than asked for, so the two can never disagree.
 *
 * @example
 * clientIdOf(process.env.TOLLGATE_ACCESS_TOKEN) // 'kJ3…' (22 characters)
 */
export const clientIdOf = (accessToken: string): string => {
  if (!looksLikeAccessToken(accessToken)) {
    throw new TypeError('clientCredentials must be an access token (tgs_…)')
  }
  const id = accessToken.slice(PREFIX_LENGTH, PREFIX_LENGTH + ACCESS_TOKEN_ID_LENGTH)
  if (id.length !== ACCESS_TOKEN_ID_LENGTH) {
    throw new TypeError('clientCredentials is too short to be an access token')
  }
  return id
}
