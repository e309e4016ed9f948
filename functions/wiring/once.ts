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
