import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda'

/** API Gateway proxy events as Tollgate's handlers accept them: REST (1.0) or HTTP API (2.0). */
export type ProxyEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent

/** The parts of a proxy event a handler needs, the same for both payload versions. */
export interface HttpRequest {
  readonly method: string
  readonly path: string
  /** The route table key that matched (`GET /access-tokens/{id}`), as API Gateway names it. */
  readonly routeKey: string
  /** Lower-cased names; the last value wins, as API Gateway 2.0 joins repeats with commas. */
  readonly headers: Readonly<Record<string, string>>
  readonly pathParameters: Readonly<Record<string, string | undefined>>
  /** Query parameters; a repeated one is refused by the handler that reads it. */
  readonly query: Readonly<Record<string, string | undefined>>
  /** Raw body bytes, base64-decoded when API Gateway encoded them. */
  readonly body: Buffer | undefined
  readonly requestId: string
  /** The client address API Gateway saw, for the issuance log. */
  readonly sourceIp: string
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
        routeKey: event.routeKey,
        sourceIp: event.requestContext.http.sourceIp,
        query: event.queryStringParameters ?? {},
        requestId: event.requestContext.requestId,
        authorizer: lambdaAuthorizerContext(event),
      }
    : {
        ...common,
        method: event.httpMethod,
        path: event.path,
        routeKey: `${event.httpMethod} ${event.resource}`,
        sourceIp: event.requestContext.identity?.sourceIp ?? '',
        query: restQuery(event),
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

/**
 * REST puts repeats in `multiValueQueryStringParameters`; HTTP API joins
 * them with commas. Either way a repeat is ambiguous: it reads as one value
 * that a strict parser refuses, never as the first or last one silently.
 */
const restQuery = (event: APIGatewayProxyEvent): Record<string, string | undefined> => {
  const query: Record<string, string | undefined> = { ...(event.queryStringParameters ?? {}) }
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (values !== undefined && values.length > 1) query[name] = values.join(',')
  }
  return query
}
