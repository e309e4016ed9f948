import { ASSUMPTIONS, PRICES, QUOTAS } from './prices.js'
import { type FunctionFacts, indexWritesOnUpdateOf, type TemplateFacts } from './template-facts.js'

const MILLION = 1e6

export const count = (value: number): string => Math.round(value).toLocaleString('en-US')

/** Dollars per million operations, by what bills them. */
export interface CostLine {
  readonly apiGateway: number
  readonly lambda: number
  /** Lambda's billed init (cold starts), part of `lambda`. */
  readonly coldStarts: number
  readonly dynamoDbReads: number
  /** At most: every operation writes `last_used_at` of an idle token (and the indexes projecting it). */
  readonly dynamoDbWrites: number
  readonly kms: number
  readonly logs: number
  readonly xray: number
  readonly total: number
  /** Without the `last_used_at` writes (tokens that exchange more than once a minute). */
  readonly totalBusyTokens: number
}

export interface ExchangeModel {
  readonly facts: TemplateFacts
  readonly perMillion: CostLine
  /** Write units per `last_used_at` write: the item and every index item that projects it. */
  readonly writeUnitsPerUse: number
  readonly logBytesPerRequest: number
  readonly billedMs: number
  /** Dollars a month whatever the traffic: keys, secrets and monitoring. */
  readonly fixedMonthly: number
}

const gb = (fn: FunctionFacts) => fn.memoryMb / 1024

const computeUsd = (fn: FunctionFacts, ms: number) => {
  if (!fn.arm64) throw new Error('the model prices arm64 functions only')
  return (ms / 1000) * gb(fn) * PRICES.lambdaGbSecondArm.usd
}

/** Share of requests the X-Ray default rule records at the assumed traffic. */
export const xraySampledShare = (): number => {
  const { xrayRequestsPerSecond: rps, xrayReservoirPerSecond: reservoir } = ASSUMPTIONS
  return (reservoir + ASSUMPTIONS.xrayFixedRate * (rps - reservoir)) / rps
}

/** Bytes of one access-log line: the template's format with typical values in place. */
export const accessLogBytes = (format: string): number =>
  format.replace(/\$context\.[A-Za-z.]+/g, (variable) =>
    ' '.repeat(ASSUMPTIONS.accessLogValueBytes[variable] ?? ASSUMPTIONS.accessLogOtherValueBytes),
  ).length + 1

/** Ingesting `bytes` a request, and keeping them for the retention, per million requests. */
const logsUsd = (bytes: number, retentionDays: number) => {
  const gigabytes = (bytes * MILLION) / 1e9
  return (
    gigabytes * PRICES.logsIngestedGb.usd +
    gigabytes * PRICES.logsStoredGbMonth.usd * (retentionDays / 30)
  )
}

const lambdaUsd = (fn: FunctionFacts, ms: number, initMs: number) => {
  const coldStarts = MILLION * ASSUMPTIONS.coldStartShare * computeUsd(fn, initMs)
  return {
    lambda: MILLION * (PRICES.lambdaRequest.usd + computeUsd(fn, ms)) + coldStarts,
    coldStarts,
  }
}

const xrayUsd = (fn: FunctionFacts) =>
  fn.traced ? MILLION * xraySampledShare() * PRICES.xrayTrace.usd : 0

const line = (parts: Omit<CostLine, 'total' | 'totalBusyTokens'>): CostLine => {
  const total =
    parts.apiGateway +
    parts.lambda +
    parts.dynamoDbReads +
    parts.dynamoDbWrites +
    parts.kms +
    parts.logs +
    parts.xray
  return { ...parts, total, totalBusyTokens: total - parts.dynamoDbWrites }
}

/** `POST /access-tokens/jwt` per million, from the stack's template. */
export const exchangeModel = (facts: TemplateFacts): ExchangeModel => {
  const billedMs = ASSUMPTIONS.exchangeMs[facts.keySource][facts.jwtAlg]
  const writeUnitsPerUse =
    ASSUMPTIONS.tokenItemWriteUnits * (1 + indexWritesOnUpdateOf(facts.indexes, 'last_used_at'))
  const accessLog = accessLogBytes(facts.accessLogFormat)
  const functionLog = ASSUMPTIONS.platformLogBytes + ASSUMPTIONS.issuanceLogBytes
  const kmsPrice = facts.jwtAlg === 'RS256' ? PRICES.kmsRequest.usd : PRICES.kmsEccRequest.usd
  return {
    facts,
    billedMs,
    writeUnitsPerUse,
    logBytesPerRequest: accessLog + functionLog,
    perMillion: line({
      apiGateway: MILLION * PRICES.httpApiRequest.usd,
      ...lambdaUsd(facts.exchange, billedMs, ASSUMPTIONS.exchangeInitMs),
      dynamoDbReads: MILLION * ASSUMPTIONS.exchangeReadUnits * PRICES.dynamoDbReadUnit.usd,
      dynamoDbWrites: MILLION * writeUnitsPerUse * PRICES.dynamoDbWriteUnit.usd,
      kms: facts.keySource === 'kms' ? MILLION * kmsPrice : 0,
      logs:
        logsUsd(functionLog, facts.exchange.logRetentionDays) +
        logsUsd(accessLog, facts.accessLogRetentionDays),
      xray: xrayUsd(facts.exchange),
    }),
    fixedMonthly:
      (facts.signingKeys + facts.rotatedKeys) * PRICES.kmsKeyMonth.usd +
      facts.secrets * PRICES.secretMonth.usd +
      monitoringMonthly(facts),
  }
}

export interface AuthorizationModel {
  readonly bearer: CostLine
  readonly basic: CostLine
  readonly cacheSeconds: number
}

/**
 * The Lambda authorizer's own cost per million decisions (the API request
 * is the downstream API's): Bearer reads cached keys and the deny-list per
 * instance; Basic adds the token's and owner's reads and `last_used_at`.
 */
export const authorizationModel = (exchange: ExchangeModel): AuthorizationModel => {
  const { facts, writeUnitsPerUse } = exchange
  const common = {
    apiGateway: 0,
    ...lambdaUsd(facts.authorizer, ASSUMPTIONS.authorizerMs, ASSUMPTIONS.authorizerInitMs),
    kms: 0,
    logs: logsUsd(ASSUMPTIONS.platformLogBytes, facts.authorizer.logRetentionDays),
    xray: xrayUsd(facts.authorizer),
  }
  return {
    bearer: line({ ...common, dynamoDbReads: 0, dynamoDbWrites: 0 }),
    basic: line({
      ...common,
      dynamoDbReads: MILLION * ASSUMPTIONS.exchangeReadUnits * PRICES.dynamoDbReadUnit.usd,
      dynamoDbWrites: MILLION * writeUnitsPerUse * PRICES.dynamoDbWriteUnit.usd,
    }),
    cacheSeconds: facts.authorizerCacheSeconds,
  }
}

/** A limit on exchanges per second, and what it is. */
export interface ScaleLimit {
  readonly what: string
  readonly exchangesPerSecond: number
}

/** Every limit on the exchange rate, the one that binds first first. */
export const exchangeLimits = (model: ExchangeModel): readonly ScaleLimit[] => {
  const { facts, billedMs } = model
  const concurrency = facts.exchange.reservedConcurrency ?? QUOTAS.lambdaConcurrency
  const limits: ScaleLimit[] = [
    {
      what: `stage throttle, ${count(facts.stageThrottle.rateLimit)} rps (bursts ${count(facts.stageThrottle.burstLimit)}) shared by all ${facts.routeCount} routes`,
      exchangesPerSecond: facts.stageThrottle.rateLimit,
    },
    {
      what: `Lambda concurrency ${count(concurrency)}${facts.exchange.reservedConcurrency === undefined ? ' (account default, shared)' : ' (reserved for the exchange)'} at ${billedMs} ms`,
      exchangesPerSecond: (concurrency * 1000) / billedMs,
    },
    {
      what: `API Gateway account quota, ${count(QUOTAS.apiGatewayAccount)} rps over every API of the Region`,
      exchangesPerSecond: QUOTAS.apiGatewayAccount,
    },
    {
      what: `DynamoDB on-demand table, ${count(QUOTAS.dynamoDbTableReads)} RRU/s (a new table serves ${count(QUOTAS.dynamoDbNewTableReads)} at once)`,
      exchangesPerSecond: QUOTAS.dynamoDbTableReads / ASSUMPTIONS.exchangeReadUnits,
    },
    {
      what: `one owner's item, ${count(QUOTAS.dynamoDbPartitionReads)} strongly consistent reads/s (an item never splits)`,
      exchangesPerSecond: QUOTAS.dynamoDbPartitionReads,
    },
  ]
  if (facts.keySource === 'kms') {
    const quota = facts.jwtAlg === 'RS256' ? QUOTAS.kmsSignRsa : QUOTAS.kmsSignEcc
    limits.push({
      what: `KMS Sign quota, ${count(quota)}/s (${facts.jwtAlg === 'RS256' ? 'RSA' : 'ECC'}, shared by the account and Region)`,
      exchangesPerSecond: quota,
    })
  }
  return limits.sort((a, b) => a.exchangesPerSecond - b.exchangesPerSecond)
}

/** Alarms, dashboards and custom metrics a month: the metric filters' and, with monitoring, the EMF series. */
export const monitoringMonthly = (facts: TemplateFacts): number =>
  facts.alarms * PRICES.alarmMonth.usd +
  facts.dashboards * PRICES.dashboardMonth.usd +
  (facts.metricFilters + (facts.alarms > 0 ? ASSUMPTIONS.emfMetricSeries : 0)) *
    PRICES.customMetricMonth.usd
