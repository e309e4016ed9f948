import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { TollgateError } from '../core/errors.js'
import { parsePepperSecret } from '../core/pepper-secret.js'
import type { Clock, Secrets } from '../core/ports.js'
import { createSecretReader } from './secret-reader.js'

/** An unknown pepper version refetches the secret at most this often. */
export const PEPPER_REFETCH_INTERVAL_SECONDS = 60

export interface SecretsManagerPepperOptions {
  readonly secretsManager: SecretsManagerClient
  /** PEPPER_SECRET_ID. */
  readonly secretId: string
  /** How long the secret is cached (KEYS_CACHE_TTL_SECONDS suits). */
  readonly cacheTtlSeconds: number
  readonly clock: Clock
  /** Least time between two refetches for an unknown version; defaults to 60 s. */
  readonly refetchIntervalSeconds?: number
}

/**
 * The versioned pepper from Secrets Manager, through Powertools Parameters
 * with a short cache. A record hashed with a version this copy does not know
 * yet (a pepper rotation since the cold start) refetches the secret once,
 * at most once a minute, so junk versions cannot turn into a request flood.
 * Never logs the secret; a bad secret is `internal` naming no value.
 *
 * @example
 * const secrets = createSecretsManagerPepper({ secretsManager, secretId: config.pepperSecretId,
 *   cacheTtlSeconds: 300, clock: systemClock })
 */
export const createSecretsManagerPepper = (options: SecretsManagerPepperOptions): Secrets => {
  const reader = createSecretReader({ ...options, parse: parsePepperSecret })
  const intervalMs = (options.refetchIntervalSeconds ?? PEPPER_REFETCH_INTERVAL_SECONDS) * 1000
  let lastRefetchAt = Number.NEGATIVE_INFINITY
  let refetching: ReturnType<typeof reader.read> | undefined

  const refetch = () => {
    if (refetching !== undefined) return refetching
    if (options.clock.now() - lastRefetchAt < intervalMs) return undefined
    lastRefetchAt = options.clock.now()
    refetching = reader.read({ forceFetch: true }).finally(() => {
      refetching = undefined
    })
    return refetching
  }

  return {
    async currentPepper() {
      const { current, versions } = await reader.read()
      const key = versions.get(current)
      // parsePepperSecret guarantees it; an empty key would hash with no pepper at all.
      if (key === undefined) throw new TollgateError('internal', 'The pepper secret is not valid.')
      return { version: current, key }
    },
    async pepperOf(version) {
      const known = (await reader.read()).versions.get(version)
      if (known !== undefined) return known
      return (await refetch())?.versions.get(version)
    },
  }
}
