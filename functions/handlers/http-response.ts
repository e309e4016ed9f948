import type { APIGatewayProxyResult } from 'aws-lambda'
import type { TollgateError } from '../core/errors.js'
import { STATUS_BY_CODE, TITLE_BY_CODE } from './http-status.js'

/** One response shape that both REST (1.0) and HTTP API (2.0) integrations accept. */
export type HttpResponse = APIGatewayProxyResult

/** Headers for any response that carries a JWT or a secret (RFC 6749 §5.1). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const

export const jsonResponse = (
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
  isBase64Encoded: false,
})

/**
 * The only error serializer: RFC 9457 problem details with the stable `code`,
 * plus the error's extension members. `detail` and extensions come from
 * TollgateError, which never holds token material.
 */
export const problemResponse = (error: TollgateError, requestId: string): HttpResponse => ({
  statusCode: STATUS_BY_CODE[error.code],
  headers: {
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
    // A dependency outage or contention passes: say when to try again (RFC 9110 §10.2.3).
    ...(error.code === 'unavailable' || error.code === 'rate_limited'
      ? { 'retry-after': '1' }
      : {}),
    ...(error.code === 'invalid_token'
      ? { 'www-authenticate': 'Bearer error="invalid_token"' }
      : error.code === 'insufficient_scope'
        ? { 'www-authenticate': 'Bearer error="insufficient_scope"' }
        : {}),
  },
  body: JSON.stringify({
    // Extensions first, so a standard member can never be overwritten by one.
    ...error.extensions,
    type: `urn:tollgate:problem:${error.code}`,
    title: TITLE_BY_CODE[error.code],
    status: STATUS_BY_CODE[error.code],
    detail: error.message,
    code: error.code,
    request_id: requestId,
  }),
  isBase64Encoded: false,
})
