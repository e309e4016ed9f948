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

/**
 * The one middy stack for HTTP routes: request-scoped log keys, and an error
 * boundary that turns every failure into problem+json (internals stay in the log).
 */
export const createHttpHandler = (handle: RouteHandler): LambdaHttpHandler =>
  middy<ProxyEvent, HttpResponse>()
    // logEvent: false overrides POWERTOOLS_LOGGER_LOG_EVENT: events carry access tokens and JWTs.
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use({
      onError: (request) => {
        const error = toTollgateError(request.error)
        const requestId = request.event?.requestContext?.requestId ?? request.context.awsRequestId
        if (SERVICE_FAULTS.has(error.code)) {
          logger.error('request failed', {
            code: error.code,
            request_id: requestId,
            error: error.cause ?? error,
            ...metricFields({ Faults: 1 }, error.code),
          })
        } else {
          logger.info('request refused', {
            code: error.code,
            request_id: requestId,
            ...metricFields({ Refusals: 1 }, error.code),
          })
        }
        request.response = problemResponse(error, requestId)
      },
    })
    .handler(async (event, context) => {
      // Names the function in the metrics its lines carry (metricFields).
      facade.invoked(context)
      const request = toHttpRequest(event)
      logger.appendKeys({ request_id: request.requestId })
      return handle(request)
    })
