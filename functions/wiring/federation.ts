import {
  createOutsideTokenVerifier,
  type FederationIssuer,
  type OutsideTokenVerifier,
} from '../core/outside-token.js'
import type { Clock } from '../core/ports.js'
import { logger } from './observability.js'
import { lazyIssuerKeySet } from './remote-key-set.js'

export interface OutsideTokenVerifierConfig {
  /** FEDERATION_ISSUERS, each with its JWKS URI where discovery should not be used. */
  readonly issuers: readonly FederationIssuer[]
  /** Off Lambda only: issuers on loopback (plain http included) may be fetched. */
  readonly localMode: boolean
  /** KEYS_CACHE_TTL_SECONDS: how long an issuer's discovery document and keys are used. */
  readonly keysCacheTtlSeconds: number
}

/**
 * The verifier of outside OIDC tokens for federation: each issuer's keys
 * fetched with the hardened fetcher (by discovery unless a JWKS URI is
 * given), loaded on first use, cached per issuer, an unknown `kid`
 * refetching at most once a minute per issuer. Undefined when no issuer is
 * allowed, so deployments without federation pay nothing for it.
 *
 * @example
 * const outside = outsideTokenVerifierFor(
 *   { issuers: [{ issuer: 'https://token.actions.githubusercontent.com' }], localMode: false, keysCacheTtlSeconds: 300 },
 *   systemClock,
 * )
 */
export const outsideTokenVerifierFor = (
  config: OutsideTokenVerifierConfig,
  clock: Clock,
): OutsideTokenVerifier | undefined => {
  if (config.issuers.length === 0) return undefined
  const byIssuer = new Map(config.issuers.map((issuer) => [issuer.issuer, issuer]))
  const cache = { cacheTtlMs: config.keysCacheTtlSeconds * 1000, clock }
  const fetchOptions = { allowLoopback: config.localMode }
  return createOutsideTokenVerifier({
    issuers: [...byIssuer.keys()],
    keySetFor: (issuer) =>
      lazyIssuerKeySet(byIssuer.get(issuer) ?? { issuer }, fetchOptions, cache),
    clock,
    keysRefreshMs: cache.cacheTtlMs,
    onSkippedKey: (issuer, index, reason) =>
      logger.warn('federation issuer key skipped', { issuer, index, reason }),
  })
}
