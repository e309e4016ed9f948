import { exchangeRequest } from '../api/schemas.js'
import { exchangeToken } from '../core/use-cases/exchange-token.js'
import type { ExchangeHandlerDependencies } from '../wiring/exchange.js'
import { createHttpHandler } from './http-middleware.js'
import { jsonResponse, NO_STORE } from './http-response.js'
import { logJwtIssued } from './issuance-log.js'
import { parseJsonBody } from './json-body.js'

/** `POST /access-tokens/jwt`: access token in, short-lived JWT out. */
export const createExchangeJwtHandler = (
  dependencies: () => Promise<ExchangeHandlerDependencies>,
) =>
  createHttpHandler(async (request) => {
    const body = parseJsonBody(request.body, request.headers['content-type'], exchangeRequest)
    const result = await exchangeToken(await dependencies(), {
      accessToken: body.access_token,
      durationSeconds: body.duration_seconds,
      scope: body.scope,
    })
    logJwtIssued(result.claims, request.sourceIp)
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
