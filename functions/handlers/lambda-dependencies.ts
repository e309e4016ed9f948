import { type Config, parseConfig } from '../core/config.js'

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
 * module loads, so a bad variable fails the cold start with a message naming
 * it; the function's own dependencies are built on first use and kept.
 *
 * @example
 * export const handler = createJwksHandler(lambdaProvider(buildPublicKeyDependencies))
 */
export const lambdaProvider = <T>(build: (config: Config) => Promise<T>): (() => Promise<T>) => {
  const config = parseConfig(process.env)
  return once(() => build(config))
}
