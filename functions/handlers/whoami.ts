import { createHttpHandler, type LambdaHttpHandler } from './http-middleware.js'
import { jsonResponse } from './http-response.js'

/**
 * `GET /whoami` (protected): echoes the authorizer context, so a caller can
 * see who API Gateway let in and with which scopes. It needs no store and no
 * keys, so it builds none.
 */
export const createWhoamiHandler = (): LambdaHttpHandler =>
  createHttpHandler(async (request) =>
    jsonResponse(200, request.authorizer, { 'cache-control': 'no-store' }),
  )

export const handler = createWhoamiHandler()
