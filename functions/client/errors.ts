import { ERROR_CODES, type ErrorCode } from '../core/errors.js'

/** The design's stable problem+json codes (docs/design.md#errors). */
export type ApiErrorCode = ErrorCode

const API_ERROR_CODES: readonly ApiErrorCode[] = ERROR_CODES

/** What the client itself adds: the server was not reached, or answered off contract. */
export type ClientErrorCode = 'network_error' | 'invalid_response'

/**
 * Every error the client throws for a failed call; `code` tells them apart.
 * Messages hold the server's `detail` or a fixed text, never a token, a JWT,
 * a request body or an `Authorization` header. Wrong usage (a bad option)
 * is a plain `TypeError` instead.
 */
export abstract class TollgateClientError extends Error {
  abstract readonly code: ApiErrorCode | ClientErrorCode
}

/**
 * The API refused the call with an RFC 9457 problem: `code` is the design's
 * stable code (an unknown or missing one is derived from the status).
 *
 * @example
 * try {
 *   await client.accessTokens.get(id)
 * } catch (error) {
 *   if (error instanceof TollgateApiError && error.code === 'not_found') return undefined
 *   throw error
 * }
 */
export class TollgateApiError extends TollgateClientError {
  readonly code: ApiErrorCode
  readonly status: number
  readonly detail: string
  readonly requestId: string | undefined
  /** The route key of the call, e.g. `GET /access-tokens/{id}`. */
  readonly route: string
  /**
   * An exchange refused for a duration beyond the access token's remaining
   * life: the longest `duration_seconds` it may ask for now (below 60, none).
   */
  readonly maxDurationSeconds: number | undefined

  constructor(fields: {
    code: ApiErrorCode
    status: number
    detail: string
    requestId: string | undefined
    route: string
    maxDurationSeconds?: number | undefined
  }) {
    super(fields.detail)
    this.name = 'TollgateApiError'
    this.code = fields.code
    this.status = fields.status
    this.detail = fields.detail
    this.requestId = fields.requestId
    this.route = fields.route
    this.maxDurationSeconds = fields.maxDurationSeconds
  }
}

/**
 * An `/oauth2/*` route refused in RFC 6749 §5.2 form: `error` is the RFC's
 * code (`invalid_client`, `invalid_scope`, `invalid_request`…) and
 * `errorDescription` the server's sentence; `code` and `status` are as for
 * any refusal, so code that handles `TollgateApiError` handles this too.
 *
 * @example
 * try {
 *   await client.federate({ subjectToken })
 * } catch (error) {
 *   if (error instanceof TollgateOAuthError) console.error(error.error, error.errorDescription)
 *   throw error
 * }
 */
export class TollgateOAuthError extends TollgateApiError {
  readonly error: string
  readonly errorDescription: string

  constructor(fields: {
    error: string
    errorDescription: string
    status: number
    requestId: string | undefined
    route: string
  }) {
    super({
      code: apiErrorCode(undefined, fields.status),
      status: fields.status,
      detail: `${fields.error}: ${fields.errorDescription}`,
      requestId: fields.requestId,
      route: fields.route,
    })
    this.name = 'TollgateOAuthError'
    this.error = fields.error
    this.errorDescription = fields.errorDescription
  }
}

/** The server could not be reached, or did not answer in time (after any retries). */
export class TollgateNetworkError extends TollgateClientError {
  readonly code = 'network_error' as const
  readonly route: string

  constructor(route: string, detail: string, options?: ErrorOptions) {
    super(detail, options)
    this.name = 'TollgateNetworkError'
    this.route = route
  }
}

/**
 * The server answered, but not as the API contract says (not JSON, or a body
 * the route's schema refuses): the client and server have drifted apart.
 */
export class TollgateResponseError extends TollgateClientError {
  readonly code = 'invalid_response' as const
  readonly status: number
  readonly route: string

  constructor(route: string, status: number, detail: string, options?: ErrorOptions) {
    super(detail, options)
    this.name = 'TollgateResponseError'
    this.status = status
    this.route = route
  }
}

/** Status → code, for answers without a usable problem body (a proxy's 502, say). */
const CODE_BY_STATUS: Readonly<Record<number, ApiErrorCode>> = {
  400: 'invalid_request',
  401: 'invalid_token',
  403: 'forbidden',
  404: 'not_found',
  405: 'not_found',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  428: 'precondition_required',
  429: 'rate_limited',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
}

/** The design code of a problem's `code`, or the one its status implies. */
export const apiErrorCode = (code: unknown, status: number): ApiErrorCode => {
  if (typeof code === 'string' && (API_ERROR_CODES as readonly string[]).includes(code)) {
    return code as ApiErrorCode
  }
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'invalid_request')
}
