import { isAllowedByPolicy } from '../../functions/core/route-permissions.js'
import type { AuthorizerHandler } from '../../functions/handlers/authorizer.js'
import { apiGatewayFixture } from './lambda.js'

/**
 * The real API Gateway authorizer events (test/fixtures/apigateway), moved
 * to any method and path: the three shapes the route-rule tests run in.
 */

type Event = Record<string, unknown>

export const PATH_SHAPES = ['REST TOKEN', 'REST REQUEST', 'HTTP API 2.0'] as const
export type PathShape = (typeof PATH_SHAPES)[number]

/** Where an HTTP API's rawPath is not the routeArn's path: a named stage, a custom domain. */
export interface HttpSpelling {
  readonly rawPath?: string
  readonly stage?: string
}

const REST_TOKEN = apiGatewayFixture<Event>('rest-token-authorizer.json')
const REST_REQUEST = apiGatewayFixture<Event>('rest-request-authorizer.json')
const HTTP_V2 = apiGatewayFixture<Event>('http-v2-authorizer.json')
const REST_BASE = 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod'
const HTTP_API = 'arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb'
/** A greedy route, as in the report: one route key for every path. */
const GREEDY_ROUTE_KEY = 'ANY /{proxy+}'

/**
 * The event API Gateway sends for `method path` in `shape`, with `authorization`.
 *
 * @example
 * pathEvent('REST TOKEN', 'GET', '/Datasets/42', `Bearer ${jwt}`)
 */
export const pathEvent = (
  shape: PathShape,
  method: string,
  path: string,
  authorization: string,
  http: HttpSpelling = {},
): Event => {
  const methodArn = `${REST_BASE}/${method}${path}`
  switch (shape) {
    case 'REST TOKEN':
      return { ...REST_TOKEN, methodArn, authorizationToken: authorization }
    case 'REST REQUEST': {
      const context = REST_REQUEST.requestContext as Event
      return {
        ...REST_REQUEST,
        methodArn,
        resource: '/{proxy+}',
        path,
        httpMethod: method,
        headers: { ...(REST_REQUEST.headers as Event), Authorization: authorization },
        multiValueHeaders: {
          ...(REST_REQUEST.multiValueHeaders as Event),
          Authorization: [authorization],
        },
        pathParameters: { proxy: path.slice(1) },
        requestContext: {
          ...context,
          resourcePath: '/{proxy+}',
          httpMethod: method,
          path: `/prod${path}`,
        },
      }
    }
    case 'HTTP API 2.0': {
      const stage = http.stage ?? '$default'
      const rawPath = http.rawPath ?? path
      const context = HTTP_V2.requestContext as Event
      return {
        ...HTTP_V2,
        routeArn: `${HTTP_API}/${stage}/${method}${path}`,
        // As the constructs deploy it: the route key is an identity source.
        identitySource: [authorization, GREEDY_ROUTE_KEY],
        routeKey: GREEDY_ROUTE_KEY,
        rawPath,
        headers: { ...(HTTP_V2.headers as Event), authorization },
        requestContext: {
          ...context,
          http: { ...(context.http as Event), method, path: rawPath },
          routeKey: GREEDY_ROUTE_KEY,
          stage,
        },
      }
    }
  }
}

/**
 * What API Gateway does with the authorizer's answer for this one request:
 * a REST (or IAM) policy is evaluated against the event's own ARN, as API
 * Gateway evaluates it, cached or not. A throw fails the test: a deny must
 * be a verdict, not an error.
 */
export const authorizerDecision = async (
  handler: AuthorizerHandler,
  shape: PathShape,
  method: string,
  path: string,
  authorization: string,
  http: HttpSpelling = {},
): Promise<'allow' | 'deny'> => {
  const event = pathEvent(shape, method, path, authorization, http)
  const answer = await handler(event)
  if ('isAuthorized' in answer) return answer.isAuthorized ? 'allow' : 'deny'
  const arn = (event.methodArn ?? event.routeArn) as string
  return isAllowedByPolicy(answer.policyDocument, arn) ? 'allow' : 'deny'
}
