import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { SERVICE_FAULTS, toTollgateError } from '../core/errors.js'
import { logger as facade, metricFields } from '../wiring/observability.js'
import { powertoolsLogger as logger } from '../wiring/powertools-logger.js'
import { type HttpRequest, type ProxyEvent, toHttpRequest } from './http-event.js'
import { type HttpResponse, problemResponse } from './http-response.js'

/** A route's logic; it asks for dependencies itself, so a route that needs none builds none. */
export type RouteHandler = (request: HttpRequest) => Promise<HttpResponse>

export type LambdaHttpHandler = (event: ProxyEvent, context: Context) => Promise<HttpResponse>

/** A failure as the error boundary logs and answers it. */
export interface RenderedError {
  /** The stable code, for the log line and the metric dimension. */
  readonly code: string
  /** The service failed (logged as an error with its cause), not the request. */
  readonly fault: boolean
  readonly cause: unknown
  readonly response: HttpResponse
}

/** How a family of routes answers failures: problem+json, or OAuth's own form on `/oauth2/*`. */
export type ErrorRenderer = (error: unknown, requestId: string) => RenderedError

const renderProblem: ErrorRenderer = (thrown, requestId) => {
  const error = toTollgateError(thrown)
  return {
    code: error.code,
    fault: SERVICE_FAULTS.has(error.code),
    cause: error.cause ?? error,
    response: problemResponse(error, requestId),
  }
}

/**
 * The one middy stack for HTTP routes: request-scoped log keys, and an error
 * boundary that turns every failure into problem+json, or what `renderError`
 * makes of it (internals stay in the log).
 */
export const createHttpHandler = (
  handle: RouteHandler,
  renderError: ErrorRenderer = renderProblem,
): LambdaHttpHandler =>
  middy<ProxyEvent, HttpResponse>()
    // logEvent: false overrides POWERTOOLS_LOGGER_LOG_EVENT: events carry access tokens and JWTs.
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use({
      onError: (request) => {
        const requestId = request.event?.requestContext?.requestId ?? request.context.awsRequestId
        const rendered = renderError(request.error, requestId)
        if (rendered.fault) {
          logger.error('request failed', {
            code: rendered.code,
            request_id: requestId,
            error: rendered.cause,
            ...metricFields({ Faults: 1 }, rendered.code),
          })
        } else {
          logger.info('request refused', {
            code: rendered.code,
            request_id: requestId,
            ...metricFields({ Refusals: 1 }, rendered.code),
          })
        }
        request.response = rendered.response
      },
    })
    .handler(async (event, context) => {
      // Names the function in the metrics its lines carry (metricFields).
      facade.invoked(context)
      const request = toHttpRequest(event)
      logger.appendKeys({ request_id: request.requestId })
      return handle(request)
    })
