import { type ErrorCode, TollgateError } from '../core/errors.js'
import { OAuthError, type OAuthErrorCode } from '../core/oauth.js'
import type { ErrorRenderer } from './http-middleware.js'
import { type HttpResponse, jsonResponse, NO_STORE } from './http-response.js'
import { STATUS_BY_CODE } from './http-status.js'

/** `/oauth2/*` refusals of Tollgate's own codes, in OAuth's words (docs/oauth.md#errors). */
const OAUTH_CODE_OF: Readonly<Record<ErrorCode, OAuthErrorCode>> = {
  invalid_request: 'invalid_request',
  invalid_token: 'invalid_token',
  insufficient_scope: 'insufficient_scope',
  forbidden: 'unauthorized_client',
  not_found: 'invalid_request',
  conflict: 'invalid_request',
  precondition_failed: 'invalid_request',
  precondition_required: 'invalid_request',
  payload_too_large: 'invalid_request',
  rate_limited: 'temporarily_unavailable',
  unavailable: 'temporarily_unavailable',
  internal: 'server_error',
}

/** RFC 6749 §5.2 answers 400 but for a bad client; RFC 6750 §3.1 sets the bearer ones. */
const OAUTH_STATUS: Readonly<Partial<Record<OAuthErrorCode, number>>> = {
  invalid_client: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  temporarily_unavailable: 503,
  server_error: 500,
}

const REALM = 'realm="tollgate"'

/**
 * The error boundary of `/oauth2/*`: RFC 6749 §5.2 `{"error",
 * "error_description"}` with `no-store`, which OAuth client libraries
 * parse, never problem+json. A bad Basic client gets `WWW-Authenticate:
 * Basic`, a bad bearer RFC 6750's `Bearer` challenge; an outage is 503 with
 * `Retry-After`, and any other fault a fixed `server_error`.
 *
 * @example
 * createHttpHandler(handle, renderOAuthError)
 */
export const renderOAuthError: ErrorRenderer = (thrown) => {
  if (thrown instanceof OAuthError) {
    return {
      code: thrown.code,
      fault: false,
      cause: thrown,
      response: oauthErrorResponse(thrown.code, thrown.message, {
        status: OAUTH_STATUS[thrown.code] ?? 400,
        basic: thrown.basic,
      }),
    }
  }
  const error =
    thrown instanceof TollgateError
      ? thrown
      : new TollgateError('internal', 'The request could not be completed.', { cause: thrown })
  const code = OAUTH_CODE_OF[error.code]
  const fault = code === 'server_error' || code === 'temporarily_unavailable'
  return {
    code,
    fault,
    cause: error.cause ?? error,
    response: oauthErrorResponse(code, error.message, {
      // Tollgate's own statuses stay (413, 429, 503…): only the body speaks OAuth.
      status: STATUS_BY_CODE[error.code],
      basic: false,
      retryAfter: error.code === 'unavailable' || error.code === 'rate_limited',
    }),
  }
}

const oauthErrorResponse = (
  code: OAuthErrorCode,
  description: string,
  options: { readonly status: number; readonly basic: boolean; readonly retryAfter?: boolean },
): HttpResponse => {
  const headers: Record<string, string> = { ...NO_STORE }
  if (options.retryAfter === true || code === 'temporarily_unavailable')
    headers['retry-after'] = '1'
  if (code === 'invalid_client' && options.basic) headers['www-authenticate'] = `Basic ${REALM}`
  if (code === 'invalid_token' || code === 'insufficient_scope') {
    headers['www-authenticate'] = `Bearer ${REALM}, error="${code}"`
  }
  return jsonResponse(options.status, { error: code, error_description: description }, headers)
}
