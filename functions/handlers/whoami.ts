import { authorizerContext } from '../api/schemas.js'
import type { CallerDependencies } from '../wiring/dependencies.js'
import { answer, createAuthorizedHandler } from './api-handler.js'
import { createHttpHandler } from './http-middleware.js'
import { whoamiJson } from './views.js'

/**
 * - `GET /whoami`: who the caller is, as Tollgate's own routes see them —
 *   the same in-handler check every management route makes, so a revoked
 *   token's JWT is refused here at once.
 * - `GET /whoami/authorizer`: behind the Lambda authorizer, as a downstream
 *   API would be; echoes the context it passed on. Revocation reaches it
 *   within REVOCATION_MAX_DELAY_SECONDS (deny-list refresh plus API
 *   Gateway's result cache), not at once.
 */
export const createWhoamiHandler = (dependencies: () => Promise<CallerDependencies>) => {
  const whoami = createAuthorizedHandler('whoami', dependencies, {
    'GET /whoami': async ({ request, context }) => answer(request, whoamiJson(context.caller)),
  })
  const echo = createHttpHandler(async (request) =>
    // Only the keys of the design's context, whatever else API Gateway adds.
    answer(request, authorizerContext.parse(request.authorizer)),
  )
  return (event: Parameters<typeof whoami>[0], context: Parameters<typeof whoami>[1]) =>
    ('routeKey' in event && event.routeKey === 'GET /whoami/authorizer') ||
    ('resource' in event && event.resource === '/whoami/authorizer')
      ? echo(event, context)
      : whoami(event, context)
}
