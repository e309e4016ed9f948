import { z } from 'zod'
import { ACCESS_TOKEN_LENGTH } from '../core/access-token.js'
import { exchangeToken } from '../core/use-cases/exchange-token.js'
import { type DependencyProvider, lambdaDependencies } from './dependencies.js'
import { createHttpHandler } from './http-middleware.js'
import { jsonResponse, NO_STORE } from './http-response.js'
import { parseJsonBody } from './json-body.js'
import { logger } from './observability.js'

const exchangeBody = z.strictObject({
  // Generous bound: a longer string cannot be a token, and is rejected unread as invalid_token.
  access_token: z.string().max(ACCESS_TOKEN_LENGTH * 4),
  duration_seconds: z.number().optional(),
  scope: z.string().max(4096).optional(),
})

/** `POST /access-tokens/jwt`: access token in, short-lived JWT out. */
export const createExchangeJwtHandler = (dependencies: DependencyProvider) =>
  createHttpHandler(async (request) => {
    const body = parseJsonBody(request.body, request.headers['content-type'], exchangeBody)
    const result = await exchangeToken(await dependencies(), {
      accessToken: body.access_token,
      durationSeconds: body.duration_seconds,
      scope: body.scope,
    })
    logger.info('access token exchanged', { atid: result.atid, expires_in: result.expiresIn })
    return jsonResponse(
      200,
      {
        jwt: result.jwt,
        token_type: 'Bearer',
        expires_in: result.expiresIn,
        expires_at: new Date(result.expiresAt).toISOString(),
        scope: result.scope,
      },
      NO_STORE,
    )
  })

export const handler = createExchangeJwtHandler(lambdaDependencies)
