import { type DependencyProvider, lambdaDependencies } from './dependencies.js'
import { createHttpHandler } from './http-middleware.js'
import { jsonResponse } from './http-response.js'

/** Verifiers refetch on an unknown `kid`, so a short public cache is safe across rotation. */
const CACHE_CONTROL = 'public, max-age=300'

/** `GET /.well-known/jwks.json`: every key that may have signed a still-valid JWT. */
export const createJwksHandler = (dependencies: DependencyProvider) =>
  createHttpHandler(async () =>
    jsonResponse(
      200,
      { keys: await (await dependencies()).keySet.publicKeys() },
      { 'cache-control': CACHE_CONTROL },
    ),
  )

export const handler = createJwksHandler(lambdaDependencies)
