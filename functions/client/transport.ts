import * as z from 'zod/mini'
import { oauthError, problem } from '../api/schemas.js'
import { type RouteSpec, specOf } from '../api/spec.js'
import { ROUTES, type Route, routeKey } from '../core/routes.js'
import {
  apiErrorCode,
  TollgateApiError,
  TollgateNetworkError,
  TollgateOAuthError,
  TollgateResponseError,
} from './errors.js'
import type { JwtSource } from './jwt-source.js'
import { parseRetryAfter, type RetryPolicy, retryDelay } from './retry.js'
import type { Answer } from './routes.js'

/** Everything a call needs besides its route and input; built once per client. */
export interface Transport {
  /** Without a trailing slash; may carry a path prefix (an API Gateway stage). */
  readonly baseUrl: string
  readonly fetch: typeof globalThis.fetch
  readonly retry: RetryPolicy
  readonly timeoutMs: number
  readonly userAgent: string
  readonly now: () => number
  readonly sleep: (ms: number) => Promise<void>
  readonly random: () => number
}

/** One call as the transport sends it: a route key and loosely typed parts. */
export interface Request {
  readonly key: string
  readonly params?: Readonly<Record<string, string>> | undefined
  readonly query?: Readonly<Record<string, string | number | undefined>> | undefined
  readonly body?: unknown
  readonly ifMatch?: string | number | undefined
  readonly signal?: AbortSignal | undefined
  /** An OAuth client's credentials, sent as `client_secret_basic` (RFC 6749 §2.3.1). */
  readonly basic?: ClientSecretBasic | undefined
}

/** An OAuth client's id and secret: Tollgate's access token id and the token itself. */
export interface ClientSecretBasic {
  readonly clientId: string
  readonly clientSecret: string
}

interface KnownRoute {
  readonly route: Pick<Route, 'method' | 'path' | 'authorization'>
  readonly spec: RouteSpec
}

const KNOWN_ROUTES = new Map<string, KnownRoute>(
  ROUTES.flatMap((route) => {
    const spec = specOf(routeKey(route))
    return spec === undefined ? [] : [[routeKey(route), { route, spec }] as const]
  }),
)

/**
 * Sends one call and returns its answer, validated by the route's own schema.
 * Retries a 503 (after `Retry-After`, else backoff with jitter) and, for GETs
 * only, a network failure; never a 4xx. A 401 on a JWT the source can renew
 * is retried once with a new JWT (a regenerate elsewhere may have made the
 * cached one stale), never more.
 */
export const send = async (
  transport: Transport,
  request: Request,
  jwtSource: JwtSource | undefined,
  extraRoute?: KnownRoute,
): Promise<Answer<unknown>> => {
  const known = extraRoute ?? KNOWN_ROUTES.get(request.key)
  if (known === undefined) throw new TypeError(`No such route: ${request.key}`)
  const { route, spec } = known
  const url = urlOf(transport.baseUrl, route.path, request)
  // `/oauth2/introspect` checks its bearer itself, in OAuth's terms, behind `none`.
  const needsJwt = route.authorization !== 'none' || spec.oauth?.credential === 'bearer'
  if (needsJwt && jwtSource === undefined) {
    throw new TypeError(`${request.key} needs credentials: give the client an accessToken or a jwt`)
  }
  let attempts = 0
  let renewedJwt = false
  for (;;) {
    attempts += 1
    const jwt = needsJwt ? await (jwtSource as JwtSource).get() : undefined
    const signal = callSignal(transport.timeoutMs, request.signal)
    let response: Response
    let text: string
    try {
      response = await transport.fetch(url, {
        method: route.method,
        headers: headersOf(transport, request, jwt, spec),
        body: bodyOf(request, spec),
        redirect: 'manual',
        signal,
      })
      text = await response.text()
    } catch (error) {
      if (request.signal?.aborted === true) throw request.signal.reason
      const delay =
        route.method === 'GET'
          ? retryDelay(transport.retry, attempts, undefined, transport.random)
          : undefined
      if (delay === undefined) {
        throw new TollgateNetworkError(request.key, networkDetail(error, url), { cause: error })
      }
      await transport.sleep(delay)
      continue
    }
    if (response.status === 401 && jwt !== undefined && !renewedJwt) {
      renewedJwt = true
      if ((jwtSource as JwtSource).invalidate(jwt)) continue
    }
    if (response.status === 503) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'), transport.now())
      const delay = retryDelay(transport.retry, attempts, retryAfter, transport.random)
      if (delay !== undefined) {
        await transport.sleep(delay)
        continue
      }
    }
    return readAnswer(request.key, spec, response, text)
  }
}

const urlOf = (baseUrl: string, path: string, request: Request): string => {
  const filled = path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = request.params?.[name]
    // `.` and `..` would be resolved away as dot segments and reach another route.
    if (value === undefined || value === '' || value === '.' || value === '..') {
      throw new TypeError(`${request.key}: path parameter "${name}" must be a non-empty id`)
    }
    return encodeURIComponent(value)
  })
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) query.set(name, String(value))
  }
  const search = query.size > 0 ? `?${query}` : ''
  return `${baseUrl}${filled}${search}`
}

/** JSON, but `/oauth2/*` take forms (RFC 6749 §3.2): each field once, strings as they are. */
const bodyOf = (request: Request, spec: RouteSpec): string | null => {
  if (request.body === undefined) return null
  if (spec.oauth === undefined) return JSON.stringify(request.body)
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(request.body as Record<string, unknown>)) {
    if (value !== undefined) form.set(name, String(value))
  }
  return form.toString()
}

const headersOf = (
  transport: Transport,
  request: Request,
  jwt: string | undefined,
  spec: RouteSpec,
): Record<string, string> => {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    'user-agent': transport.userAgent,
  }
  if (request.body !== undefined) {
    headers['content-type'] =
      spec.oauth === undefined ? 'application/json' : 'application/x-www-form-urlencoded'
  }
  if (jwt !== undefined) headers.authorization = `Bearer ${jwt}`
  if (request.basic !== undefined && spec.oauth?.credential === 'client') {
    headers.authorization = basicAuthorization(request.basic)
  }
  if (request.ifMatch !== undefined) headers['if-match'] = entityTag(request.ifMatch)
  return headers
}

/**
 * `Basic base64(id ":" secret)`, each part form-urlencoded first (RFC 6749
 * §2.3.1), which servers decode; base64 of the ASCII this leaves.
 */
const basicAuthorization = ({ clientId, clientSecret }: ClientSecretBasic): string => {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2)
  return `Basic ${btoa(`${encode(clientId)}:${encode(clientSecret)}`)}`
}

/** A token's `version` (3) or an ETag as the server sent it (`"3"`). */
const entityTag = (ifMatch: string | number): string =>
  typeof ifMatch === 'number' ? `"${ifMatch}"` : ifMatch

const callSignal = (timeoutMs: number, signal: AbortSignal | undefined): AbortSignal => {
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal === undefined ? timeout : AbortSignal.any([timeout, signal])
}

/** Why the server could not be reached, without anything from the request. */
const networkDetail = (error: unknown, url: string): string => {
  const origin = new URL(url).origin
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `${origin} did not answer in time.`
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : ''
  return `Could not reach ${origin}${code}.`
}

const requestIdOf = (response: Response): string | undefined =>
  response.headers.get('x-request-id') ??
  response.headers.get('apigw-requestid') ??
  response.headers.get('x-amzn-requestid') ??
  undefined

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

const readAnswer = (
  key: string,
  spec: RouteSpec,
  response: Response,
  text: string,
): Answer<unknown> => {
  const { status } = response
  const requestId = requestIdOf(response)
  if (status === spec.success.status) {
    const etag = response.headers.get('etag') ?? undefined
    const schema: z.core.$ZodType | undefined = spec.success.schema
    if (schema === undefined) return { status, data: undefined, etag, requestId }
    const json = parseJson(text)
    if (!json.ok)
      throw new TollgateResponseError(
        key,
        status,
        `${key} answered ${status} with a body that is not JSON.`,
      )
    const parsed = z.safeParse(schema, json.value)
    if (!parsed.success) {
      const fields = [
        ...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(body)')),
      ]
      throw new TollgateResponseError(
        key,
        status,
        `${key} answered outside the API contract (${fields.slice(0, 5).join(', ')}); client and server versions may differ.`,
        { cause: parsed.error },
      )
    }
    return { status, data: parsed.data, etag, requestId }
  }
  if (status < 400) {
    const where =
      status >= 300 && status < 400 ? ` (a redirect: use the final URL as the base URL)` : ''
    throw new TollgateResponseError(
      key,
      status,
      `${key} answered ${status}, not ${spec.success.status}${where}.`,
    )
  }
  const json = parseJson(text)
  // `/oauth2/*` refuse in RFC 6749 form, which OAuth's own error type carries.
  const oauth =
    json.ok && spec.oauth !== undefined ? z.safeParse(oauthError, json.value) : undefined
  if (oauth?.success === true) {
    throw new TollgateOAuthError({
      error: oauth.data.error,
      errorDescription: oauth.data.error_description,
      status,
      requestId,
      route: key,
    })
  }
  const body = json.ok ? z.safeParse(z.partial(problem), json.value) : undefined
  const fields = body?.success === true ? body.data : {}
  throw new TollgateApiError({
    code: apiErrorCode(fields.code, status),
    status,
    detail: fields.detail ?? `HTTP ${status} without a problem+json body.`,
    requestId: fields.request_id ?? requestId,
    route: key,
    maxDurationSeconds: fields.max_duration_seconds,
  })
}
