/** One request of a traffic run, as the client saw it. */
export interface Exchange {
  readonly lane: string
  /** Date.now() when the request was sent and when its answer (or failure) was complete. */
  readonly startedAt: number
  readonly endedAt: number
  /** 0 when no answer came within the timeout (a hang) or the connection failed. */
  readonly status: number
  readonly contentType: string | null
  readonly retryAfter: string | null
  readonly body: string
}

export interface Lane {
  readonly path: string
  readonly init?: RequestInit
}

export interface Traffic {
  /** Every answer so far, in the order they completed. */
  readonly exchanges: readonly Exchange[]
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<readonly Exchange[]>
}

/**
 * Keeps one request in flight per lane, back to back, until stopped: steady
 * traffic across routes while a test breaks what they depend on. A request
 * that gets no answer within `timeoutMs` is recorded with status 0.
 *
 * @example
 * const traffic = startTraffic(url, { whoami: { path: '/whoami', init: { headers } } })
 * ... // break something, mend it
 * const exchanges = await traffic.stop()
 */
export const startTraffic = (
  baseUrl: string,
  lanes: Readonly<Record<string, Lane>>,
  {
    timeoutMs = 20_000,
    pauseMs = 20,
  }: { readonly timeoutMs?: number; readonly pauseMs?: number } = {},
): Traffic => {
  const exchanges: Exchange[] = []
  let running = true
  const send = async (lane: string, { path, init }: Lane): Promise<Exchange> => {
    const startedAt = Date.now()
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        ...init,
        signal: AbortSignal.timeout(timeoutMs),
      })
      const body = await response.text()
      return {
        lane,
        startedAt,
        endedAt: Date.now(),
        status: response.status,
        contentType: response.headers.get('content-type'),
        retryAfter: response.headers.get('retry-after'),
        body,
      }
    } catch (error) {
      return {
        lane,
        startedAt,
        endedAt: Date.now(),
        status: 0,
        contentType: null,
        retryAfter: null,
        body: String(error),
      }
    }
  }
  const loops = Object.entries(lanes).map(async ([name, lane]) => {
    while (running) {
      exchanges.push(await send(name, lane))
      await new Promise((wake) => setTimeout(wake, pauseMs))
    }
  })
  return {
    exchanges,
    stop: async () => {
      running = false
      await Promise.all(loops)
      return exchanges
    },
  }
}

/** Waits until `condition` holds, polling; throws with `what` after `timeoutMs`. */
export const waitUntil = async (
  what: string,
  condition: () => boolean | Promise<boolean>,
  {
    timeoutMs = 60_000,
    everyMs = 100,
  }: { readonly timeoutMs?: number; readonly everyMs?: number } = {},
): Promise<void> => {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((wake) => setTimeout(wake, everyMs))
  }
}
