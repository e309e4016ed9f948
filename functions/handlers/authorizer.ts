import type { Context } from 'aws-lambda'
import { TollgateError, toTollgateError } from '../core/errors.js'
import {
  denyAllPolicy,
  type ExecuteApiArn,
  type PolicyDocument,
  parseExecuteApiArn,
} from '../core/route-permissions.js'
import {
  AMBIGUOUS_AUTHORIZATION,
  type AuthorizationDecision,
  type AuthorizeRequest,
  type AuthorizerContext,
  authorizeRequest,
} from '../core/use-cases/authorize-request.js'
import type { AuthorizerDependencyProvider } from '../wiring/authorizer.js'
import { logger, metricFields } from '../wiring/observability.js'

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

interface AuthorizerRequest extends AuthorizeRequest {
  readonly kind: EventKind
  /** HTTP API only: the route key, and whether API Gateway caches per route (it is an identity source). */
  readonly routeKeyInIdentity: boolean
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
 * credential (a revoked JWT included) → `throw new Error('Unauthorized')`
 * (REST 401), `{isAuthorized: false}`, or a deny-all policy. A failure that is
 * no verdict (bad event, bad config, key, store or deny-list outage) is
 * thrown as another error: API Gateway answers it 500 and caches nothing.
 *
 * Route rules match the request's canonical path (`core/canonical-path.ts`):
 * the methodArn's for REST, and both rawPath's and the routeArn's for HTTP
 * APIs; where rules exist, a path with no canonical form is refused, and a
 * refused route is named as spelled in the policy's Deny.
 *
 * HTTP API simple responses carry no route information, so a cached `true`
 * would open every route to a token scoped for one: on a route with scope
 * rules the answer is `true` only when `$context.routeKey` is among the
 * identity sources (`$request.header.Authorization, $context.routeKey`), so
 * each route is cached apart; the constructs always set it so.
 *
 * A plain async function rather than a middy stack: the error boundary has
 * to produce three different deny shapes and two kinds of throw, which
 * middy's onError would only re-implement; and this function is the hot path that
 * `npm run bench` measures against bare jose, so it carries no middleware chain.
 */
export const createAuthorizerHandler =
  (dependencies: AuthorizerDependencyProvider): AuthorizerHandler =>
  async (event, lambdaContext) => {
    if (lambdaContext !== undefined) logger.invoked(lambdaContext)
    const kind = eventKind(event)
    let simpleResponses: boolean
    let decision: AuthorizationDecision
    let request: AuthorizerRequest
    try {
      request = parseEvent(event, kind)
      const deps = await dependencies()
      simpleResponses = deps.config.httpApiAuthorizerResponse === 'simple'
      decision = await authorizeRequest(deps, request)
    } catch (error) {
      return cannotDecide(error, lambdaContext)
    }
    logDecision(decision, request.route, lambdaContext)
    try {
      return respond(decision, request, simpleResponses, lambdaContext)
    } finally {
      // A line still waiting for the Logger to load (an instance's first) is written
      // before we answer: Lambda may freeze the process as soon as we do.
      const pending = logger.pending()
      if (pending !== undefined) await pending
    }
  }

const respond = (
  decision: AuthorizationDecision,
  request: AuthorizerRequest,
  simpleResponses: boolean,
  lambdaContext: Context | undefined,
): AuthorizerResponse => {
  if (request.kind === 'http' && simpleResponses) {
    if (decision.outcome !== 'allow') return { isAuthorized: false }
    // `true` says nothing about the route: cached under the token alone, it would open
    // every route to a token scoped for this one (docs/design.md#cache-safety).
    if (decision.scopedRoute && !request.routeKeyInIdentity) {
      logger.error(
        'authorizer misconfigured: $context.routeKey is not an identity source',
        { route: request.route.resource },
        lambdaContext,
      )
      return { isAuthorized: false }
    }
    return { isAuthorized: true, context: decision.context }
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
 * A failure that is not a verdict on the caller (store, keys or deny-list
 * unavailable, bad configuration, an event API Gateway would not send) is
 * thrown, never answered as a deny: REST APIs then answer AUTHORIZER_FAILURE
 * (the constructs make it a 503 with Retry-After), HTTP APIs a 500, and
 * neither caches it. It fails closed all the same: nothing is allowed.
 */
const cannotDecide = async (error: unknown, lambdaContext: Context | undefined): Promise<never> => {
  const failure = toTollgateError(error)
  logger.error(
    'authorizer could not decide',
    {
      code: failure.code,
      error: failure.cause ?? failure,
      ...metricFields({ Faults: 1 }, failure.code),
    },
    lambdaContext,
  )
  const pending = logger.pending()
  if (pending !== undefined) await pending
  throw new Error('Authorizer could not decide')
}

/**
 * Refusals are logged at INFO, allows at DEBUG. An INFO line per allow cost
 * about a third of the warm decisions per second (measured, RS256), and it
 * would be an incomplete audit anyway:
 * API Gateway serves cached decisions without calling us. The per-request
 * record of who called belongs in the API's access log
 * (`$context.authorizer.principalId`, `$context.authorizer.atid`, …).
 */
const logDecision = (
  decision: AuthorizationDecision,
  route: ExecuteApiArn,
  lambdaContext: Context | undefined,
): void => {
  switch (decision.outcome) {
    case 'allow': {
      // Asked of the loaded Logger, once (building a DEBUG record nobody writes cost a few
      // percent of a warm decision); false while it is not loaded, which the Lambda
      // composition rules out where the environment may ask for DEBUG (`mayLogDebug`).
      if (!logger.debugEnabled()) return
      const { sub, atid, jti } = decision.context
      logger.debug('authorizer allowed', { sub, atid, jti, route: route.resource }, lambdaContext)
      return
    }
    case 'forbidden': {
      const { sub, atid, jti } = decision.context
      logger.info(
        'authorizer forbade',
        {
          code: decision.reason,
          sub,
          atid,
          jti,
          route: route.resource,
          missing_scopes: decision.missingScopes,
          ...metricFields({ Refusals: 1 }, decision.reason),
        },
        lambdaContext,
      )
      return
    }
    case 'unauthorized':
      logger.info(
        'authorizer refused',
        {
          code: 'invalid_token',
          reason: decision.reason,
          ...metricFields({ Refusals: 1 }, 'invalid_token'),
        },
        lambdaContext,
      )
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
    routeKey?: unknown
    identitySource?: unknown
    rawPath?: unknown
    requestContext?: unknown
  }
  const route = parseExecuteApiArn(kind === 'http' ? fields.routeArn : fields.methodArn)
  if (route === undefined) throw badEvent('no execute-api ARN')
  if (fields.type === 'TOKEN' && kind === 'rest') {
    const token = fields.authorizationToken
    return {
      kind,
      route,
      authorization: typeof token === 'string' ? token : undefined,
      routeKeyInIdentity: false,
    }
  }
  let rawPath: string | undefined
  if (kind === 'http') {
    if (typeof fields.rawPath !== 'string') throw badEvent('no rawPath')
    rawPath = withoutStage(fields.rawPath, fields.requestContext)
  }
  return {
    kind,
    route,
    rawPath,
    authorization: authorizationHeader(fields.headers, fields.multiValueHeaders),
    routeKeyInIdentity:
      typeof fields.routeKey === 'string' &&
      Array.isArray(fields.identitySource) &&
      fields.identitySource.includes(fields.routeKey),
  }
}

/**
 * An HTTP API's rawPath without the `/<stage>` that a named stage's own
 * endpoint puts in front of it (`$default` has none). Behind a custom domain
 * the prefix is the mapping's base path instead, which the authorizer
 * cannot know: the routeArn's path is matched as well, so a prefix taken
 * off wrongly or left on only makes rules cover more.
 */
const withoutStage = (rawPath: string, requestContext: unknown): string => {
  const stage =
    typeof requestContext === 'object' && requestContext !== null
      ? (requestContext as { stage?: unknown }).stage
      : undefined
  if (typeof stage !== 'string' || stage === '$default' || stage === '') return rawPath
  const end = stage.length + 1
  const prefixed =
    rawPath.charCodeAt(0) === 0x2f &&
    rawPath.startsWith(stage, 1) &&
    (rawPath.length === end || rawPath.charCodeAt(end) === 0x2f)
  if (!prefixed) return rawPath
  return rawPath.length === end ? '/' : rawPath.slice(end)
}

/**
 * The `Authorization` header, its name in any case. Two of them (two names
 * differing in case, or two values in `multiValueHeaders`) is ambiguous and
 * refused, rather than picking one.
 */
const authorizationHeader = (
  headers: unknown,
  multiValueHeaders: unknown,
): AuthorizeRequest['authorization'] => {
  let found: string | undefined
  // Object.keys, not entries: no [name, value] pair allocated per header on the hot path.
  if (typeof headers === 'object' && headers !== null) {
    for (const name of Object.keys(headers)) {
      if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue
      const value = (headers as Record<string, unknown>)[name]
      if (found !== undefined || typeof value !== 'string') return AMBIGUOUS_AUTHORIZATION
      found = value
    }
  }
  if (typeof multiValueHeaders === 'object' && multiValueHeaders !== null) {
    for (const name of Object.keys(multiValueHeaders)) {
      if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue
      const values = (multiValueHeaders as Record<string, unknown>)[name]
      if (!Array.isArray(values) || values.length > 1 || values[0] !== found) {
        return AMBIGUOUS_AUTHORIZATION
      }
    }
  }
  return found
}
