import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { DynamoDbStore } from '../../functions/adapters/dynamodb-store.js'
import { runCli } from '../../functions/cli/tollgate.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { createTestTable } from '../support/dynamodb.js'
import { useTempDirs } from '../support/temp-dirs.js'

const TOKEN = /tgs_[0-9A-Za-z]{71}/

/**
 * `tollgate bootstrap` mints for the dev server on PORT. Run with another
 * DATA_DIR or TABLE_NAME than that server's, it used to mint, silently, a
 * token the server refuses (and to start a second DynamoDB Local for it).
 */
describe('tollgate bootstrap next to a running dev server', () => {
  const tempDir = useTempDirs()
  let tollgate: RunningTollgate
  let output: string[]

  beforeAll(async () => {
    // First: it sets up per-request log contexts, which must precede any AWS SDK call.
    tollgate = await startTollgate()
  })
  afterAll(() => tollgate.close())
  beforeEach(() => {
    output = []
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        output.push(String(chunk))
        return true
      })
    }
    vi.stubEnv('PORT', String(tollgate.server.port))
  })
  afterEach(() => {
    vi.restoreAllMocks()
    vi.unstubAllEnvs()
  })

  const useOtherStore = async () => {
    const other = await createTestTable()
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', other.endpoint)
    vi.stubEnv('TABLE_NAME', other.tableName)
    vi.stubEnv('DATA_DIR', await tempDir('guard'))
    return new DynamoDbStore(other.client, other.tableName)
  }

  it("refuses to mint into another store than the server's, and names both", async () => {
    const otherStore = await useOtherStore()

    const code = await runCli(['bootstrap', '--name', 'elsewhere'])

    expect(code).toBe(1)
    const text = output.join('')
    expect(text).toContain(`port ${tollgate.server.port}`)
    expect(text).toContain(`DATA_DIR=${tollgate.config.dataDir}`)
    expect(text).toContain('--force')
    expect(text).not.toMatch(TOKEN)
    expect(await otherStore.isBootstrapped()).toBe(false)
  })

  it('mints into the other store anyway with --force, and warns', async () => {
    const otherStore = await useOtherStore()

    const code = await runCli(['bootstrap', '--name', 'forced', '--force'])

    expect(code).toBe(0)
    expect(output.join('')).toMatch(/warning: .*serves another store/)
    expect(output.join('')).toMatch(TOKEN)
    expect(await otherStore.isBootstrapped()).toBe(true)
  })

  it("mints, with the server's own settings, a token the server accepts", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', tollgate.config.dynamoDbEndpoint ?? '')
    vi.stubEnv('TABLE_NAME', tollgate.config.tableName)
    vi.stubEnv('DATA_DIR', tollgate.config.dataDir)

    const code = await runCli(['bootstrap', '--name', 'second-admin'])
    const token = output.join('').match(TOKEN)?.[0] ?? ''
    vi.restoreAllMocks()
    const exchanged = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: token }),
    })

    expect(code).toBe(0)
    expect(exchanged.status).toBe(200)
  })
})
