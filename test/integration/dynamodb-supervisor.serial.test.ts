import { createServer } from 'node:net'
import { ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.js'
import { superviseDynamoDbLocal } from '../../functions/local/dynamodb-supervisor.js'
import { isAlive } from '../../functions/local/processes.js'
import { useTempDirs } from '../support/temp-dirs.js'

describe('Function: superviseDynamoDbLocal', () => {
  const tempDir = useTempDirs()

  it('moves DynamoDB Local to another port when its own was taken, and the client follows', async () => {
    const dataDir = await tempDir('supervisor')
    const first = await startDynamoDbLocal({ dataDir })
    const messages: string[] = []
    const restarts: number[] = []
    const supervisor = superviseDynamoDbLocal(first, {
      dataDir,
      log: (message) => messages.push(message),
      onRestart: async (instance) => {
        restarts.push(instance.pid)
      },
      backoff: { initialMs: 100, maxMs: 400 },
    })
    const client = createDynamoDbClient(() => supervisor.endpoint())
    const squatter = createServer()
    try {
      await client.send(new ListTablesCommand({}))

      process.kill(first.pid, 'SIGKILL')
      await first.exited
      // DynamoDB Local listens on every interface; take its port the same way.
      await new Promise<void>((resolve) => squatter.listen(first.port, '0.0.0.0', resolve))
      for (const deadline = Date.now() + 60_000; restarts.length === 0; ) {
        if (Date.now() > deadline) throw new Error(`no restart:\n${messages.join('\n')}`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }

      expect(supervisor.endpoint()).not.toBe(first.endpoint)
      await expect(client.send(new ListTablesCommand({}))).resolves.toBeDefined()
      expect(messages.some((message) => message.includes('did not start again'))).toBe(true)
    } finally {
      squatter.close()
      client.destroy()
      await supervisor.stop()
    }
    expect(isAlive(supervisor.current().pid)).toBe(false)
  })
})
