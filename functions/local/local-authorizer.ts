import { randomUUID } from 'node:crypto'
import type { APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda'
import type { Clock } from '../core/ports.js'
import { isAllowedByPolicy } from '../core/route-permissions.js'
import type { AuthorizerHandler, AuthorizerResponse } from '../handlers/authorizer.js'
import { lambdaContext } from './http-api-event.js'
import type { InvocationScope } from './invocation-scope.js'

/** What API Gateway's HTTP API lets through, or its own fixed answer. */
export type LocalAuthorization =
  | { readonly allowed: true; readonly context: Readonly<Record<string, unknown>> }
  | { readonly allowed: false; readonly response: APIGatewayProxyResult }

export interface HttpApiAuthorizerOptions {
  readonly authorizer: AuthorizerHandler
  readonly invoke: InvocationScope
  readonly clock: Clock
  /** AUTHORIZER_CACHE_TTL_SECONDS; 0 turns the result cache off. */
  readonly cacheTtlSeconds: number
}

/**
 * API Gateway HTTP API's fixed answers: an authorizer cannot shape them
 * (docs/design.md#failure-semantics), so the dev server answers exactly these.
 */
const FIXED = {
  unauthorized: { status: 401, message: 'Unauthorized' },
  forbidden: { status: 403, message: 'Forbidden' },
  failed: { status: 500, message: 'Internal Server Error' },
} as const

const fixedAnswer = ({
  status,
  message,
}: (typeof FIXED)[keyof typeof FIXED]): APIGatewayProxyResult => ({
  statusCode: status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
  isBase64Encoded: false,
})

/**
 * Runs the Lambda authorizer in front of a route exactly as an HTTP API does
 * with a payload 2.0 REQUEST authorizer and the identity sources the
 * constructs set (`$request.header.Authorization`, `$context.routeKey`):
 * - no Authorization header → 401, without invoking the authorizer;
 * - `isAuthorized: false` (or an IAM policy that does not allow the route) → 403;
 * - a throw → 500 (never cached);
 * - otherwise the context goes to the integration as `authorizer.lambda`.
 * Answers are cached per identity-source values for the TTL, allows and
 * denies alike, as API Gateway caches them: a revoked token's JWT can pass
 * until its entry expires, which the revocation budget counts.
 *
 * @example
 * const authorize = httpApiAuthorizer({ authorizer, invoke, clock, cacheTtlSeconds: 10 })
 * const outcome = await authorize(event)
 */
/** Cached answers kept at most: API Gateway bounds its cache too, and the dev server must not grow. */
const MAX_CACHED = 10_000

export const httpApiAuthorizer = (options: HttpApiAuthorizerOptions) => {
  const cache = new Map<string, { readonly outcome: LocalAuthorization; readonly until: number }>()
  const remember = (key: string, outcome: LocalAuthorization, now: number) => {
    if (cache.size >= MAX_CACHED) {
      for (const [held, entry] of cache) if (entry.until <= now) cache.delete(held)
      // Still full of live entries: drop the oldest (Map keeps insertion order).
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string)
    }
    cache.set(key, { outcome, until: now + options.cacheTtlSeconds * 1000 })
  }
  return async (event: APIGatewayProxyEventV2): Promise<LocalAuthorization> => {
    const authorization = event.headers.authorization
    if (authorization === undefined || authorization === '') {
      return { allowed: false, response: fixedAnswer(FIXED.unauthorized) }
    }
    const identitySource = [authorization, event.routeKey]
    const key = JSON.stringify(identitySource)
    const now = options.clock.now()
    const cached = cache.get(key)
    if (cached !== undefined && cached.until > now) return cached.outcome
    const { accountId, apiId, stage, http } = event.requestContext
    const routeArn = `arn:aws:execute-api:local:${accountId}:${apiId}/${stage}/${http.method}${event.rawPath}`
    const awsRequestId = randomUUID()
    let answer: AuthorizerResponse
    try {
      answer = await options.invoke(awsRequestId, () =>
        options.authorizer(
          { ...event, type: 'REQUEST', routeArn, identitySource },
          lambdaContext('authorizer', awsRequestId),
        ),
      )
    } catch {
      return { allowed: false, response: fixedAnswer(FIXED.failed) }
    }
    const allowed =
      'isAuthorized' in answer
        ? answer.isAuthorized === true
        : isAllowedByPolicy(answer.policyDocument, routeArn)
    const outcome: LocalAuthorization = allowed
      ? { allowed: true, context: { ...(answer.context ?? {}) } }
      : { allowed: false, response: fixedAnswer(FIXED.forbidden) }
    if (options.cacheTtlSeconds > 0) remember(key, outcome, now)
    return outcome
  }
}
