import { afterEach, describe, expect, it, vi } from 'vitest'
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.js'

describe('Function: startDynamoDbLocal', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('says how to install Java, or where else to point, when java is not on the PATH', async () => {
    vi.stubEnv('PATH', '/nonexistent')

    const failure = startDynamoDbLocal()

    await expect(failure).rejects.toThrow(/needs Java 17/)
    await expect(failure).rejects.toThrow(/apt-get install -y openjdk-17-jre-headless/)
    await expect(failure).rejects.toThrow(/AWS_ENDPOINT_URL_DYNAMODB/)
  })
})
