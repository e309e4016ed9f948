import type { APIGatewayRequestAuthorizerEventV2, APIGatewayTokenAuthorizerEvent } from 'aws-lambda'
import { apiGatewayFixture } from '../support/lambda.js'

/**
 * The benchmarked route: a downstream API route that needs a scope, so the
 * authorizer does its whole job (verify, route rules, policy with a Deny).
 */
export const BENCH_ROUTE_SCOPES: Readonly<Record<string, string>> = {
  'GET /datasets/*': 'datasets:read',
  'POST /datasets/*': 'datasets:write',
}
/** What the bench JWT carries: enough for the called route, not for every rule. */
export const BENCH_SCOPES = ['datasets:read'] as const

export const REST_METHOD_ARN =
  'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET/datasets/42'
export const HTTP_ROUTE_ARN =
  'arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default/GET/datasets/42'

/** A REST API TOKEN authorizer event, shaped as API Gateway sends it. */
export const restTokenEvent = (jwt: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  methodArn: REST_METHOD_ARN,
  authorizationToken: `Bearer ${jwt}`,
})

/** An HTTP API payload 2.0 authorizer event: the real fixture, on the bench route. */
export const httpV2AuthorizerEvent = (jwt: string): APIGatewayRequestAuthorizerEventV2 => {
  const event = apiGatewayFixture<APIGatewayRequestAuthorizerEventV2>('http-v2-authorizer.json')
  return {
    ...event,
    routeArn: HTTP_ROUTE_ARN,
    // As the constructs deploy it: the route key is an identity source (docs/design.md#cache-safety).
    identitySource: [`Bearer ${jwt}`, 'GET /datasets/{id}'],
    routeKey: 'GET /datasets/{id}',
    rawPath: '/datasets/42',
    headers: { ...event.headers, authorization: `Bearer ${jwt}` },
    pathParameters: { id: '42' },
    requestContext: {
      ...event.requestContext,
      http: { ...event.requestContext.http, method: 'GET', path: '/datasets/42' },
      routeKey: 'GET /datasets/{id}',
    },
  }
}
