import { answer, createAuthorizedHandler } from './api-handler.js'
import { type DependencyProvider, lambdaDependencies } from './dependencies.js'
import { whoamiJson } from './views.js'

/**
 * `GET /whoami`: who the caller is, as Tollgate's own routes see them — the
 * same in-handler check every management route makes, so a revoked token's
 * JWT is refused here at once.
 */
export const createWhoamiHandler = (dependencies: DependencyProvider) =>
  createAuthorizedHandler(dependencies, {
    'GET /whoami': async ({ request, context }) => answer(request, whoamiJson(context.caller)),
  })

export const handler = createWhoamiHandler(lambdaDependencies)
