import type { ErrorCode } from '../core/errors.js'

/**
 * Where the design's stable error codes become HTTP (docs/design.md#errors): core
 * throws codes, and only the edge (handlers, the dev server) knows statuses.
 */
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

/** The problem `title` of each code. */
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
