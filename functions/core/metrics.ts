/**
 * The metrics Tollgate's functions emit (as CloudWatch embedded metric
 * format lines, wiring/observability.ts) and its alarms and dashboard read
 * (infra/constructs/monitoring.ts): one list, so neither side can misspell
 * the other's names.
 */
export const METRIC_NAMESPACE = 'Tollgate'

export const METRICS = {
  /** A JWT minted by the exchange. */
  jwtsIssued: 'JwtsIssued',
  /** A request refused for the caller's doing (4xx), by `Code`. */
  refusals: 'Refusals',
  /** A request that failed for the service's doing (5xx), by `Code`. */
  faults: 'Faults',
  /** A KMS Sign call KMS throttled (the account's request quota). */
  kmsThrottled: 'KmsThrottled',
  /** Seconds since the authorizer's deny-list copy was last read in full or refreshed. */
  denyListAgeSeconds: 'DenyListAgeSeconds',
} as const

export type MetricName = (typeof METRICS)[keyof typeof METRICS]

/** Every metric carries the function that emitted it, so stacks in one account never mix. */
export const FUNCTION_DIMENSION = 'FunctionName'
/** `Refusals` and `Faults` carry the problem code (docs/design.md#errors) as well. */
export const CODE_DIMENSION = 'Code'

/** How often, at most, one authorizer process reports its deny-list's age. */
export const DENY_LIST_AGE_REPORT_MS = 60_000
