import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DynamoDbStore } from '../../functions/adapters/dynamodb-store.js'
import { freePort } from '../../functions/local/free-port.js'
import { isAlive } from '../../functions/local/processes.js'
import { createTestTable } from '../support/dynamodb.js'
import { type NpmStart, runNpmStart } from '../support/npm-start.js'
import { useTempDirs } from '../support/temp-dirs.js'

const TOKEN_LINE = /^ {4}(tg[sp]_[0-9A-Za-z]{71})$/m

const exchange = async (url: string, accessToken: string) => {
  const response = await fetch(`${url}/access-tokens/jwt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ access_token: accessToken }),
    signal: AbortSignal.timeout(30_000),
  })
  const body = (await response.json()) as { code?: string }
  return { status: response.status, code: body.code }
}

const recordedPid = async (dataDir: string): Promise<number> =>
  JSON.parse(await readFile(join(dataDir, 'dynamodb-endpoint.json'), 'utf8')).dynamoDbPid

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `npm start` itself, in a child process, as a new user meets it. */
describe('npm start', () => {
  const tempDir = useTempDirs()

  it('on a busy port, fails before anything is minted, with a message naming the port', async () => {
    const holder = createServer()
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
    const port = (holder.address() as { port: number }).port
    const table = await createTestTable()
    try {
      const npm = runNpmStart({
        PORT: String(port),
        DATA_DIR: await tempDir('start'),
        TABLE_NAME: table.tableName,
        AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      })

      expect(await npm.exited).toBe(1)
      expect(npm.stderr()).toContain(`port ${port} on 127.0.0.1 is already in use`)
      expect(npm.stdout()).not.toMatch(/tg[sp]_/)
      expect(await new DynamoDbStore(table.client, table.tableName).isBootstrapped()).toBe(false)
    } finally {
      holder.close()
    }
  })

  it('restarts a DynamoDB Local that dies; requests in the gap get 503 unavailable', async () => {
    const dataDir = await tempDir('start')
    const url = `http://127.0.0.1:${await freePort()}`
    const pids = new Set<number>()
    let npm: NpmStart | undefined
    try {
      npm = runNpmStart({ PORT: new URL(url).port, DATA_DIR: dataDir })
      const token = (await npm.waitFor(TOKEN_LINE, { timeoutMs: 90_000 }))[1] ?? ''
      // Printed by a server that already listens: usable at once.
      expect((await exchange(url, token)).status).toBe(200)
      const killed = await recordedPid(dataDir)
      pids.add(killed)

      process.kill(killed, 'SIGKILL')
      const gap: { status: number; code: string | undefined }[] = []
      for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(250)) {
        const answer = await exchange(url, token)
        if (answer.status === 200 && gap.length > 0) break
        if (answer.status !== 200) gap.push(answer)
      }
      await npm.waitFor(/DynamoDB Local is back on/, { stream: 'stderr' })
      const restarted = await recordedPid(dataDir)
      pids.add(restarted)

      expect(gap.length).toBeGreaterThan(0)
      expect(gap.every(({ status, code }) => status === 503 && code === 'unavailable')).toBe(true)
      expect((await exchange(url, token)).status).toBe(200)
      expect(restarted).not.toBe(killed)
      expect(npm.stderr()).toMatch(/DynamoDB Local \(pid \d+\) exited/)
      expect(await npm.stop()).toBe(0)
      expect(isAlive(restarted)).toBe(false)
    } finally {
      await npm?.stop()
      for (const pid of pids) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
    }
  })
})
