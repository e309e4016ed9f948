import type { IssuerFetchOptions } from '../adapters/issuer-key-set.js'
import type { RemoteJwksOptions } from '../adapters/remote-jwks.js'
import type { FederationIssuer } from '../core/outside-token.js'
import type { Clock, KeySet } from '../core/ports.js'
import { once } from './once.js'

interface KeyCacheTiming {
  readonly cacheTtlMs: number
  readonly clock: Clock
}

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
export const lazyRemoteKeySet = (options: RemoteJwksOptions, cache: KeyCacheTiming): KeySet =>
  lazyKeySet(async () => (await import('../adapters/remote-jwks.js')).remoteKeySet(options, cache))

/**
 * `issuerKeySet`, loaded on its first use (for the same reason as
 * `lazyRemoteKeySet`): a federation issuer's keys, by discovery or its
 * explicit JWKS URI.
 *
 * @example
 * const keySet = lazyIssuerKeySet({ issuer: 'https://gitlab.com' }, { allowLoopback: false }, { cacheTtlMs: 300_000, clock })
 */
export const lazyIssuerKeySet = (
  issuer: FederationIssuer,
  options: IssuerFetchOptions,
  cache: KeyCacheTiming,
): KeySet =>
  lazyKeySet(async () =>
    (await import('../adapters/issuer-key-set.js')).issuerKeySet(issuer, options, cache),
  )

const lazyKeySet = (make: () => Promise<KeySet>): KeySet => {
  const keySet = once(make)
  return {
    publicKeys: async () => (await keySet()).publicKeys(),
    refresh: async () => {
      const loaded = await keySet()
      return loaded.refresh !== undefined ? loaded.refresh() : loaded.publicKeys()
    },
  }
}
