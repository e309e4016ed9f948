import type { Agent, ClientRequest, IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { builtin } from './builtin.js'

const { createHash, createHmac, randomInt } = builtin<typeof import('node:crypto')>('node:crypto')

/**
 * The services spoken here, each in its AWS JSON protocol: POST /, the
 * operation in `X-Amz-Target`, JSON in and out, SigV4 signed.
 */
const SERVICES = {
  dynamodb: { target: 'DynamoDB_20120810', contentType: 'application/x-amz-json-1.0' },
  kms: { target: 'TrentService', contentType: 'application/x-amz-json-1.1' },
} as const

export type AwsJsonService = keyof typeof SERVICES

export interface AwsCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string | undefined
}

export interface AwsJsonClientOptions {
  readonly service: AwsJsonService
  readonly endpoint: URL
  readonly region: string
  readonly credentials: AwsCredentials
  /** Bound on connecting, from the socket's creation (DYNAMODB_CONNECTION_POLICY's connectMs). */
  readonly connectMs?: number
  /** Bound on silence once connected: no byte for this long fails the attempt. */
  readonly idleMs?: number
  /** Attempts including the first; throttling, 5xx, timeouts and network faults are retried. */
  readonly maxAttempts?: number
  /** Requests at once; more wait for a free socket (default 64, as the DynamoDB client's). */
  readonly maxSockets?: number
}

export interface AwsJsonClient {
  readonly endpoint: URL
  /**
   * One operation's answer, parsed. A service error is thrown shaped as the
   * SDK shapes it (`name`, `$fault`, `$metadata.httpStatusCode`), a network
   * fault as Node reports it (`code`), a timeout as `TimeoutError`: the
   * error translators (aws-errors.ts, dynamodb-errors.ts) read them alike.
   */
  send(
    operation: string,
    input: Readonly<Record<string, unknown>>,
  ): Promise<Record<string, unknown>>
  /** Closes idle keep-alive sockets. */
  destroy(): void
}

/** A service's error answer, as the SDK would throw it. */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server'
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string }

  constructor(name: string, message: string, status: number, requestId: string | undefined) {
    super(message)
    this.name = name
    this.$fault = status >= 500 ? 'server' : 'client'
    this.$metadata = { httpStatusCode: status, ...(requestId === undefined ? {} : { requestId }) }
  }
}

/** The SDK's standard retry policy's lists (@smithy/service-error-classification). */
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
])
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException'])
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'])

const isRetryable = (error: unknown): boolean => {
  if (error instanceof AwsServiceError) {
    const status = error.$metadata.httpStatusCode
    return (
      THROTTLING.has(error.name) || TRANSIENT.has(error.name) || status >= 500 || status === 429
    )
  }
  const { name, code } = (error ?? {}) as { name?: string; code?: string }
  return TRANSIENT.has(name ?? '') || NETWORK.has(code ?? '')
}

const sha256Hex = (data: string): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data).digest()

export interface SigningInput {
  readonly method: string
  readonly path: string
  /** Lower-case names; every one is signed. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly service: string
  readonly region: string
  readonly credentials: AwsCredentials
  /** `YYYYMMDDTHHMMSSZ`, also the `x-amz-date` header. */
  readonly amzDate: string
}

/**
 * AWS Signature Version 4 of a request without a query string: the
 * `Authorization` header value. Every header given is signed (`host` and
 * `x-amz-date` must be among them).
 *
 * @example
 * headers.authorization = signatureV4({ method: 'POST', path: '/', headers, body,
 *   service: 'kms', region: 'eu-west-1', credentials, amzDate: '20261207T120000Z' })
 */
export const signatureV4 = (input: SigningInput): string => {
  const names = Object.keys(input.headers).sort()
  const canonicalHeaders = names
    .map((name) => `${name}:${(input.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('')
  const signedHeaders = names.join(';')
  const canonicalRequest = [
    input.method,
    input.path,
    '',
    canonicalHeaders,
    signedHeaders,
    sha256Hex(input.body),
  ].join('\n')
  const date = input.amzDate.slice(0, 8)
  const scope = `${date}/${input.region}/${input.service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', input.amzDate, scope, sha256Hex(canonicalRequest)].join(
    '\n',
  )
  const key = hmac(
    hmac(hmac(hmac(`AWS4${input.credentials.secretAccessKey}`, date), input.region), input.service),
    'aws4_request',
  )
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex')
  return (
    `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`
  )
}

/** `2026-12-07T12:00:00.000Z` → `20261207T120000Z`. */
const amzDateOf = (now: Date): string => now.toISOString().replace(/[-:]|\.\d{3}/g, '')

/** The code after the last `#` and before any `:` or `,` (the SDK's sanitizeErrorCode). */
const errorName = (raw: string): string => {
  const first = raw.split(',')[0]?.split(':')[0] ?? raw
  return first.includes('#') ? (first.split('#')[1] ?? first) : first
}

const serviceError = (response: IncomingMessage, text: string): AwsServiceError => {
  let body: { __type?: unknown; code?: unknown; message?: unknown; Message?: unknown } = {}
  try {
    body = JSON.parse(text) ?? {}
  } catch {
    // Not JSON (a proxy's page): the status alone says what happened.
  }
  const header = response.headers['x-amzn-errortype']
  const raw = typeof header === 'string' ? header : (body.code ?? body.__type)
  const status = response.statusCode ?? 500
  const name = typeof raw === 'string' && raw !== '' ? errorName(raw) : `Http${status}Error`
  const message = body.message ?? body.Message
  const requestId = response.headers['x-amzn-requestid']
  return new AwsServiceError(
    name,
    typeof message === 'string' ? message : name,
    status,
    typeof requestId === 'string' ? requestId : undefined,
  )
}

/** Node's http or https, whichever the endpoint needs, loaded on the first request (./builtin.ts). */
const transportFor = (protocol: string): typeof import('node:http') =>
  protocol === 'https:' ? builtin('node:https') : builtin('node:http')

/**
 * A client of one AWS JSON-protocol service that needs no AWS SDK: SigV4
 * over Node's http(s), keep-alive sockets, the SDK's timeouts and its
 * standard retry policy (3 attempts, full-jitter backoff from 100 ms).
 * What the authorizer's cold start reads (the deny-list, KMS public keys)
 * goes through it, where the SDK's clients cost several times the reads
 * (docs/benchmarks.md); `awsJsonClientFor` says where it can be used.
 *
 * @example
 * const kms = createAwsJsonClient({ service: 'kms', endpoint: new URL('https://kms.eu-west-1.amazonaws.com'),
 *   region: 'eu-west-1', credentials })
 * const answer = await kms.send('GetPublicKey', { KeyId: 'alias/tollgate' })
 */
export const createAwsJsonClient = (options: AwsJsonClientOptions): AwsJsonClient => {
  const { endpoint, region, credentials } = options
  const service = SERVICES[options.service]
  const connectMs = options.connectMs ?? 1_000
  const idleMs = options.idleMs ?? 3_000
  const maxAttempts = options.maxAttempts ?? 3
  const path = endpoint.pathname === '' ? '/' : endpoint.pathname
  let agent: Agent | undefined
  let transport: typeof import('node:http') | undefined

  const attempt = (operation: string, body: string): Promise<Record<string, unknown>> => {
    transport ??= transportFor(endpoint.protocol)
    agent ??= new transport.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 })
    const headers: Record<string, string> = {
      'content-type': service.contentType,
      host: endpoint.host,
      'x-amz-date': amzDateOf(new Date()),
      'x-amz-target': `${service.target}.${operation}`,
      ...(credentials.sessionToken === undefined
        ? {}
        : { 'x-amz-security-token': credentials.sessionToken }),
    }
    const authorization = signatureV4({
      method: 'POST',
      path,
      headers,
      body,
      service: options.service,
      region,
      credentials,
      amzDate: headers['x-amz-date'] ?? '',
    })
    return new Promise((resolve, reject) => {
      const request: ClientRequest = (transport as typeof import('node:http')).request({
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: endpoint.port,
        method: 'POST',
        path,
        agent,
        headers: {
          ...headers,
          authorization,
          'content-length': String(Buffer.byteLength(body)),
        },
      })
      const fail = (error: Error) => request.destroy(error)
      request.once('socket', (socket: Socket) => {
        if (!socket.connecting) return
        const timer = setTimeout(() => {
          fail(
            Object.assign(new Error(`connect timed out after ${connectMs} ms`), {
              code: 'ETIMEDOUT',
            }),
          )
        }, connectMs)
        socket.once('connect', () => clearTimeout(timer))
        socket.once('close', () => clearTimeout(timer))
      })
      request.setTimeout(idleMs, () => {
        const error = new Error(`no answer for ${idleMs} ms`)
        error.name = 'TimeoutError'
        fail(error)
      })
      request.once('error', reject)
      request.once('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.once('error', reject)
        response.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          const status = response.statusCode ?? 500
          if (status < 200 || status >= 300) {
            reject(serviceError(response, text))
            return
          }
          try {
            resolve(text === '' ? {} : (JSON.parse(text) as Record<string, unknown>))
          } catch (error) {
            reject(error)
          }
        })
      })
      request.end(body)
    })
  }

  return {
    endpoint,
    async send(operation, input) {
      const body = JSON.stringify(input)
      for (let attempts = 1; ; attempts++) {
        try {
          return await attempt(operation, body)
        } catch (error) {
          if (attempts >= maxAttempts || !isRetryable(error)) throw error
          // Full jitter, as the SDK's standard retry strategy.
          await new Promise((wake) => setTimeout(wake, randomInt(0, 100 * 2 ** attempts)))
        }
      }
    },
    destroy: () => agent?.destroy(),
  }
}

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/
/** Endpoint paths signed as they are: nothing a canonical URI would have to encode. */
const PLAIN_PATH = /^[/A-Za-z0-9._~-]*$/

/**
 * The client this process can use for `service`, or undefined where only the
 * SDK knows how, so the caller falls back to it:
 * - credentials: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and
 *   `AWS_SESSION_TOKEN`), as Lambda sets them; for an emulator on this
 *   machine without any (and no `AWS_PROFILE`), placeholders, as
 *   `explicitEndpointConfig` gives the SDK. Profiles, SSO, web identity and
 *   instance roles stay the SDK's.
 * - endpoint: the explicit one, else the regional one of the `aws`,
 *   `aws-cn` and `aws-us-gov` partitions; FIPS, dual-stack and any other
 *   partition stay the SDK's.
 *
 * @example
 * const kms = awsJsonClientFor('kms', config.kmsEndpoint)
 * const fetch = kms === undefined ? sdkFetcher(createKmsClient()) : jsonFetcher(kms)
 */
export const awsJsonClientFor = (
  service: AwsJsonService,
  explicitEndpoint: string | undefined,
  limits: Pick<AwsJsonClientOptions, 'connectMs' | 'idleMs' | 'maxAttempts' | 'maxSockets'> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): AwsJsonClient | undefined => {
  const configuredRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  let endpoint: URL | undefined
  let region = configuredRegion
  if (explicitEndpoint !== undefined) {
    endpoint = URL.parse(explicitEndpoint) ?? undefined
    region ??= 'us-east-1'
  } else if (
    region !== undefined &&
    env.AWS_USE_FIPS_ENDPOINT !== 'true' &&
    env.AWS_USE_DUALSTACK_ENDPOINT !== 'true'
  ) {
    const suffix = regionalSuffix(region)
    endpoint = suffix === undefined ? undefined : new URL(`https://${service}.${region}.${suffix}`)
  }
  if (
    endpoint === undefined ||
    region === undefined ||
    (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') ||
    endpoint.search !== '' ||
    !PLAIN_PATH.test(endpoint.pathname)
  ) {
    return undefined
  }
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          sessionToken: env.AWS_SESSION_TOKEN || undefined,
        }
      : LOOPBACK_HOSTS.test(endpoint.hostname) &&
          env.AWS_ACCESS_KEY_ID === undefined &&
          env.AWS_PROFILE === undefined
        ? { accessKeyId: 'local', secretAccessKey: 'local' }
        : undefined
  if (credentials === undefined) return undefined
  return createAwsJsonClient({ service, endpoint, region, credentials, ...limits })
}

/** The DNS suffix of a region's regional endpoints, for the partitions spoken here. */
const regionalSuffix = (region: string): string | undefined => {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) || region.includes('-iso')) return undefined
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'
}
