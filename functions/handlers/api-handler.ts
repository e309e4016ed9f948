import * as z from 'zod/mini'
import { specOf } from '../api/spec.js'
import type { RequestContext } from '../core/caller.js'
import { TollgateError } from '../core/errors.js'
import { authorizeRoute } from '../core/permissions.js'
import { etagOf, type IfMatch } from '../core/preconditions.js'
import {
  type HandlerName,
  type HandlerRouteKey,
  ROUTES,
  type Route,
  routeKey,
} from '../core/routes.js'
import { authenticateCaller } from '../core/use-cases/authenticate-caller.js'
import type { CallerDependencies } from '../wiring/dependencies.js'
import type { HttpRequest } from './http-event.js'
import { createHttpHandler, type LambdaHttpHandler } from './http-middleware.js'
import { type HttpResponse, jsonResponse, NO_STORE } from './http-response.js'
import { parseJsonBody } from './json-body.js'

/** One route's logic, once its caller is known and allowed on the route. */
export type Operation<D extends CallerDependencies = CallerDependencies> = (call: {
  readonly request: HttpRequest
  readonly deps: D
  readonly context: RequestContext
}) => Promise<HttpResponse>

const ROUTES_BY_KEY = new Map<string, Route>(ROUTES.map((route) => [routeKey(route), route]))

/**
 * A handler module for routes that authorize in the handler
 * (docs/design.md#tollgates-own-protected-routes): it finds the route, establishes the
 * caller with one strongly consistent read of their records, checks the
 * route's scopes, then runs the route's operation. `operations` holds
 * exactly the module's routes of the table: one missing or mistyped fails
 * the typecheck.
 *
 * @example
 * export const handler = createAuthorizedHandler('whoami', provider, { 'GET /whoami': whoami })
 */
export const createAuthorizedHandler = <H extends HandlerName, D extends CallerDependencies>(
  _handler: H,
  dependencies: () => Promise<D>,
  operations: { readonly [K in HandlerRouteKey<H>]: Operation<D> },
): LambdaHttpHandler => {
  const byKey = new Map<string, Operation<D>>(Object.entries(operations))
  return createHttpHandler(async (request) => {
    const route: Route | undefined = ROUTES_BY_KEY.get(request.routeKey)
    const operation = byKey.get(request.routeKey)
    if (route === undefined || operation === undefined || route.authorization !== 'handler') {
      throw new TollgateError('not_found', 'No route matches this method and path.')
    }
    const deps = await dependencies()
    const caller = await authenticateCaller(deps, request.headers.authorization)
    authorizeRoute(route, caller)
    return operation({ request, deps, context: { caller, requestId: request.requestId } })
  })
}

/** The body, validated by the route's schema. */
export const bodyOf = <T>(request: HttpRequest, schema: z.core.$ZodType<T>): T =>
  parseJsonBody(request.body, request.headers['content-type'], schema)

/** The query, validated by the route's schema: unknown parameters are refused, not ignored. */
export const queryOf = <T>(request: HttpRequest, schema: z.core.$ZodType<T>): T => {
  const result = z.safeParse(schema, request.query)
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((issue) => describeField(issue)))]
    throw new TollgateError('invalid_request', `Invalid query parameter(s): ${fields.join(', ')}.`)
  }
  return result.data
}

const SHOWABLE = /^[a-z_]{1,20}$/
const describeField = (issue: z.core.$ZodIssue): string => {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => (SHOWABLE.test(key) ? key : '(unnamed)')).join(', ')
  }
  return String(issue.path[0] ?? 'query')
}

/** `limit` (1-100, default 20) and `cursor` of a list query. */
export const pageOf = (query: { limit?: string | undefined; cursor?: string | undefined }) => ({
  limit: query.limit === undefined ? 20 : Number(query.limit),
  cursor: query.cursor,
})

/** A path parameter API Gateway matched; its absence is a routing bug, so `not_found`. */
export const pathParameter = (request: HttpRequest, name: string): string => {
  const value = request.pathParameters[name]
  if (value === undefined || value.length === 0) {
    throw new TollgateError('not_found', 'No route matches this method and path.')
  }
  return value
}

const ENTITY_TAG = /^(W\/)?"([^"]*)"$/

/**
 * `If-Match`, required on every PATCH (428 without). Strong comparison
 * (RFC 9110 §13.1.1): a weak tag never matches; `*` matches any current version.
 */
export const ifMatchOf = (request: HttpRequest): IfMatch => {
  const header = request.headers['if-match']?.trim()
  if (header === undefined || header === '') {
    throw new TollgateError(
      'precondition_required',
      'This change needs If-Match with the ETag of the version you read.',
    )
  }
  if (header === '*') return '*'
  const versions: number[] = []
  for (const part of header.split(',')) {
    const match = ENTITY_TAG.exec(part.trim())
    if (match === null)
      throw new TollgateError('invalid_request', 'If-Match is not a list of entity tags.')
    if (match[1] === undefined && /^[1-9][0-9]{0,15}$/.test(match[2] ?? '')) {
      versions.push(Number(match[2]))
    }
  }
  return versions
}

/**
 * The success answer of a route, shaped by its spec: status, `ETag` where
 * the route has one, `no-store` always (answers are per caller, some hold a
 * secret).
 */
export const answer = (
  request: HttpRequest,
  body: unknown,
  options: { readonly version?: number } = {},
): HttpResponse => {
  const spec = specOf(request.routeKey)
  const status = spec?.success.status ?? 200
  const headers: Record<string, string> = { ...NO_STORE }
  if (spec?.etag === true && options.version !== undefined) headers.etag = etagOf(options.version)
  if (status === 204) return { statusCode: 204, headers, body: '', isBase64Encoded: false }
  return jsonResponse(status, body, headers)
}
