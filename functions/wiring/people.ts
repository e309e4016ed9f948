import type { Config } from '../core/config.js'
import { createPersonVerifier, type PersonVerifier } from '../core/person-verifier.js'
import type { Clock, KeySet } from '../core/ports.js'
import { devTrustedIssuer } from '../core/trusted-issuer.js'
import { logger } from './observability.js'
import { lazyRemoteKeySet } from './remote-key-set.js'

/**
 * The verifier of people's JWTs for a configuration: each of TRUSTED_ISSUERS
 * with its key set fetched (hardened, cached), plus, in local mode, the
 * development issuer with its key read from the data directory. Undefined
 * when nobody is trusted, so Tollgate-only deployments pay nothing for it.
 *
 * @example
 * const people = peopleVerifierFor(config, systemClock, keys.devIssuer?.keySet)
 */
export const peopleVerifierFor = (
  config: Pick<
    Config,
    'trustedIssuers' | 'roleScopes' | 'keysCacheTtlSeconds' | 'localMode' | 'issuer' | 'audience'
  >,
  clock: Clock,
  devIssuerKeySet: KeySet | undefined,
): PersonVerifier | undefined => {
  const cacheTtlMs = config.keysCacheTtlSeconds * 1000
  const issuers = config.trustedIssuers.map((issuer) => ({
    ...issuer,
    keySet: lazyRemoteKeySet(
      { uri: issuer.jwksUri, allowLoopback: config.localMode },
      { cacheTtlMs, clock },
    ),
  }))
  if (config.localMode && devIssuerKeySet !== undefined) {
    issuers.push({ ...devTrustedIssuer(config), keySet: devIssuerKeySet })
  }
  if (issuers.length === 0) return undefined
  return createPersonVerifier({
    issuers,
    roleScopes: config.roleScopes,
    clock,
    keysRefreshMs: cacheTtlMs,
    onSkippedKey: (index, reason) =>
      logger.warn('identity provider key skipped', { index, reason }),
  })
}
