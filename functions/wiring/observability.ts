import type { Logger } from '@aws-lambda-powertools/logger'
import type { Context } from 'aws-lambda'
import {
  CODE_DIMENSION,
  FUNCTION_DIMENSION,
  METRIC_NAMESPACE,
  METRICS,
  type MetricName,
} from '../core/metrics.js'

/** The `service` of every line. */
export const SERVICE_NAME = 'tollgate'

type Fields = Readonly<Record<string, unknown>>
type Level = 'debug' | 'info' | 'warn' | 'error'

/**
 * The one logger, as its callers see it: Powertools' `Logger` behind it,
 * built on the first line logged unless a function registered one at init
 * (`useLogger`, which every function but the authorizer does through
 * ./powertools-logger.js). Events are never logged whole (they carry
 * tokens); log `atid`, `token_hint`, `code` and `request_id` instead.
 *
 * Why lazily: importing Powertools and building its Logger (a Console on
 * stdout and stderr) was one of the largest parts of the authorizer's cold
 * start, whose first call usually logs nothing: allows are DEBUG lines
 * (docs/benchmarks.md). A line logged before the Logger is loaded waits for
 * it, in order; `pending()` says until when.
 */
export interface Log {
  /**
   * `context`: the Lambda context of the invocation that logs the line,
   * added to the Logger when the line is written, not per call (the
   * authorizer's way: most of its calls log nothing). Left out, a line
   * carries the context of the latest invocation noted (`invoked`), if any:
   * with concurrent invocations in one process (Managed Instances)
   * possibly another one in flight, so lines of one request pass theirs.
   * Where a function registered its Logger (`useLogger`), Powertools'
   * middleware adds each invocation's context and a line without one
   * carries that.
   */
  debug(message: string, fields?: Fields, context?: Context): void
  info(message: string, fields?: Fields, context?: Context): void
  warn(message: string, fields?: Fields, context?: Context): void
  error(message: string, fields?: Fields, context?: Context): void
  /**
   * Notes an invocation's start (a reference kept, nothing else): its lines
   * that name no context carry this one, and a line of the first invocation
   * noted says `cold_start: true`, any other's false, whenever the Logger
   * happens to be built.
   */
  invoked(context: Context): void
  /**
   * Whether DEBUG lines are written. False until the Logger is loaded: load
   * it first (`loadLogger`) where the environment may ask for DEBUG
   * (`mayLogDebug`).
   */
  debugEnabled(): boolean
  /** Settles once every line logged so far is written; undefined when none waits. */
  pending(): Promise<void> | undefined
}

let instance: Logger | undefined
/** Registered by a function at init: it adds each invocation's context with Powertools' middleware. */
let registered = false
let loading: Promise<Logger> | undefined
let debug: boolean | undefined
const waiting: Array<readonly [Level, string, Fields | undefined, Context | undefined]> = []
/** The first invocation noted (the cold start's), and the latest. */
let coldContext: Context | undefined
let latestContext: Context | undefined
let contextAdded = false

const write = (
  logger: Logger,
  level: Level,
  message: string,
  fields: Fields | undefined,
  context: Context | undefined,
): void => {
  if (context !== undefined) {
    // The Logger says cold_start on the first context it is given: when that is a later
    // invocation's, it is given the cold start's first, so that this line says false.
    if (!contextAdded && coldContext !== undefined && context !== coldContext) {
      logger.addContext(coldContext)
    }
    contextAdded = true
    // Per line, not once: concurrent invocations (Managed Instances, the dev server) each
    // keep their own context in the Logger, as Powertools' middleware sets it.
    logger.addContext(context)
  }
  if (fields === undefined) logger[level](message)
  else logger[level](message, { ...fields })
}

const log = (level: Level) => (message: string, fields?: Fields, context?: Context) => {
  if (instance !== undefined) {
    write(instance, level, message, fields, context ?? (registered ? undefined : latestContext))
    return
  }
  waiting.push([level, message, fields, context ?? latestContext])
  void loadLogger().catch(() => {})
}

/**
 * Registers the Logger a function built at init (Powertools' middleware
 * needs the instance): every line goes to it from then on.
 *
 * @example
 * export const powertoolsLogger = useLogger(new Logger({ serviceName: SERVICE_NAME }))
 */
export const useLogger = (logger: Logger): Logger => {
  instance = logger
  registered = true
  debug = undefined
  return logger
}

/**
 * Loads Powertools and builds the Logger, unless one is registered, then
 * writes the lines that waited for it. A failed load writes them to stderr
 * rather than lose them, and the next line tries again.
 *
 * @example
 * if (mayLogDebug(env)) await loadLogger()
 */
export const loadLogger = (): Promise<Logger> => {
  if (instance !== undefined) return Promise.resolve(instance)
  loading ??= import('@aws-lambda-powertools/logger').then(
    ({ Logger }) => {
      instance ??= new Logger({ serviceName: SERVICE_NAME })
      debug = undefined
      const logger = instance
      for (const [level, message, fields, context] of waiting.splice(0)) {
        write(logger, level, message, fields, context)
      }
      return logger
    },
    (error: unknown) => {
      loading = undefined
      for (const [level, message, fields] of waiting.splice(0)) {
        console.error(JSON.stringify({ level, message, service: SERVICE_NAME, ...fields }))
      }
      throw error
    },
  )
  return loading
}

/**
 * Whether an environment may set the Logger to DEBUG (or TRACE): a level
 * variable says so, or debug sampling is on. False means it cannot; true,
 * only that it may (Powertools decides which variable wins).
 *
 * @example
 * if (mayLogDebug(process.env)) await loadLogger()
 */
export const mayLogDebug = (env: Readonly<Record<string, string | undefined>>): boolean =>
  ['AWS_LAMBDA_LOG_LEVEL', 'POWERTOOLS_LOG_LEVEL', 'LOG_LEVEL'].some((name) =>
    /^\s*(trace|debug)\s*$/i.test(env[name] ?? ''),
  ) || Number(env.POWERTOOLS_LOGGER_SAMPLE_RATE ?? 0) > 0

export const logger: Log = {
  debug: log('debug'),
  info: log('info'),
  warn: log('warn'),
  error: log('error'),
  invoked: (context) => {
    coldContext ??= context
    latestContext = context
  },
  debugEnabled: () => {
    if (instance === undefined) return false
    debug ??= ['TRACE', 'DEBUG'].includes(instance.getLevelName())
    return debug
  },
  pending: () =>
    waiting.length === 0
      ? undefined
      : loadLogger().then(
          () => undefined,
          () => undefined,
        ),
}

/** A failed `last_used_at` write is worth a warning, never a failed request. */
export const logUseNotRecorded = (tokenId: string, error: unknown): void => {
  logger.warn('last_used_at not recorded', { atid: tokenId, error })
}

/** A malformed key in our own key set is skipped, never fatal for the rest (docs/design.md#keys). */
export const logSkippedKey = (index: number, reason: string): void => {
  logger.warn('public key skipped', { index, reason })
}

/** Key management's structured lines (steps, kids, outcomes), at INFO. */
export const logInfo = (message: string, fields: Readonly<Record<string, unknown>>): void => {
  logger.info(message, { ...fields })
}

/**
 * The fields that make a log line a CloudWatch embedded metric format (EMF)
 * record as well: spread into a line that is written anyway (a refusal, an
 * issued JWT), they let CloudWatch Logs extract the metric from it, with no
 * client, no API call and no module on any cold start (Powertools Metrics
 * would be a package to load and a line of its own). Each metric carries
 * the name of the function (of the latest invocation noted, `invoked`), and
 * `code` adds the problem code. Empty before any invocation is noted; the
 * dev server's lines carry them too, inert there (nothing extracts EMF).
 *
 * @example
 * logger.info('request refused', { code, ...metricFields({ Refusals: 1 }, code) })
 */
export const metricFields = (
  values: Partial<Readonly<Record<MetricName, number>>>,
  code?: string,
): Readonly<Record<string, unknown>> => {
  const functionName = latestContext?.functionName
  if (functionName === undefined || functionName === '') return {}
  const dimensions =
    code === undefined ? [FUNCTION_DIMENSION] : [FUNCTION_DIMENSION, CODE_DIMENSION]
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [dimensions],
          Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: unitOf(name) })),
        },
      ],
    },
    [FUNCTION_DIMENSION]: functionName,
    ...(code === undefined ? {} : { [CODE_DIMENSION]: code }),
    ...values,
  }
}

const unitOf = (name: string): string => (name === METRICS.denyListAgeSeconds ? 'Seconds' : 'Count')

/** KMS throttled a Sign call: the account's request quota is reached (docs/runbook.md). */
export const logKmsThrottled = (error: string): void => {
  logger.warn('KMS throttled a Sign call', { error, ...metricFields({ KmsThrottled: 1 }) })
}

/**
 * The authorizer's deny-list copy, at most once a minute per process: a copy
 * older than REVOCATION_REFRESH_SECONDS means its refreshes fail (the
 * deny-list staleness alarm).
 */
export const logDenyListAge = (ageMs: number): void => {
  const seconds = Math.round(ageMs / 1000)
  logger.info('deny-list age', {
    age_seconds: seconds,
    ...metricFields({ DenyListAgeSeconds: seconds }),
  })
}
