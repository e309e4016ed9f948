import type { Context } from 'aws-lambda'
import { TollgateError, toTollgateError } from '../core/errors.js'
import {
  denyAllPolicy,
  type ExecuteApiArn,
  type PolicyDocument,
  parseExecuteApiArn,
} from '../core/route-permissions.js'
import {
  type AuthorizationDecision,
  type AuthorizerContext,
  authorizeRequest,
} from '../core/use-cases/authorize-request.js'
import {
  type AuthorizerDependencyProvider,
  lambdaAuthorizerDependencies,
} from './authorizer-dependencies.js'
import { logger } from './observability.js'

/** REST API answer, and HTTP API answer when HTTP_API_AUTHORIZER_RESPONSE=iam. */
export interface IamAuthorizerResponse {
  readonly principalId: string
  readonly policyDocument: PolicyDocument
  readonly context?: AuthorizerContext
}

/** HTTP API (payload 2.0) simple answer, the default. */
export interface SimpleAuthorizerResponse {
  readonly isAuthorized: boolean
  readonly context?: AuthorizerContext
}

export type AuthorizerResponse = IamAuthorizerResponse | SimpleAuthorizerResponse

export type AuthorizerHandler = (event: unknown, context?: Context) => Promise<AuthorizerResponse>

/** REST TOKEN and REQUEST events, or HTTP API payload 2.0. */
type EventKind = 'rest' | 'http'

interface AuthorizerRequest {
  readonly kind: EventKind
  readonly authorization: string | undefined
  readonly route: ExecuteApiArn
}

/** API Gateway's one way to make a REST authorizer answer 401; the message must be exactly this. */
const UNAUTHORIZED = 'Unauthorized'

/**
 * One Lambda authorizer for three event shapes:
 * - REST TOKEN `{type: 'TOKEN', authorizationToken, methodArn}`,
 * - REST REQUEST `{type: 'REQUEST', methodArn, headers, …}` (header names in any case),
 * - HTTP API payload 2.0 `{version: '2.0', routeArn, routeKey, headers, …}`.
 *
 * Answers: allowed → an IAM policy valid for every route (API Gateway caches
 * it, by default 300 s, and a REST TOKEN authorizer's cache is shared across
 * methods), or `{isAuthorized: true, context}` for HTTP simple responses.
 * Valid but lacking the route's scope → that same policy, whose explicit Deny
 * covers the route (403), or `{isAuthorized: false}`. Invalid or missing
 * credential → `throw new Error('Unauthorized')` (REST 401), `{isAuthorized:
 * false}`, or a deny-all policy. Any failure (bad event, bad config, key or
 * store outage) is also a deny: it fails closed.
 *
 * HTTP API simple responses carry no route information, so a cached `true`
 * would open every route to a token scoped for one. When caching is on for an
 * HTTP API with simple responses, make `$context.routeKey` part of the
 * identity sources (`$request.header.Authorization, $context.routeKey`) so
 * each route is cached apart, or use HTTP_API_AUTHORIZER_RESPONSE=iam.
 *
 * A plain async function rather than a middy stack: the error boundary has
 * to produce three different deny shapes, one of them a throw, which middy's
 * onError would only re-implement; and this function is the hot path that
 * `npm run bench` measures against bare jose, so it carries no middleware chain.
 */
export const createAuthorizerHandler =
  (dependencies: AuthorizerDependencyProvider): AuthorizerHandler =>
  async (event, lambdaContext) => {
    if (lambdaContext !== undefined) logger.addContext(lambdaContext)
    const kind = eventKind(event)
    let simpleResponses: boolean | undefined
    let decision: AuthorizationDecision
    let request: AuthorizerRequest
    try {
      request = parseEvent(event, kind)
      const deps = await dependencies()
      simpleResponses = deps.config.httpApiAuthorizerResponse === 'simple'
      decision = await authorizeRequest(deps, request)
    } catch (error) {
      return failClosed(error, kind, simpleResponses, event)
    }
    logDecision(decision, request.route)
    return respond(decision, request, simpleResponses)
  }

const respond = (
  decision: AuthorizationDecision,
  request: AuthorizerRequest,
  simpleResponses: boolean,
): AuthorizerResponse => {
  if (request.kind === 'http' && simpleResponses) {
    return decision.outcome === 'allow'
      ? { isAuthorized: true, context: decision.context }
      : { isAuthorized: false }
  }
  if (decision.outcome === 'unauthorized') {
    if (request.kind === 'rest') throw new Error(UNAUTHORIZED)
    // HTTP API with IAM responses: a bad credential is bad on every route.
    return { principalId: 'anonymous', policyDocument: denyAllPolicy(request.route) }
  }
  return {
    principalId: decision.principalId,
    policyDocument: decision.policy,
    context: decision.context,
  }
}

/**
 * The deny for anything that went wrong before a decision. When the config
 * could not be read, an HTTP API event gets the simple `{isAuthorized: false}`;
 * under IAM responses API Gateway takes that malformed answer as a 500, which
 * is still a deny.
 */
const failClosed = (
  error: unknown,
  kind: EventKind | undefined,
  simpleResponses: boolean | undefined,
  event: unknown,
): AuthorizerResponse => {
  const failure = toTollgateError(error)
  if (failure.code === 'invalid_token' || failure.code === 'invalid_request') {
    logger.info('authorizer refused', { code: failure.code, reason: failure.message })
  } else {
    logger.error('authorizer failed closed', {
      code: failure.code,
      error: failure.cause ?? failure,
    })
  }
  if (kind !== 'http') throw new Error(UNAUTHORIZED)
  if (simpleResponses !== false) return { isAuthorized: false }
  const route = parseExecuteApiArn((event as { routeArn?: unknown }).routeArn)
  return {
    principalId: 'anonymous',
    policyDocument: route === undefined ? DENY_EVERYWHERE : denyAllPolicy(route),
  }
}

const DENY_EVERYWHERE: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: '*' }],
}

/**
 * Refusals are logged at INFO, allows at DEBUG. An INFO line per allow cost
 * about a third of the warm decisions per second (measured, RS256), and it
 * would be an incomplete audit anyway:
 * API Gateway serves cached decisions without calling us. The per-request
 * record of who called belongs in the API's access log
 * (`$context.authorizer.principalId`, `$context.authorizer.atid`, …).
 */
const logDecision = (decision: AuthorizationDecision, route: ExecuteApiArn): void => {
  switch (decision.outcome) {
    case 'allow': {
      const { sub, atid, jti } = decision.context
      logger.debug('authorizer allowed', { sub, atid, jti, route: route.resource })
      return
    }
    case 'forbidden': {
      const { sub, atid, jti } = decision.context
      logger.info('authorizer forbade', {
        code: 'insufficient_scope',
        sub,
        atid,
        jti,
        route: route.resource,
        missing_scopes: decision.missingScopes,
      })
      return
    }
    case 'unauthorized':
      logger.info('authorizer refused', { code: 'invalid_token', reason: decision.reason })
  }
}

const eventKind = (event: unknown): EventKind | undefined => {
  if (typeof event !== 'object' || event === null) return undefined
  const { version, type } = event as { version?: unknown; type?: unknown }
  if (version === '2.0') return 'http'
  return type === 'TOKEN' || type === 'REQUEST' ? 'rest' : undefined
}

const badEvent = (detail: string): TollgateError =>
  new TollgateError('invalid_request', `Not an authorizer event: ${detail}.`)

const parseEvent = (event: unknown, kind: EventKind | undefined): AuthorizerRequest => {
  if (kind === undefined) throw badEvent('unknown shape')
  const fields = event as {
    type?: unknown
    methodArn?: unknown
    routeArn?: unknown
    authorizationToken?: unknown
    headers?: unknown
    multiValueHeaders?: unknown
  }
  const route = parseExecuteApiArn(kind === 'http' ? fields.routeArn : fields.methodArn)
  if (route === undefined) throw badEvent('no execute-api ARN')
  if (fields.type === 'TOKEN' && kind === 'rest') {
    const token = fields.authorizationToken
    return { kind, route, authorization: typeof token === 'string' ? token : undefined }
  }
  return {
    kind,
    route,
    authorization: authorizationHeader(fields.headers, fields.multiValueHeaders),
  }
}

/**
 * The `Authorization` header, its name in any case. Two of them (two names
 * differing in case, or two values in `multiValueHeaders`) is ambiguous and
 * refused, rather than picking one.
 */
const authorizationHeader = (headers: unknown, multiValueHeaders: unknown): string | undefined => {
  let found: string | undefined
  if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers)) {
      if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue
      if (found !== undefined || typeof value !== 'string') throw ambiguous()
      found = value
    }
  }
  if (typeof multiValueHeaders === 'object' && multiValueHeaders !== null) {
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue
      if (!Array.isArray(values) || values.length > 1 || values[0] !== found) throw ambiguous()
    }
  }
  return found
}

const ambiguous = (): TollgateError =>
  new TollgateError('invalid_token', 'The Authorization header is missing a value or repeated.')

export const handler = createAuthorizerHandler(lambdaAuthorizerDependencies)
