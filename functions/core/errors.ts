/** The stable error codes of the API contract (DESIGN.md, "Errors"). */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'precondition_required'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'internal'

export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  precondition_required: 428,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
}

export const TITLE_BY_CODE: Readonly<Record<ErrorCode, string>> = {
  invalid_request: 'Invalid request',
  invalid_token: 'Invalid token',
  insufficient_scope: 'Insufficient scope',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Conflict',
  precondition_failed: 'Precondition failed',
  precondition_required: 'Precondition required',
  payload_too_large: 'Payload too large',
  rate_limited: 'Too many requests',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
}

/**
 * The one error type that may reach a client. `detail` is sent as is, so it
 * must never contain token material; `cause` is logged and never sent.
 *
 * @example
 * throw new TollgateError('invalid_token', 'The access token is not valid.')
 */
export class TollgateError extends Error {
  readonly code: ErrorCode
  readonly status: number

  constructor(code: ErrorCode, detail: string, options?: ErrorOptions) {
    super(detail, options)
    this.name = 'TollgateError'
    this.code = code
    this.status = STATUS_BY_CODE[code]
  }
}

/** Anything that is not a TollgateError is a programming or infrastructure fault. */
export const toTollgateError = (error: unknown): TollgateError =>
  error instanceof TollgateError
    ? error
    : new TollgateError('internal', 'The request could not be completed.', { cause: error })

/**
 * A transaction did not commit because of other writers, not because of the
 * request: a condition of intent `index` no longer held (`condition`), or
 * DynamoDB cancelled it for a concurrent transaction (`contention`). Use
 * cases re-read and decide again; it never reaches a client as is.
 */
export class WriteConflict extends Error {
  readonly index: number
  readonly reason: 'condition' | 'contention'

  constructor(index: number, reason: 'condition' | 'contention', options?: ErrorOptions) {
    super(`write conflict (${reason}) on intent ${index}`, options)
    this.name = 'WriteConflict'
    this.index = index
    this.reason = reason
  }
}
