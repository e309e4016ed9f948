import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DynamoDbStore } from '../../functions/adapters/dynamodb-store.js'
import { runCli } from '../../functions/cli/tollgate.js'
import { freePort } from '../../functions/local/free-port.js'
import { createTestTable } from '../support/dynamodb.js'
import { useTempDirs } from '../support/temp-dirs.js'

describe('tollgate CLI', () => {
  const tempDir = useTempDirs()
  let store: DynamoDbStore
  let output: string[]

  beforeEach(async () => {
    const { client, endpoint, tableName } = await createTestTable()
    store = new DynamoDbStore(client, tableName)
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint)
    vi.stubEnv('TABLE_NAME', tableName)
    vi.stubEnv('DATA_DIR', await tempDir('cli'))
    // Nothing listens here: a dev server someone runs on 3000 must not take part.
    vi.stubEnv('PORT', String(await freePort()))
    output = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      output.push(String(chunk))
      return true
    })
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      output.push(String(chunk))
      return true
    })
  })
  afterEach(() => {
    vi.restoreAllMocks()
    vi.unstubAllEnvs()
  })

  it('bootstrap on an empty table mints an admin and claims the table, so npm start will not', async () => {
    const code = await runCli(['bootstrap', '--name', 'admin'])

    expect(code).toBe(0)
    expect(output.join('')).toMatch(/tgs_[0-9A-Za-z]{71}/)
    expect(await store.isBootstrapped()).toBe(true)
  })

  it('bootstrap on a bootstrapped table mints another admin', async () => {
    await runCli(['bootstrap', '--name', 'first'])

    const code = await runCli(['bootstrap', '--name', 'second'])

    expect(code).toBe(0)
    expect(output.join('').match(/tgs_[0-9A-Za-z]{71}/g)).toHaveLength(2)
  })

  it('refuses a taken name with exit code 1 and a one-line reason', async () => {
    await runCli(['bootstrap', '--name', 'twice'])

    const code = await runCli(['bootstrap', '--name', 'twice'])

    expect(code).toBe(1)
    expect(output.at(-1)).toBe(
      'tollgate bootstrap: A service account with this name already exists.\n',
    )
  })

  it('names the bad variable, without a stack trace, on a bad config', async () => {
    vi.stubEnv('JWT_ALG', 'HS256')

    const code = await runCli(['bootstrap', '--name', 'x'])

    expect(code).toBe(2)
    expect(output.join('')).toBe(
      'tollgate: Invalid configuration: JWT_ALG must be one of RS256, ES256\n',
    )
  })

  it('requires --name', async () => {
    expect(await runCli(['bootstrap'])).toBe(2)
  })

  it.each([['admin '], [' admin']])(
    'refuses the name %j as given, not trimmed into another, like the API',
    async (name) => {
      const code = await runCli(['bootstrap', '--name', name])

      expect(code).toBe(2)
      expect(output.join('')).toMatch(/^tollgate bootstrap: --name .*not ending in a space/)
      expect(await store.isBootstrapped()).toBe(false)
    },
  )
})
