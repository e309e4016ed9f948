import type { RemoteJwksOptions } from '../adapters/remote-jwks.js'
import type { Clock, KeySet } from '../core/ports.js'
import { once } from './once.js'

/**
 * `remoteKeySet`, loaded on its first use: a trusted issuer's JWKS, or the
 * issuer's own for KEY_SOURCE=jwks. The fetcher imports `node:http` and
 * `node:https`, and importing those as ES modules also loads undici (their
 * ESM facade reads every export, a lazy getter included): 25-40 ms of every
 * cold start measured on the authorizer (`npm run bench`), which only a
 * function that fetches a JWKS should pay, and then off its cold path.
 *
 * @example
 * const keySet = lazyRemoteKeySet({ uri, allowLoopback: false }, { cacheTtlMs: 300_000, clock })
 */
export const lazyRemoteKeySet = (
  options: RemoteJwksOptions,
  cache: { readonly cacheTtlMs: number; readonly clock: Clock },
): KeySet => {
  const keySet = once(async () =>
    (await import('../adapters/remote-jwks.js')).remoteKeySet(options, cache),
  )
  return {
    publicKeys: async () => (await keySet()).publicKeys(),
    refresh: async () => {
      const loaded = await keySet()
      return loaded.refresh !== undefined ? loaded.refresh() : loaded.publicKeys()
    },
  }
}
