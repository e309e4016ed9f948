import * as z from 'zod/mini'
import { TollgateError } from '../core/errors.js'
import { devLogin } from '../core/use-cases/dev-login.js'
import { type HttpResponse, jsonResponse, NO_STORE } from '../handlers/http-response.js'
import { parseJsonBody } from '../handlers/json-body.js'
import type { Dependencies } from '../wiring/dependencies.js'
import { STORE_PATH, type StoreIdentity, storeDocument } from './store-identity.js'

/**
 * Routes only the dev server has: never in the route table, never deployed,
 * not in the OpenAPI document (docs/design.md#local-mode).
 * - `GET /_local/store`: which store this server serves (for `tollgate bootstrap`).
 * - `POST /dev/login {"name", "roles"?}`: a JWT of the development issuer for `user:dev:<name>`.
 * - `GET /dev/jwks.json`: the development issuer's public keys.
 */
export type DevRoute = (body: Buffer, contentType: string | undefined) => Promise<HttpResponse>

const loginBody = z.strictObject({
  name: z.string().check(z.maxLength(64)),
  roles: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(100))),
})

export const devRouteFor = (
  method: string,
  path: string,
  deps: Dependencies,
  store: StoreIdentity,
): DevRoute | undefined => {
  if (method === 'GET' && path === STORE_PATH) {
    return async () => jsonResponse(200, storeDocument(store), { 'cache-control': 'no-store' })
  }
  const { devIssuer } = deps
  if (method === 'POST' && path === '/dev/login') {
    return async (body, contentType) => {
      if (devIssuer === undefined) throw notLocal()
      const { name, roles } = parseJsonBody(body, contentType, loginBody)
      const login = await devLogin(
        { signer: devIssuer.signer, clock: deps.clock, config: deps.config },
        { name, roles: roles ?? [] },
      )
      return jsonResponse(
        200,
        { jwt: login.jwt, token_type: 'Bearer', expires_in: login.expiresIn, sub: login.sub },
        NO_STORE,
      )
    }
  }
  if (method === 'GET' && path === '/dev/jwks.json') {
    return async () => {
      if (devIssuer === undefined) throw notLocal()
      return jsonResponse(
        200,
        { keys: await devIssuer.keySet.publicKeys() },
        { 'cache-control': 'no-store' },
      )
    }
  }
  return undefined
}

const notLocal = (): TollgateError =>
  new TollgateError('not_found', 'The development issuer exists only in local mode.')
