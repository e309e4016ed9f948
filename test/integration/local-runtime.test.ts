import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/core/config.js'
import { loadLocalRuntime } from '../../functions/local/runtime.js'
import { useTempDirs } from '../support/temp-dirs.js'

describe('Function: loadLocalRuntime', () => {
  const tempDir = useTempDirs()

  it('points operator tools at AWS DynamoDB for a deployed stack, starting nothing', async () => {
    // Prepare: what `npx tollgate bootstrap` is given against a deployed KMS stack.
    const { openLocalDynamoDb } = await loadLocalRuntime()
    const config = parseConfig({
      KEY_SOURCE: 'kms',
      KMS_KEY_IDS: 'alias/tollgate',
      PEPPER_SECRET_ID: 'tollgate/pepper',
      DATA_DIR: await tempDir('runtime'),
    })

    // Act
    const dynamoDb = await openLocalDynamoDb(config)

    // Assess: no DynamoDB Local was started for it, and no request was made yet.
    expect(dynamoDb.endpoint()).toBe('AWS')
    expect(dynamoDb.ownedPid()).toBeUndefined()
    await dynamoDb.release()
  })
})
