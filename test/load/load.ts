import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon, { type RequestData } from 'autocannon'
import type { ServerMessage, ServerRequest } from './protocol.js'
import { type Fixtures, SCENARIOS } from './scenarios.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url))

/**
 * The server's settings beyond `npm start`'s: API Gateway's authorizer result
 * cache off, so every `/whoami/authorizer` request runs the authorizer (with
 * the default 10 s cache one JWT is decided once per 10 s, and the row would
 * measure only the dev server's HTTP path).
 */
export const LOAD_ENV = { AUTHORIZER_CACHE_TTL_SECONDS: '0' } as const

export interface LoadOptions {
  /** Seconds per cell (route × concurrency). */
  readonly seconds: number
  readonly connections: readonly number[]
  /** Told after every cell, for progress. */
  readonly onCell?: (cell: Cell) => void
}

export interface Cell {
  readonly route: string
  readonly connections: number
  readonly seconds: number
  readonly requestsPerSecond: number
  readonly requests: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
  readonly maxMs: number
  readonly non2xx: number
  /** Connection errors and timeouts (autocannon's `errors`, timeouts included). */
  readonly errors: number
  readonly timeouts: number
  /** Status codes seen, with counts. */
  readonly statusCodes: Readonly<Record<string, number>>
  /** The server process's resident set before and after the cell. */
  readonly rssStartBytes: number
  readonly rssEndBytes: number
}

export interface LoadReport {
  readonly startedAt: string
  readonly durationSeconds: number
  readonly env: Readonly<Record<string, string>>
  readonly rssStartBytes: number
  readonly rssEndBytes: number
  readonly cells: readonly Cell[]
}

/**
 * Starts the server in its own process, mints the fixtures, then drives each
 * scenario at each concurrency with autocannon (after a short discarded
 * warm-up per scenario), on 127.0.0.1 only. Always stops the server.
 */
export const runLoad = async (options: LoadOptions): Promise<LoadReport> => {
  const started = Date.now()
  const server = await startServer()
  try {
    const fixtures = await mintFixtures(server.url, server.adminToken, server.jwts)
    const rssStartBytes = await server.rss()
    const cells: Cell[] = []
    for (const scenario of SCENARIOS) {
      const request = scenario.request(fixtures)
      const { perRequest } = request
      const target = {
        url: `${server.url}${request.path}`,
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(perRequest === undefined
          ? {}
          : {
              requests: [
                {
                  setupRequest: (data: RequestData): RequestData => ({
                    ...data,
                    headers: { ...data.headers, ...perRequest() },
                  }),
                },
              ],
            }),
      }
      await autocannon({ ...target, connections: 8, duration: 1 })
      for (const connections of options.connections) {
        const rssBefore = await server.rss()
        const result = await autocannon({ ...target, connections, duration: options.seconds })
        const cell: Cell = {
          route: scenario.name,
          connections,
          seconds: result.duration,
          requestsPerSecond: result.requests.average,
          requests: result.requests.total,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          p999Ms: result.latency.p99_9,
          maxMs: result.latency.max,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes: Object.fromEntries(
            Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
          ),
          rssStartBytes: rssBefore,
          rssEndBytes: await server.rss(),
        }
        cells.push(cell)
        options.onCell?.(cell)
      }
    }
    return {
      startedAt: new Date(started).toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 100) / 10,
      env: LOAD_ENV,
      rssStartBytes,
      rssEndBytes: await server.rss(),
      cells,
    }
  } finally {
    await server.stop()
  }
}

interface LoadServer {
  readonly url: string
  readonly adminToken: string
  readonly jwts: readonly string[]
  rss(): Promise<number>
  stop(): Promise<void>
}

const startServer = async (): Promise<LoadServer> => {
  const inherited = { ...process.env }
  // The dev server sets this for itself; a child must start from nothing, as npm start does.
  delete inherited.AWS_LAMBDA_MAX_CONCURRENCY
  const child: ChildProcess = fork(SERVER, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: {
      ...inherited,
      LOAD_ENV: JSON.stringify(LOAD_ENV),
      // Every minted JWT is logged once; a million log lines would measure the terminal.
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const pending = new Map<number, (bytes: number) => void>()
  let nextId = 0
  const ready = new Promise<Extract<ServerMessage, { kind: 'ready' }>>((resolve, reject) => {
    child.on('message', (message: ServerMessage) => {
      if (message.kind === 'ready') resolve(message)
      if (message.kind === 'failed') reject(new Error(`load server: ${message.message}`))
      if (message.kind === 'rss') pending.get(message.id)?.(message.bytes)
    })
    void exited.then(() => reject(new Error('load server exited before it was ready')))
  })
  const ask = (request: ServerRequest) => child.send(request)
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.connected)
      ask({ kind: 'stop' })
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(force)
  }
  try {
    const { url, adminToken, jwts } = await ready
    return {
      url,
      adminToken,
      jwts,
      rss: () =>
        new Promise((resolve) => {
          const id = nextId++
          pending.set(id, (bytes) => {
            pending.delete(id)
            resolve(bytes)
          })
          ask({ kind: 'rss', id })
        }),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

const mintFixtures = async (
  url: string,
  adminToken: string,
  jwts: readonly string[],
): Promise<Fixtures> => {
  const exchanged = await fetch(`${url}/access-tokens/jwt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // Longer than any run, so no request meets an expired JWT.
    body: JSON.stringify({ access_token: adminToken, duration_seconds: 3600 }),
  })
  const { jwt } = (await exchanged.json()) as { jwt?: string }
  if (jwt === undefined) throw new Error(`exchange for the fixtures failed: ${exchanged.status}`)
  const listed = await fetch(`${url}/access-tokens?limit=1`, {
    headers: { authorization: `Bearer ${jwt}` },
  })
  const { items } = (await listed.json()) as { items?: Array<{ id: string }> }
  const tokenId = items?.[0]?.id
  if (tokenId === undefined)
    throw new Error(`listing tokens for the fixtures failed: ${listed.status}`)
  return { url, adminToken, jwt, jwts, tokenId }
}
