/**
 * The one table of unit prices, quotas and per-call assumptions the cost
 * and scale models of docs/cost-and-scale.md are computed from. Prices are
 * US East (N. Virginia), list prices without free tiers; each names where it
 * was read and when. Check them before you budget.
 */

export interface Price {
  /** Dollars per one `unit`. */
  readonly usd: number
  readonly unit: string
  /** How many units the docs quote the price for (0.20 per 1,000,000 requests). */
  readonly quotedPer: number
  readonly source: string
  /** When the figure was read (the page, or a dated summary of it where its table did not render). */
  readonly asOf: string
}

export const PRICES = {
  lambdaGbSecondArm: {
    usd: 0.000_013_333_4,
    unit: 'GB-second, arm64 (init included since 2025-08-01)',
    quotedPer: 1,
    source: 'https://aws.amazon.com/lambda/pricing/',
    asOf: '2026-06',
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    unit: 'requests',
    quotedPer: 1e6,
    source: 'https://aws.amazon.com/lambda/pricing/',
    asOf: '2026-06',
  },
  httpApiRequest: {
    usd: 1.0 / 1e6,
    unit: 'HTTP API requests (the first 300 M a month)',
    quotedPer: 1e6,
    source: 'https://aws.amazon.com/api-gateway/pricing/',
    asOf: '2026-06',
  },
  dynamoDbReadUnit: {
    usd: 0.125 / 1e6,
    unit: 'on-demand read request units',
    quotedPer: 1e6,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    asOf: '2026-06',
  },
  dynamoDbWriteUnit: {
    usd: 0.625 / 1e6,
    unit: 'on-demand write request units',
    quotedPer: 1e6,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    asOf: '2026-06',
  },
  kmsRequest: {
    usd: 0.03 / 1e4,
    unit: 'KMS requests (symmetric, and RSA 2048 Sign)',
    quotedPer: 1e4,
    source: 'https://aws.amazon.com/kms/pricing/',
    asOf: '2026-06',
  },
  kmsEccRequest: {
    usd: 0.15 / 1e4,
    unit: 'KMS asymmetric requests other than RSA 2048 (ECC Sign)',
    quotedPer: 1e4,
    source: 'https://aws.amazon.com/kms/pricing/',
    asOf: '2026-06',
  },
  kmsKeyMonth: {
    usd: 1,
    unit: 'KMS key a month (plus $1 for each of its first two rotations)',
    quotedPer: 1,
    source: 'https://aws.amazon.com/kms/pricing/',
    asOf: '2026-06',
  },
  secretMonth: {
    usd: 0.4,
    unit: 'secret a month',
    quotedPer: 1,
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
    asOf: '2026-06',
  },
  alarmMonth: {
    usd: 0.1,
    unit: 'CloudWatch alarm a month (standard resolution, one metric)',
    quotedPer: 1,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    asOf: '2026-06',
  },
  dashboardMonth: {
    usd: 3,
    unit: 'CloudWatch dashboard a month',
    quotedPer: 1,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    asOf: '2026-06',
  },
  customMetricMonth: {
    usd: 0.3,
    unit: 'CloudWatch custom metric a month (the first 10,000)',
    quotedPer: 1,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    asOf: '2026-06',
  },
  logsIngestedGb: {
    usd: 0.5,
    unit: 'GB of CloudWatch Logs ingested (standard class)',
    quotedPer: 1,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    asOf: '2026-06',
  },
  logsStoredGbMonth: {
    usd: 0.03,
    unit: 'GB-month of CloudWatch Logs stored',
    quotedPer: 1,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    asOf: '2026-06',
  },
  xrayTrace: {
    usd: 5 / 1e6,
    unit: 'X-Ray traces recorded',
    quotedPer: 1e6,
    source: 'https://aws.amazon.com/xray/pricing/',
    asOf: '2026-06',
  },
} as const satisfies Record<string, Price>

/** Default quotas, per account and Region unless said otherwise. */
export const QUOTAS = {
  /** KMS Sign requests per second with RSA keys (shared with every RSA call of the account). */
  kmsSignRsa: 500,
  /** With ECC keys. */
  kmsSignEcc: 300,
  /** API Gateway requests per second over every API of the account and Region. */
  apiGatewayAccount: 10_000,
  apiGatewayAccountBurst: 5_000,
  lambdaConcurrency: 1_000,
  /** Strongly consistent reads per second of one partition (and so of one item). */
  dynamoDbPartitionReads: 3_000,
  /** Read units per second a new on-demand table serves at once. */
  dynamoDbNewTableReads: 12_000,
  /** Read units per second of one on-demand table, by default. */
  dynamoDbTableReads: 40_000,
  source:
    'https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html, https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html',
} as const

/**
 * What the code does per call, and what the template cannot say. Durations
 * are billed milliseconds of warm invocations on 512 MB (~0.3 vCPU), from
 * docs/benchmarks.md's full-core figures scaled to that share.
 */
export const ASSUMPTIONS = {
  /** Warm billed ms of an exchange, by key source and algorithm. */
  exchangeMs: {
    kms: { RS256: 25, ES256: 25 },
    'secrets-manager': { RS256: 12, ES256: 8 },
  },
  /** Warm billed ms of an authorization (a decision takes µs; Lambda bills whole ms). */
  authorizerMs: 2,
  /** Share of invocations that start an instance: AWS reports under 1 % in production. */
  coldStartShare: 0.01,
  /** Billed init of a cold start: ~3× the full-core import time of docs/benchmarks.md. */
  exchangeInitMs: 400,
  authorizerInitMs: 120,
  /** Reads per exchange: token and owner item, strongly consistent, each under 4 KB. */
  exchangeReadUnits: 2,
  /** A token item is under 1 KB: one write unit per write of it, and per index item. */
  tokenItemWriteUnits: 1,
  /**
   * Custom metric series the handlers' EMF lines make (functions/core/metrics.ts): a
   * series per metric, function and, for refusals and faults, problem code that occurs;
   * about 30 in a month with ordinary mistakes in it (JwtsIssued 1, Refusals ~20,
   * Faults ~5, KmsThrottled 2, DenyListAgeSeconds 1). The template's metric filters add theirs.
   */
  emfMetricSeries: 30,
  /** Bytes Lambda logs per invocation (START, END, REPORT with the trace id). */
  platformLogBytes: 380,
  /** The exchange's one issuance line (Powertools JSON with its context). */
  issuanceLogBytes: 500,
  /** Traffic the X-Ray default rule is evaluated at: the first request each second, then 5 %. */
  xrayRequestsPerSecond: 1_000,
  xrayReservoirPerSecond: 1,
  xrayFixedRate: 0.05,
  /** Typical widths of access-log variables; unknown ones count this many bytes. */
  accessLogValueBytes: {
    '$context.requestId': 16,
    '$context.identity.sourceIp': 13,
    '$context.requestTime': 26,
    '$context.routeKey': 23,
    '$context.status': 3,
    '$context.responseLength': 3,
    '$context.responseLatency': 2,
    '$context.integrationLatency': 2,
    '$context.integrationStatus': 3,
  } as Readonly<Record<string, number>>,
  /** Empty on a successful exchange (no error, no authorizer on the mint route). */
  accessLogOtherValueBytes: 1,
} as const
