import type { APIGatewayRequestAuthorizerEventV2, APIGatewayTokenAuthorizerEvent } from 'aws-lambda'

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

/**
 * An HTTP API payload 2.0 authorizer event, shaped as API Gateway sends it
 * (which leaves out `cookies` and empty parameter maps).
 */
export const httpV2AuthorizerEvent = (
  jwt: string,
): Omit<APIGatewayRequestAuthorizerEventV2, 'cookies'> => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: HTTP_ROUTE_ARN,
  identitySource: [`Bearer ${jwt}`],
  routeKey: 'GET /datasets/{id}',
  rawPath: '/datasets/42',
  rawQueryString: '',
  headers: {
    accept: '*/*',
    'accept-encoding': 'gzip, deflate',
    authorization: `Bearer ${jwt}`,
    'content-length': '0',
    host: 'lsw1ro4ipb.execute-api.eu-west-1.amazonaws.com',
    'user-agent': 'tollgate-bench',
    'x-amzn-trace-id': 'Root=1-66705bc7-2b4257df30cbee696ef2cf28',
    'x-forwarded-for': '15.248.3.126',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  },
  pathParameters: { id: '42' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'lsw1ro4ipb',
    domainName: 'lsw1ro4ipb.execute-api.eu-west-1.amazonaws.com',
    domainPrefix: 'lsw1ro4ipb',
    http: {
      method: 'GET',
      path: '/datasets/42',
      protocol: 'HTTP/1.1',
      sourceIp: '15.248.3.126',
      userAgent: 'tollgate-bench',
    },
    requestId: 'ZhNHJhhLjoEEPiw=',
    routeKey: 'GET /datasets/{id}',
    stage: '$default',
    time: '17/Jun/2024:15:52:39 +0000',
    timeEpoch: 1718639559080,
  },
})
