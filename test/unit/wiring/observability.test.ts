import type { Context } from 'aws-lambda'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { lambdaContext } from '../../support/lambda.js'

/** A fresh observability module (its Logger not loaded yet), at INFO, on an on-demand Lambda. */
const freshObservability = async () => {
  vi.resetModules()
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO')
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand')
  return import('../../../functions/wiring/observability.js')
}

const invocation = (id: string): Context => ({
  ...lambdaContext('tollgate-authorizer'),
  awsRequestId: id,
})

describe('logger (functions/wiring/observability.ts)', () => {
  // Powertools writes INFO and below to stdout, WARN and above to stderr: both, in order.
  const lines: Array<Record<string, unknown>> = []
  const streams = [process.stdout, process.stderr] as const
  const writes = streams.map((stream) => stream.write)

  beforeEach(() => {
    lines.length = 0
    for (const stream of streams) {
      stream.write = ((chunk: string | Uint8Array) => {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line))
        return true
      }) as typeof stream.write
    }
  })
  afterEach(() => {
    streams.forEach((stream, i) => {
      stream.write = writes[i] as typeof stream.write
    })
    vi.unstubAllEnvs()
  })

  it('loads Powertools on the first line, and writes the lines that waited in order', async () => {
    const { logger } = await freshObservability()

    logger.info('first', { atid: 'a' })
    logger.warn('second')
    expect(lines).toEqual([])
    await logger.pending()

    expect(lines).toMatchObject([
      { level: 'INFO', message: 'first', atid: 'a', service: 'tollgate' },
      { level: 'WARN', message: 'second' },
    ])
    expect(logger.pending()).toBeUndefined()
    logger.error('third')
    expect(lines.at(-1)).toMatchObject({ level: 'ERROR', message: 'third' })
  })

  it('adds the context of the invocation that logged a line, and cold_start for the first invocation alone', async () => {
    const { logger } = await freshObservability()
    const [one, two, three] = [invocation('one'), invocation('two'), invocation('three')]

    logger.invoked(one)
    logger.invoked(two)
    logger.invoked(three)
    logger.info('in two', {}, two)
    await logger.pending()
    logger.info('in three, named')
    logger.warn('in one', { code: 'x' }, one)

    expect(lines).toMatchObject([
      { message: 'in two', function_request_id: 'two', cold_start: false },
      { message: 'in three, named', function_request_id: 'three', cold_start: false },
      { message: 'in one', function_request_id: 'one', code: 'x' },
    ])

    const cold = (await freshObservability()).logger
    const first = invocation('first')
    cold.invoked(first)
    cold.info('in the first', undefined, first)
    await cold.pending()
    expect(lines.at(-1)).toMatchObject({ function_request_id: 'first', cold_start: true })
  })

  it('says DEBUG lines are off until the Logger is loaded, then asks it', async () => {
    const observability = await freshObservability()
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG')

    expect(observability.logger.debugEnabled()).toBe(false)
    await observability.loadLogger()
    expect(observability.logger.debugEnabled()).toBe(true)
  })

  it('tells which environments may set DEBUG, so those load the Logger up front', async () => {
    const { mayLogDebug } = await freshObservability()

    expect(mayLogDebug({})).toBe(false)
    expect(mayLogDebug({ POWERTOOLS_LOG_LEVEL: 'INFO', AWS_LAMBDA_LOG_LEVEL: 'WARN' })).toBe(false)
    expect(mayLogDebug({ POWERTOOLS_LOG_LEVEL: 'debug' })).toBe(true)
    expect(mayLogDebug({ AWS_LAMBDA_LOG_LEVEL: 'TRACE' })).toBe(true)
    expect(mayLogDebug({ LOG_LEVEL: 'DEBUG' })).toBe(true)
    expect(mayLogDebug({ POWERTOOLS_LOGGER_SAMPLE_RATE: '0.1' })).toBe(true)
    expect(mayLogDebug({ POWERTOOLS_LOGGER_SAMPLE_RATE: '0' })).toBe(false)
  })

  it('writes through a Logger a function registered at init, at once', async () => {
    const observability = await freshObservability()
    const { Logger } = await import('@aws-lambda-powertools/logger')
    const registered = observability.useLogger(new Logger({ serviceName: 'tollgate' }))
    const info = vi.spyOn(registered, 'info')

    observability.logger.info('now', { code: 'x' })

    expect(info).toHaveBeenCalledWith('now', { code: 'x' })
    expect(observability.logger.pending()).toBeUndefined()
  })

  it('writes a metric as EMF fields of a line that is logged anyway, once an invocation names the function', async () => {
    const { logger, metricFields } = await freshObservability()
    expect(metricFields({ JwtsIssued: 1 })).toEqual({})
    logger.invoked(lambdaContext('Tollgate-ExchangeJwt'))

    logger.info('request refused', {
      code: 'invalid_token',
      ...metricFields({ Refusals: 1 }, 'invalid_token'),
    })
    await logger.pending()

    // What CloudWatch reads: `_aws` at the root naming the metric and its dimensions, each a root key.
    expect(lines.at(-1)).toMatchObject({
      message: 'request refused',
      code: 'invalid_token',
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'Tollgate',
            Dimensions: [['FunctionName', 'Code']],
            Metrics: [{ Name: 'Refusals', Unit: 'Count' }],
          },
        ],
      },
      FunctionName: 'Tollgate-ExchangeJwt',
      Code: 'invalid_token',
      Refusals: 1,
    })
    expect(metricFields({ DenyListAgeSeconds: 3 })).toMatchObject({
      _aws: {
        CloudWatchMetrics: [{ Dimensions: [['FunctionName']], Metrics: [{ Unit: 'Seconds' }] }],
      },
      DenyListAgeSeconds: 3,
    })
  })

  it('reports KMS throttling and the deny-list age as metrics on their own lines', async () => {
    const { logger, logDenyListAge, logKmsThrottled } = await freshObservability()
    logger.invoked(lambdaContext('Tollgate-Authorizer'))

    logKmsThrottled('ThrottlingException')
    logDenyListAge(12_400)
    await logger.pending()

    expect(lines.slice(-2)).toMatchObject([
      { level: 'WARN', error: 'ThrottlingException', KmsThrottled: 1 },
      { level: 'INFO', message: 'deny-list age', age_seconds: 12, DenyListAgeSeconds: 12 },
    ])
  })
})
