import { TollgateError, toTollgateError } from '../core/errors.js'

interface SdkError {
  readonly name?: string
  readonly CancellationReasons?: ReadonlyArray<{ readonly Code?: string }>
  readonly $fault?: 'client' | 'server'
  readonly $metadata?: { readonly httpStatusCode?: number }
}

const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
])

/** Why a transaction can be cancelled without anything being wrong with the request. */
const TRANSIENT_CANCELLATIONS = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
])

/**
 * Turns a DynamoDB failure into the design's code: an outage, throttling or a
 * network fault is `unavailable` (503, never a 401); anything else is our bug.
 */
export const translateDynamoDbError = (error: unknown): TollgateError => {
  if (error instanceof TollgateError) return error
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError
  const status = sdk.$metadata?.httpStatusCode
  const isOutage =
    RETRYABLE.has(sdk.name ?? '') ||
    (sdk.CancellationReasons ?? []).some((reason) =>
      TRANSIENT_CANCELLATIONS.has(reason.Code ?? ''),
    ) ||
    sdk.$fault === 'server' ||
    status === undefined ||
    status >= 500
  return isOutage
    ? new TollgateError('unavailable', 'The token store is unavailable; try again.', {
        cause: error,
      })
    : toTollgateError(error)
}
