/**
 * OAuth 2.0 as `/oauth2/*` speaks it (docs/oauth.md): the protocol's own error
 * codes and client authentication (RFC 6749 §2.3.1). No HTTP here: statuses
 * and headers are the edge's (`handlers/oauth-response.ts`).
 */

/** RFC 6749 §5.2, RFC 8693 §2.2.2 (`invalid_target`), RFC 6750 §3.1 and RFC 7009 §2.2.1. */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'invalid_token',
  'insufficient_scope',
  'temporarily_unavailable',
  'server_error',
] as const

export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number]

/**
 * A refusal in OAuth's own terms, for the codes Tollgate's `ErrorCode` has no
 * word for. `description` is sent as `error_description`, so it never holds
 * token material; `cause` is logged only.
 *
 * @example
 * throw new OAuthError('unsupported_grant_type', 'grant_type must be client_credentials or …')
 */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode
  /** Whether the client authenticated (or tried to) with HTTP Basic: the 401 then says Basic. */
  readonly basic: boolean

  constructor(
    code: OAuthErrorCode,
    description: string,
    options?: ErrorOptions & { readonly basic?: boolean },
  ) {
    super(description, options)
    this.name = 'OAuthError'
    this.code = code
    this.basic = options?.basic ?? false
  }
}

export const GRANT_TYPE = {
  clientCredentials: 'client_credentials',
  tokenExchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
} as const

/** RFC 8693 §3 token type identifiers Tollgate takes or issues. */
export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
} as const

/** How the client identified itself: a Tollgate access token's id and the token as its secret. */
export type ClientAuthentication =
  | { readonly method: 'none'; readonly clientId: string | undefined }
  | {
      readonly method: 'client_secret_basic' | 'client_secret_post'
      readonly clientId: string
      readonly clientSecret: string
    }

const invalidClient = (description: string, basic: boolean) =>
  new OAuthError('invalid_client', description, { basic })

/**
 * The client's credentials from `Authorization: Basic` or from the form body,
 * never both (RFC 6749 §2.3). Basic's id and secret are each
 * form-urlencoded before base64 (§2.3.1), so they are decoded here. Nothing
 * is checked against the store: `client_id` and secret are only read.
 *
 * @example
 * clientAuthenticationOf(headers.authorization, { client_id, client_secret })
 */
export const clientAuthenticationOf = (
  authorization: string | undefined,
  form: { readonly client_id?: string | undefined; readonly client_secret?: string | undefined },
): ClientAuthentication => {
  if (authorization === undefined || authorization.trim() === '') {
    if (form.client_secret === undefined) return { method: 'none', clientId: form.client_id }
    if (form.client_id === undefined) {
      throw invalidClient('client_secret_post needs client_id beside client_secret.', false)
    }
    return {
      method: 'client_secret_post',
      clientId: form.client_id,
      clientSecret: form.client_secret,
    }
  }
  if (form.client_secret !== undefined) {
    throw new OAuthError(
      'invalid_request',
      'Use one client authentication method: HTTP Basic or client_secret in the body, not both.',
    )
  }
  const { clientId, clientSecret } = basicCredentials(authorization)
  if (form.client_id !== undefined && form.client_id !== clientId) {
    throw new OAuthError(
      'invalid_request',
      'client_id in the body differs from the one in the Authorization header.',
    )
  }
  return { method: 'client_secret_basic', clientId, clientSecret }
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

const basicCredentials = (authorization: string) => {
  const space = authorization.indexOf(' ')
  const scheme = space === -1 ? authorization : authorization.slice(0, space)
  if (scheme.toLowerCase() !== 'basic') {
    throw invalidClient(
      'Client authentication uses the Basic scheme (or client_secret_post).',
      true,
    )
  }
  const encoded = authorization.slice(space + 1).trim()
  const decoded = BASE64.test(encoded) ? Buffer.from(encoded, 'base64').toString('utf8') : ''
  const colon = decoded.indexOf(':')
  if (colon === -1) {
    throw invalidClient('The Basic credentials are not base64 of client_id:client_secret.', true)
  }
  return {
    clientId: formDecode(decoded.slice(0, colon)),
    clientSecret: formDecode(decoded.slice(colon + 1)),
  }
}

/** application/x-www-form-urlencoded decoding of one value: `+` is a space, then percent-decoding. */
const formDecode = (value: string): string => {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '))
  } catch (error) {
    throw new OAuthError(
      'invalid_client',
      'The Basic credentials are not form-urlencoded (RFC 6749 §2.3.1).',
      { basic: true, cause: error },
    )
  }
}
