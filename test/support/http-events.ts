import type { APIGatewayProxyEventV2 } from 'aws-lambda'

export interface HttpApiEventOptions {
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  readonly pathParameters?: Readonly<Record<string, string>>
}

/**
 * An HTTP API payload 2.0 event for `routeKey` (`POST /access-tokens/jwt`),
 * as API Gateway sends it to a handler; `body` is sent as JSON.
 *
 * @example
 * const event = httpApiEvent('GET /whoami', { headers: { authorization: `Bearer ${jwt}` } })
 */
export const httpApiEvent = (
  routeKey: string,
  options: HttpApiEventOptions = {},
): APIGatewayProxyEventV2 => {
  const [method = 'GET', path = '/'] = routeKey.split(' ')
  const rawPath = Object.entries(options.pathParameters ?? {}).reduce(
    (result, [name, value]) => result.replace(`{${name}}`, value),
    path,
  )
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: {
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.pathParameters === undefined
      ? {}
      : { pathParameters: { ...options.pathParameters } }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'test',
      },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: Date.now(),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    isBase64Encoded: false,
  }
}
