import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { TollgateError } from '../core/errors.js'
import { translateAwsError } from './aws-errors.js'

export interface SecretReaderOptions<T> {
  readonly secretsManager: SecretsManagerClient
  readonly secretId: string
  /** Powertools' maxAge: how long the fetched string is reused. */
  readonly cacheTtlSeconds: number
  /** Turns the secret string into a value; throws a TollgateError that names no value. */
  readonly parse: (text: string) => T
}

export interface SecretReader<T> {
  /** The parsed secret; `forceFetch` skips the cache (a rotation may have happened). */
  read(options?: { readonly forceFetch?: boolean }): Promise<T>
}

/**
 * Reads one JSON secret through Powertools Parameters (which caches the
 * string for `cacheTtlSeconds`) and parses it only when the string changed,
 * so cached key material is not re-imported on every call. Powertools'
 * `json` transform is not used: JSON.parse's messages quote the input, and
 * the input is a secret.
 *
 * @example
 * const reader = createSecretReader({ secretsManager, secretId, cacheTtlSeconds: 60,
 *   parse: parsePepperSecret })
 * const pepper = await reader.read()
 */
export const createSecretReader = <T>(options: SecretReaderOptions<T>): SecretReader<T> => {
  const provider = new SecretsProvider({ awsSdkV3Client: options.secretsManager })
  let parsed: { readonly text: string; readonly value: T } | undefined
  return {
    async read({ forceFetch = false } = {}) {
      let text: unknown
      try {
        text = await provider.get(options.secretId, {
          maxAge: options.cacheTtlSeconds,
          forceFetch,
        })
      } catch (error) {
        throw translateAwsError(error)
      }
      if (typeof text !== 'string') {
        throw new TollgateError('internal', 'A secret holds no text value.')
      }
      if (parsed?.text !== text) parsed = { text, value: options.parse(text) }
      return parsed.value
    },
  }
}
