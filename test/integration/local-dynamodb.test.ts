import { spawnSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/core/config.js'
import { openLocalDynamoDb } from '../../functions/local/local-dynamodb.js'
import { isAlive } from '../../functions/local/processes.js'
import { useTempDirs } from '../support/temp-dirs.js'

describe('Function: openLocalDynamoDb', () => {
  const tempDir = useTempDirs()

  it('shares the instance of a running owner, and adopts one whose owner died', async () => {
    const dataDir = await tempDir('local-ddb')
    const config = parseConfig({ DATA_DIR: dataDir })
    const endpointFile = join(dataDir, 'dynamodb-endpoint.json')
    const first = await openLocalDynamoDb(config)
    try {
      const shared = await openLocalDynamoDb(config)
      await shared.release()
      const record = JSON.parse(await readFile(endpointFile, 'utf8'))

      expect(shared.endpoint()).toBe(first.endpoint())
      expect(record.ownerPid).toBe(process.pid)
      await expect(first.client.send(new ListTablesCommand({}))).resolves.toBeDefined()

      // The owner is killed without stopping its DynamoDB Local (kill -9, a crash).
      const deadPid = spawnSync(process.execPath, ['-e', '']).pid
      await writeFile(endpointFile, JSON.stringify({ ...record, ownerPid: deadPid }))
      const adopted = await openLocalDynamoDb(config)

      expect(adopted.endpoint()).toBe(first.endpoint())
      await adopted.release()
      expect(isAlive(record.dynamoDbPid)).toBe(false)
      await expect(readFile(endpointFile)).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      await first.release()
    }
  })
})
