/** The stable error codes of the API contract (docs/design.md#errors). */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_token',
  'insufficient_scope',
  'forbidden',
  'not_found',
  'conflict',
  'precondition_failed',
  'precondition_required',
  'payload_too_large',
  'rate_limited',
  'unavailable',
  'internal',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/**
 * Codes that say the service, not the request, failed: the caller did
 * nothing wrong and may try again. Where a status is needed, the edge
 * (`handlers/http-status.ts`) decides it; core speaks no HTTP.
 */
export const SERVICE_FAULTS: ReadonlySet<ErrorCode> = new Set(['unavailable', 'internal'])

/** Problem extension members (RFC 9457 §3.2): facts a client can act on without parsing `detail`. */
export type ProblemExtensions = Readonly<Record<string, number | string>>

export interface TollgateErrorOptions extends ErrorOptions {
  /** Sent as is beside the standard members (snake_case names), so never token material. */
  readonly extensions?: ProblemExtensions | undefined
}

/**
 * The one error type that may reach a client. `detail` and `extensions` are
 * sent as is, so they must never contain token material; `cause` is logged
 * and never sent.
 *
 * @example
 * throw new TollgateError('invalid_request', 'duration_seconds must not exceed …', {
 *   extensions: { max_duration_seconds: 240 },
 * })
 */
export class TollgateError extends Error {
  readonly code: ErrorCode
  readonly extensions: ProblemExtensions | undefined

  constructor(code: ErrorCode, detail: string, options?: TollgateErrorOptions) {
    super(detail, options)
    this.name = 'TollgateError'
    this.code = code
    this.extensions = options?.extensions
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
