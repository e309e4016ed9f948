import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { TollgateError, toTollgateError } from '../core/errors.js'
import { ROUTES } from '../core/routes.js'
import { createAuthorizerHandler } from '../handlers/authorizer.js'
import type { LambdaHttpHandler } from '../handlers/http-middleware.js'
import { problemResponse } from '../handlers/http-response.js'
import { HANDLER_FACTORIES } from '../handlers/registry.js'
import { buildAuthorizerDependencies } from '../wiring/authorizer.js'
import type { Dependencies } from '../wiring/dependencies.js'
import { builtConsole } from './console-assets.js'
import { devRouteFor } from './dev-routes.js'
import { lambdaContext, toHttpApiEvent } from './http-api-event.js'
import { createHardenedServer, DEFAULT_LIMITS, type DevServerLimits } from './http-hardening.js'
import { enableInvocationScopes, type InvocationScope } from './invocation-scope.js'
import { httpApiAuthorizer } from './local-authorizer.js'
import { hasBody, readBody } from './request-body.js'
import { parseRequestTarget } from './request-target.js'
import { writeResponse } from './response-writer.js'
import { type CompiledRoute, compileRoute, matchRoute } from './route-matcher.js'
import { type StoreIdentity, storeIdentity } from './store-identity.js'

export { DEFAULT_LIMITS, type DevServerLimits } from './http-hardening.js'

export interface DevServer {
  readonly url: string
  readonly port: number
  close(): Promise<void>
}

export interface DevServerOptions {
  readonly dependencies: Dependencies
  readonly port: number
  readonly host?: string
  /** Overrides of DEFAULT_LIMITS (tests shorten the timeouts). */
  readonly limits?: Partial<DevServerLimits>
}

interface ServeContext {
  readonly routes: readonly CompiledRoute<LambdaHttpHandler>[]
  readonly authorize: ReturnType<typeof httpApiAuthorizer>
  readonly invoke: InvocationScope
  readonly limits: DevServerLimits
  readonly store: StoreIdentity
  readonly dependencies: Dependencies
}

/**
 * Serves the route table on node:http the way API Gateway's HTTP API would:
 * each request becomes a payload 2.0 event for the same handler a Lambda runs,
 * as its own invocation; routes the table puts behind the Lambda authorizer
 * get it exactly as an HTTP API runs it (payload 2.0, simple responses, its
 * result cache, its fixed 401/403/500). Resolves once the port is bound;
 * rejects (EADDRINUSE) if it cannot be. Dev-only routes (`/_local/store`,
 * `/dev/login`, `/dev/jwks.json`) are not in the route table.
 *
 * @example
 * const server = await startDevServer({ dependencies, port: 3000 })
 */
export const startDevServer = async (options: DevServerOptions): Promise<DevServer> => {
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const invoke = await enableInvocationScopes(limits.maxConnections)
  const dependencies = {
    ...options.dependencies,
    consoleAssets: options.dependencies.consoleAssets ?? builtConsole,
  }
  const provider = () => Promise.resolve(dependencies)
  const routes = ROUTES.map((route) =>
    compileRoute(route, HANDLER_FACTORIES[route.handler](provider)),
  )
  const { config, keySet, clock, people, denyListReader } = options.dependencies
  const authorizerDependencies = buildAuthorizerDependencies({
    config,
    keySet,
    clock,
    people,
    denyListReader: async () => denyListReader,
    basicAuth: provider,
  })
  const authorize = httpApiAuthorizer({
    authorizer: createAuthorizerHandler(async () => authorizerDependencies),
    invoke,
    clock,
    cacheTtlSeconds: config.authorizerCacheTtlSeconds,
  })
  const store = await storeIdentity(config)
  const context: ServeContext = {
    routes,
    authorize,
    invoke,
    limits,
    store,
    dependencies: options.dependencies,
  }
  const server = createHardenedServer(limits, (request, response) => {
    const requestId = randomUUID()
    serve(context, request, response, requestId).catch((error: unknown) => {
      writeResponse(response, problemResponse(toTollgateError(error), requestId), {
        requestId,
        close: true,
      })
    })
  })
  const host = options.host ?? '127.0.0.1'
  const { port } = await server.listen(options.port, host)
  return { url: `http://${host}:${port}`, port, close: () => server.close() }
}

const serve = async (
  { routes, authorize, invoke, limits, store, dependencies }: ServeContext,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
): Promise<void> => {
  // A refusal before the body is read ends the connection if there is a body.
  const refuse = (error: TollgateError, close = hasBody(request)) =>
    writeResponse(response, problemResponse(error, requestId), { requestId, close })

  const target = parseRequestTarget(request.url ?? '')
  const devRoute =
    target === undefined
      ? undefined
      : devRouteFor(request.method ?? '', target.path, dependencies, store)
  if (devRoute !== undefined) {
    const outcome = await readBody(request, limits)
    if (outcome.kind === 'aborted') return
    if (outcome.kind !== 'complete') return refuse(bodyRefusal(outcome.kind, limits), true)
    const answer = await devRoute(outcome.body, request.headers['content-type']).catch(
      (error: unknown) => problemResponse(toTollgateError(error), requestId),
    )
    return writeResponse(response, answer, { requestId })
  }
  const matched =
    target === undefined ? null : matchRoute(routes, request.method ?? 'GET', target.path)
  if (target === undefined || matched === null) {
    return refuse(new TollgateError('invalid_request', 'The request target is not a valid path.'))
  }
  if (matched === undefined) {
    // The path is not echoed: it may be anything, a pasted token included.
    return refuse(new TollgateError('not_found', 'No route matches this method and path.'))
  }
  const outcome = await readBody(request, limits)
  if (outcome.kind === 'aborted') return
  if (outcome.kind !== 'complete') return refuse(bodyRefusal(outcome.kind, limits), true)
  const { compiled, pathParameters } = matched
  const event = toHttpApiEvent({
    request,
    target,
    route: compiled.route,
    pathParameters,
    body: outcome.body,
    requestId,
  })
  if (compiled.route.authorization === 'authorizer') {
    const authorization = await authorize(event)
    if (!authorization.allowed)
      return writeResponse(response, authorization.response, { requestId })
    Object.assign(event.requestContext, { authorizer: { lambda: authorization.context } })
  }
  const result = await invoke(requestId, () =>
    compiled.handle(event, lambdaContext(compiled.route.handler, requestId)),
  )
  writeResponse(response, result, { requestId })
}

const bodyRefusal = (kind: 'too_large' | 'timeout', limits: DevServerLimits): TollgateError =>
  kind === 'too_large'
    ? new TollgateError(
        'payload_too_large',
        `The request body must not exceed ${limits.maxBodyBytes} bytes.`,
      )
    : new TollgateError(
        'invalid_request',
        `The request body did not arrive within ${limits.bodyTimeoutMs / 1000} s.`,
      )
