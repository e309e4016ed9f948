import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda'

/** API Gateway proxy events as Tollgate's handlers accept them: REST (1.0) or HTTP API (2.0). */
export type ProxyEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent

/** The parts of a proxy event a handler needs, the same for both payload versions. */
export interface HttpRequest {
  readonly method: string
  readonly path: string
  /** Lower-cased names; the last value wins, as API Gateway 2.0 joins repeats with commas. */
  readonly headers: Readonly<Record<string, string>>
  readonly pathParameters: Readonly<Record<string, string | undefined>>
  /** Raw body bytes, base64-decoded when API Gateway encoded them. */
  readonly body: Buffer | undefined
  readonly requestId: string
  /** What the Lambda authorizer put in its context; empty on unprotected routes. */
  readonly authorizer: Readonly<Record<string, unknown>>
}

export const isHttpApiEvent = (event: ProxyEvent): event is APIGatewayProxyEventV2 =>
  (event as { version?: string }).version === '2.0'

export const toHttpRequest = (event: ProxyEvent): HttpRequest => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value
  }
  const body =
    typeof event.body === 'string'
      ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
      : undefined
  const common = { headers, body, pathParameters: event.pathParameters ?? {} }
  return isHttpApiEvent(event)
    ? {
        ...common,
        method: event.requestContext.http.method,
        path: event.rawPath,
        requestId: event.requestContext.requestId,
        authorizer: lambdaAuthorizerContext(event),
      }
    : {
        ...common,
        method: event.httpMethod,
        path: event.path,
        requestId: event.requestContext.requestId,
        // REST puts the context members next to its own principalId and latency.
        authorizer: withoutKeys(event.requestContext.authorizer ?? {}, [
          'principalId',
          'integrationLatency',
        ]),
      }
}

const lambdaAuthorizerContext = (event: APIGatewayProxyEventV2): Record<string, unknown> => {
  const authorizer = (event.requestContext as { authorizer?: { lambda?: unknown } }).authorizer
  const context = authorizer?.lambda
  return typeof context === 'object' && context !== null ? { ...context } : {}
}

const withoutKeys = (
  record: Readonly<Record<string, unknown>>,
  keys: readonly string[],
): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)))
