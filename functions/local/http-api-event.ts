import type { IncomingMessage } from 'node:http'
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'
import type { Route } from '../core/routes.js'
import type { RequestTarget } from './request-target.js'

/** What the dev server knows of a request once it is routed and read. */
export interface RoutedRequest {
  readonly request: IncomingMessage
  readonly target: RequestTarget
  readonly route: Route
  readonly pathParameters: Readonly<Record<string, string>>
  readonly body: Buffer
  readonly requestId: string
}

/**
 * The API Gateway HTTP API (payload 2.0) event for a routed request: headers
 * lower-cased with repeats comma-joined, repeated query parameters
 * comma-joined, and the body base64-encoded, as API Gateway sends them.
 */
export const toHttpApiEvent = ({
  request,
  target,
  route,
  pathParameters,
  body,
  requestId,
}: RoutedRequest): APIGatewayProxyEventV2 => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value
  }
  const routeKey = `${route.method} ${route.path}`
  const now = new Date()
  const queryStringParameters = queryParameters(target.query)
  return {
    version: '2.0',
    routeKey,
    rawPath: target.path,
    rawQueryString: target.query,
    headers,
    ...(queryStringParameters === undefined ? {} : { queryStringParameters }),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters: { ...pathParameters } } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: target.path,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    // API Gateway base64-encodes bodies it does not know to be text; doing so always is equivalent.
    ...(body.byteLength > 0 ? { body: body.toString('base64') } : {}),
    isBase64Encoded: body.byteLength > 0,
  }
}

const queryParameters = (query: string): Record<string, string> | undefined => {
  if (query === '') return undefined
  // A Map, then own properties: a parameter named __proto__ stays a parameter.
  const parameters = new Map<string, string>()
  for (const [name, value] of new URLSearchParams(query)) {
    const previous = parameters.get(name)
    parameters.set(name, previous === undefined ? value : `${previous},${value}`)
  }
  return Object.fromEntries(parameters)
}

/** The Lambda context one invocation of `tollgate-<name>` gets. */
export const lambdaContext = (name: string, awsRequestId: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `tollgate-${name}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:tollgate-${name}`,
  memoryLimitInMB: '1024',
  awsRequestId,
  logGroupName: `/aws/lambda/tollgate-${name}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
})
