import { type DependencyProvider, lambdaDependencies } from './dependencies.js'
import { createHttpHandler } from './http-middleware.js'
import { jsonResponse } from './http-response.js'

/**
 * `GET /whoami` (protected): echoes the authorizer context, so a caller can
 * see who API Gateway let in and with which scopes.
 */
export const createWhoamiHandler = (dependencies: DependencyProvider) =>
  createHttpHandler(
    async (request) => jsonResponse(200, request.authorizer, { 'cache-control': 'no-store' }),
    dependencies,
  )

export const handler = createWhoamiHandler(lambdaDependencies)
