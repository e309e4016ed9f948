import { type RunningDynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js'

export interface SupervisorOptions {
  /** Where the instance keeps its data; a restart reopens the same files. */
  readonly dataDir: string
  /** After each restart, before it counts as back (record the new pid, check the table). */
  readonly onRestart: (instance: RunningDynamoDbLocal) => Promise<void>
  /** One line for the person running `npm start`. */
  readonly log: (message: string) => void
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number }
  /** How long an instance must stay up for the backoff to start again from initialMs. */
  readonly stableMs?: number
}

export interface DynamoDbSupervisor {
  /** Where DynamoDB Local answers now: the same port as before, unless that was taken. */
  endpoint(): string
  /** The instance being supervised now (it changes with every restart). */
  current(): RunningDynamoDbLocal
  /** Stops supervising, and stops DynamoDB Local (a restart under way included). */
  stop(): Promise<void>
}

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000 }
/** Attempts on the old port before taking any free one (it may have been taken meanwhile). */
const SAME_PORT_ATTEMPTS = 2

/**
 * Keeps the DynamoDB Local of `npm start` running: when it exits without
 * being asked to (killed, crashed, out of memory) it is started again on the
 * same port and data, after a backoff that doubles while it keeps dying.
 * Requests in the gap fail fast (connection refused) and are answered 503
 * `unavailable`; once it is back they succeed again, with no restart of the
 * dev server. Clients that follow `endpoint()` survive a change of port too.
 */
export const superviseDynamoDbLocal = (
  first: RunningDynamoDbLocal,
  options: SupervisorOptions,
): DynamoDbSupervisor => {
  const { initialMs, maxMs } = options.backoff ?? DEFAULT_BACKOFF
  const stableMs = options.stableMs ?? 30_000
  let current = first
  let startedAt = Date.now()
  let delayMs = initialMs
  let stopping = false
  let wake: (() => void) | undefined
  let restarting: Promise<RunningDynamoDbLocal | undefined> | undefined

  const sleep = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(done, ms)
      wake = () => {
        clearTimeout(timer)
        done()
      }
    })

  const restart = async (): Promise<RunningDynamoDbLocal | undefined> => {
    for (let attempt = 1; !stopping; attempt++) {
      await sleep(delayMs)
      if (stopping) return undefined
      delayMs = Math.min(delayMs * 2, maxMs)
      let instance: RunningDynamoDbLocal | undefined
      try {
        const port = attempt <= SAME_PORT_ATTEMPTS ? current.port : undefined
        instance = await startDynamoDbLocal({ dataDir: options.dataDir, port })
        if (stopping) {
          await instance.stop()
          return undefined
        }
        await options.onRestart(instance)
        return instance
      } catch (error) {
        await instance?.stop()
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
        options.log(`DynamoDB Local did not start again (${reason}); retrying in ${delayMs} ms.`)
      }
    }
    return undefined
  }

  const watch = async (): Promise<void> => {
    while (!stopping) {
      await current.exited
      if (stopping) return
      if (Date.now() - startedAt >= stableMs) delayMs = initialMs
      options.log(
        `DynamoDB Local (pid ${current.pid}) exited; requests get 503 until it is back. ` +
          `Restarting it in ${delayMs} ms.`,
      )
      restarting = restart()
      const instance = await restarting
      restarting = undefined
      if (instance === undefined) return
      current = instance
      startedAt = Date.now()
      options.log(`DynamoDB Local is back on ${instance.endpoint} (pid ${instance.pid}).`)
    }
  }
  watch().catch((error: unknown) => {
    options.log(`DynamoDB Local is no longer supervised: ${String(error)}`)
  })

  return {
    endpoint: () => current.endpoint,
    current: () => current,
    stop: async () => {
      stopping = true
      wake?.()
      const late = await restarting
      await late?.stop()
      await current.stop()
    },
  }
}
