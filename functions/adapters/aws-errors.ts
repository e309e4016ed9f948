import { TollgateError } from '../core/errors.js'

interface SdkError {
  readonly name?: string
  readonly code?: string
  readonly cause?: unknown
  readonly $fault?: 'client' | 'server'
  readonly $metadata?: { readonly httpStatusCode?: number }
}

/**
 * Errors that say "not now" rather than "fix the configuration": throttling,
 * the services' own faults and timeouts (KeyUnavailable is KMS's "retry").
 * A key's state (DisabledException, KMSInvalidStateException: pending
 * deletion, pending import, …) is an operator's doing and is not here: the
 * signer answers `internal`, and a key set skips that key rather than
 * failing every verification while it stays that way.
 */
const OUTAGE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'InternalServiceError',
  'InternalServiceErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
])

/** Socket-level failures: the dependency (or the way to it) is down. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
])

/**
 * Whether a KMS or Secrets Manager failure is an outage (retrying later can
 * work) rather than our own misconfiguration. Looks through wrappers such as
 * Powertools' GetParameterError, which keep the SDK error as `cause`.
 *
 * @example
 * if (isAwsOutage(error)) throw error // never skip a key because KMS was slow
 */
export const isAwsOutage = (error: unknown): boolean => {
  for (let current = error, depth = 0; depth < 5; depth++) {
    if (typeof current !== 'object' || current === null) return false
    const sdk = current as SdkError
    const status = sdk.$metadata?.httpStatusCode
    if (
      OUTAGE_NAMES.has(sdk.name ?? '') ||
      NETWORK_CODES.has(sdk.code ?? '') ||
      sdk.$fault === 'server' ||
      (status !== undefined && (status >= 500 || status === 429))
    ) {
      return true
    }
    current = sdk.cause
  }
  return false
}

/**
 * The innermost error name, for logs (never a message: SDK messages can quote ARNs).
 *
 * @example
 * log('KMS key skipped', { error: awsErrorName(error) }) // 'DisabledException'
 */
export const awsErrorName = (error: unknown): string => {
  let name = 'Error'
  for (let current = error, depth = 0; depth < 5; depth++) {
    if (typeof current !== 'object' || current === null) break
    name = (current as SdkError).name ?? name
    current = (current as SdkError).cause
  }
  return name
}

/**
 * Turns a KMS or Secrets Manager failure into the design's code. An outage is
 * `unavailable` (503 with Retry-After); anything else (access denied, a key
 * or secret that does not exist or is disabled, a value we cannot use) is
 * `internal` (500): our configuration is wrong, retrying will not help, and
 * neither is ever a verdict on the caller's credentials, so never a 401. The
 * SDK error stays the `cause` (logged); `detail` is fixed, since SDK messages
 * can quote key and secret ARNs.
 *
 * @example
 * try { await kms.send(command) } catch (error) { throw translateAwsError(error) }
 */
export const translateAwsError = (error: unknown): TollgateError => {
  if (error instanceof TollgateError) return error
  return isAwsOutage(error)
    ? new TollgateError('unavailable', 'A key service is unavailable; try again.', { cause: error })
    : new TollgateError('internal', 'The request could not be completed.', { cause: error })
}
