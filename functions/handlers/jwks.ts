import type { PublicKeyDependencies } from '../wiring/key-material.js'
import { createHttpHandler } from './http-middleware.js'
import { jsonResponse } from './http-response.js'

/**
 * `GET /.well-known/jwks.json`: every key that may have signed a still-valid
 * JWT, and the next key before it signs. Cached publicly for
 * KEYS_CACHE_TTL_SECONDS (docs/design.md#keys: one setting for every key cache):
 * the rotation's waits count this max-age, and verifiers refetch on an
 * unknown `kid` anyway.
 */
export const createJwksHandler = (dependencies: () => Promise<PublicKeyDependencies>) =>
  createHttpHandler(async () => {
    const { config, keySet } = await dependencies()
    return jsonResponse(
      200,
      { keys: await keySet.publicKeys() },
      { 'cache-control': `public, max-age=${config.keysCacheTtlSeconds}` },
    )
  })
