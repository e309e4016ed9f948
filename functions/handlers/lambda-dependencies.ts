import { type Config, parseConfig } from '../core/config.js'
import { type KeyMaterialNeed, requireKeyMaterial } from '../core/key-material.js'

/**
 * Memoizes a successful async result; a failure is not kept, so the next
 * call (the next invocation, on Lambda) tries again.
 *
 * @example
 * const kms = once(async () => createKmsClient({ endpoint: config.kmsEndpoint }))
 */
export const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let result: Promise<T> | undefined
  return () => {
    result ??= make().catch((error: unknown) => {
      result = undefined
      throw error
    })
    return result
  }
}

/**
 * One Lambda function's provider: the config is parsed when the handler
 * module loads, and checked for the key material this function uses
 * (`needs`), so a bad or missing variable fails the cold start with a
 * message naming it; the function's own dependencies are built on first use
 * and kept.
 *
 * @example
 * export const handler = createJwksHandler(
 *   lambdaProvider(buildPublicKeyDependencies, ['public-keys']))
 */
export const lambdaProvider = <T>(
  build: (config: Config) => Promise<T>,
  needs: readonly KeyMaterialNeed[] = [],
): (() => Promise<T>) => {
  const config = requireKeyMaterial(parseConfig(process.env), needs)
  return once(() => build(config))
}
