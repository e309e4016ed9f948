import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store'

/**
 * Runs each call in its own Lambda invocation context, so that concurrent
 * calls keep apart what Powertools Logger holds per invocation.
 */
export type InvocationScope = <T>(awsRequestId: string, invoke: () => Promise<T>) => Promise<T>

/**
 * Per-invocation state for the dev server, by Lambda's own mechanism. When
 * Lambda runs invocations concurrently in one process (Managed Instances,
 * `AWS_LAMBDA_MAX_CONCURRENCY`), its runtime puts each in an `InvokeStore`
 * context (an AsyncLocalStorage), and Powertools Logger keeps the Lambda
 * context, appended keys and log level there instead of on the singleton
 * logger. The dev server is such a process, so it does the same: every line
 * carries its own request's id and function name while requests interleave.
 *
 * It must run before the process's first AWS SDK call: the SDK creates the
 * process-wide store on first use, single-invocation unless told otherwise.
 */
export const enableInvocationScopes = async (maxConcurrency: number): Promise<InvocationScope> => {
  const store = await InvokeStore.getInstanceAsync(true)
  if (!(await isolatesConcurrentCalls(store))) {
    throw new Error(
      'The Lambda InvokeStore was created for one invocation at a time before the dev server ' +
        'could set it up; call enableInvocationScopes() before any AWS SDK call.',
    )
  }
  // Powertools reads this on every call to decide whether to use the store.
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= String(maxConcurrency)
  const requestIdKey = InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID
  return (awsRequestId, invoke) => store.run({ [requestIdKey]: awsRequestId }, invoke)
}

/**
 * Whether a context survives a nested one (the single-invocation store just
 * replaces its one context). The store's classes are not exported, so this
 * checks what matters rather than which class it is.
 */
const isolatesConcurrentCalls = async (store: InvokeStoreBase): Promise<boolean> => {
  const probe = Symbol('probe')
  return store.run({}, async () => {
    store.set(probe, 'outer')
    await store.run({}, async () => store.set(probe, 'inner'))
    return store.get(probe) === 'outer'
  })
}
