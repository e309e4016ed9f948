import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'
import { TollgateError, toTollgateError } from '../core/errors.js'
import { ROUTES, type Route } from '../core/routes.js'
import { type AuthorizerHandler, createAuthorizerHandler } from '../handlers/authorizer.js'
import { buildAuthorizerDependencies } from '../handlers/authorizer-dependencies.js'
import type { Dependencies } from '../handlers/dependencies.js'
import type { LambdaHttpHandler } from '../handlers/http-middleware.js'
import { type HttpResponse, problemResponse } from '../handlers/http-response.js'
import { HANDLER_FACTORIES } from '../handlers/registry.js'
import { authorizeLocally } from './local-authorizer.js'

/** What API Gateway itself accepts is far larger; this only protects the dev server. */
const MAX_REQUEST_BYTES = 1024 * 1024

export interface DevServer {
  readonly url: string
  close(): Promise<void>
}

interface CompiledRoute {
  readonly route: Route
  readonly pattern: RegExp
  readonly parameterNames: readonly string[]
  readonly handle: LambdaHttpHandler
}

/**
 * Serves the route table on node:http the way API Gateway's HTTP API would:
 * each request becomes a payload 2.0 event for the same handler a Lambda runs,
 * behind the same Lambda authorizer on every route the table marks protected.
 */
export const startDevServer = async (options: {
  readonly dependencies: Dependencies
  readonly port: number
  readonly host?: string
}): Promise<DevServer> => {
  const provider = () => Promise.resolve(options.dependencies)
  const routes = ROUTES.map((route) =>
    compileRoute(route, HANDLER_FACTORIES[route.handler](provider)),
  )
  const { config, keySet, clock } = options.dependencies
  const authorizerDependencies = buildAuthorizerDependencies({
    config,
    keySet,
    clock,
    basicAuth: provider,
  })
  const authorizer = createAuthorizerHandler(async () => authorizerDependencies)
  const server = createServer((request, response) => {
    serve(routes, authorizer, request, response).catch((error: unknown) => {
      writeResponse(response, problemResponse(toTollgateError(error), randomUUID()))
    })
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

const serve = async (
  routes: readonly CompiledRoute[],
  authorizer: AuthorizerHandler,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> => {
  const requestId = randomUUID()
  const url = URL.parse(request.url ?? '/', 'http://localhost')
  const method = request.method ?? 'GET'
  const matched = url === null ? undefined : matchRoute(routes, method, url.pathname)
  if (url === null || matched === null) {
    await drain(request)
    const error = new TollgateError('invalid_request', 'The request target is not a valid path.')
    return writeResponse(response, problemResponse(error, requestId))
  }
  if (matched === undefined) {
    await drain(request)
    // The path is not echoed: it may be anything, a pasted token included.
    const error = new TollgateError('not_found', 'No route matches this method and path.')
    return writeResponse(response, problemResponse(error, requestId))
  }
  const body = await readBody(request)
  if (body === undefined) {
    const error = new TollgateError('payload_too_large', 'The request body is too large.')
    return writeResponse(response, problemResponse(error, requestId))
  }
  const event = toHttpApiEvent(request, url, matched, body, requestId)
  if (matched.compiled.route.authorization === 'authorizer') {
    try {
      const { context } = await authorizeLocally(authorizer, event)
      Object.assign(event.requestContext, { authorizer: { lambda: context } })
    } catch (error) {
      if (!(error instanceof TollgateError)) throw error
      return writeResponse(response, problemResponse(error, requestId))
    }
  }
  writeResponse(
    response,
    await matched.compiled.handle(event, lambdaContext(matched.compiled, requestId)),
  )
}

const compileRoute = (route: Route, handle: LambdaHttpHandler): CompiledRoute => {
  const parameterNames: string[] = []
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment)?.[1]
      if (parameter === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      parameterNames.push(parameter)
      return '([^/]+)'
    })
    .join('/')
  return { route, pattern: new RegExp(`^${source}$`), parameterNames, handle }
}

const matchRoute = (routes: readonly CompiledRoute[], method: string, path: string) => {
  for (const compiled of routes) {
    if (compiled.route.method !== method) continue
    const match = compiled.pattern.exec(path)
    if (match === null) continue
    const pathParameters: Record<string, string> = {}
    for (const [index, name] of compiled.parameterNames.entries()) {
      const value = decodePathSegment(match[index + 1] ?? '')
      // A malformed %-escape is a bad request, as API Gateway answers it, not a crash.
      if (value === undefined) return null
      pathParameters[name] = value
    }
    return { compiled, pathParameters }
  }
  return undefined
}

const decodePathSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** The body, or undefined once it passes the limit (the rest is read and dropped). */
const readBody = async (request: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk)
  }
  return size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks)
}

const drain = async (request: IncomingMessage): Promise<void> => {
  for await (const _chunk of request) {
    // Read to the end so the client sees the answer rather than a reset.
  }
}

const toHttpApiEvent = (
  request: IncomingMessage,
  url: URL,
  matched: { compiled: CompiledRoute; pathParameters: Record<string, string> },
  body: Buffer,
  requestId: string,
): APIGatewayProxyEventV2 => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value
  }
  const routeKey = `${matched.compiled.route.method} ${matched.compiled.route.path}`
  const now = new Date()
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search === '' ? {} : { queryStringParameters: Object.fromEntries(url.searchParams) }),
    ...(matched.compiled.parameterNames.length > 0
      ? { pathParameters: matched.pathParameters }
      : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: matched.compiled.route.method,
        path: url.pathname,
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

const lambdaContext = (compiled: CompiledRoute, requestId: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `tollgate-${compiled.route.handler}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:tollgate-${compiled.route.handler}`,
  memoryLimitInMB: '1024',
  awsRequestId: requestId,
  logGroupName: `/aws/lambda/tollgate-${compiled.route.handler}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
})

const writeResponse = (response: ServerResponse, result: HttpResponse): void => {
  const body = result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : Buffer.from(result.body ?? '', 'utf8')
  response.writeHead(result.statusCode, {
    ...(result.headers as Record<string, string>),
    'content-length': String(body.byteLength),
  })
  response.end(body)
}
