import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { DynamoDbTokenStore } from '../../functions/adapters/dynamodb-token-store.js'
import { createTestTable } from '../support/dynamodb.js'
import { runNpmStart } from '../support/npm-start.js'
import { useTempDirs } from '../support/temp-dirs.js'

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
      expect(await new DynamoDbTokenStore(table.client, table.tableName).isBootstrapped()).toBe(
        false,
      )
    } finally {
      holder.close()
    }
  })
})
