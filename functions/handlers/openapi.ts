import { buildOpenApiDocument } from '../api/openapi.js'
import type { Config } from '../core/config.js'
import { createHttpHandler } from './http-middleware.js'
import { jsonResponse } from './http-response.js'

/** `GET /openapi.json`: the API as OpenAPI 3.1, built once per process from the route table. */
export const createOpenapiHandler = (dependencies: () => Promise<{ readonly config: Config }>) => {
  let document: string | undefined
  return createHttpHandler(async () => {
    document ??= JSON.stringify(buildOpenApiDocument((await dependencies()).config.issuer))
    return {
      ...jsonResponse(200, null, { 'cache-control': 'public, max-age=300' }),
      body: document,
    }
  })
}
