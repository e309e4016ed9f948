import type { Config } from '../core/config.js'
import {
  createOutsideTokenVerifier,
  type FederationIssuer,
  type StrictOutsideTokenVerifier,
} from '../core/outside-token.js'
import type { Clock, OutsideTokenVerifier, Signer, Store } from '../core/ports.js'
import {
  exchangeFederatedToken,
  type FederatedExchangeDependencies,
  verifyOutsideToken,
} from '../core/use-cases/exchange-federated-token.js'
import type { FederatedExchange } from '../core/use-cases/grant-token.js'
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
): StrictOutsideTokenVerifier | undefined => {
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

/**
 * One verifier per (issuer, JWKS URI) a policy names, made on first use and
 * kept: each holds its own key cache and refetch throttle.
 */
const verifiersByKeys = (
  config: Pick<Config, 'localMode' | 'keysCacheTtlSeconds'>,
  clock: Clock,
): FederatedExchangeDependencies['verifierFor'] => {
  const verifiers = new Map<string, StrictOutsideTokenVerifier>()
  return (issuer, jwksUri) => {
    const key = `${issuer} ${jwksUri ?? ''}`
    let verifier = verifiers.get(key)
    if (verifier === undefined) {
      verifier = outsideTokenVerifierFor(
        {
          issuers: [{ issuer, jwksUri }],
          localMode: config.localMode,
          keysCacheTtlSeconds: config.keysCacheTtlSeconds,
        },
        clock,
      ) as StrictOutsideTokenVerifier
      verifiers.set(key, verifier)
    }
    return verifier
  }
}

interface FederationParts {
  readonly config: Config
  readonly store: Store
  readonly clock: Clock
}

/**
 * The federated exchange of `/oauth2/token` for a function that has
 * FEDERATION_ISSUERS; undefined without issuers.
 *
 * @example
 * const federation = federatedExchangeFor({ config, store, clock: systemClock }, signer)
 */
export const federatedExchangeFor = (
  parts: FederationParts,
  signer: Signer,
): FederatedExchange | undefined => {
  if (parts.config.federationIssuers.length === 0) return undefined
  const deps = { ...parts, signer, verifierFor: verifiersByKeys(parts.config, parts.clock) }
  return { exchange: (request) => exchangeFederatedToken(deps, request) }
}

/**
 * The verifier `simulate` checks an outside token with: the same issuer
 * allow-list and the same keys, chosen the same way as the exchange's.
 * Undefined without issuers.
 */
export const simulationVerifierFor = (parts: FederationParts): OutsideTokenVerifier | undefined => {
  if (parts.config.federationIssuers.length === 0) return undefined
  const deps = {
    ...parts,
    verifierFor: verifiersByKeys(parts.config, parts.clock),
  }
  return { verify: async (jwt) => (await verifyOutsideToken(deps, jwt, undefined)).outside }
}
