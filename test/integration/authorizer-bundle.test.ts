import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/core/config.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import { buildDependencies } from '../../functions/wiring/dependencies.js'
import { esbuildOptions } from '../../infra/bundling.js'
import { AUTHORIZER_ENTRY, bundleAuthorizer } from '../support/authorizer-bundle.js'
import { createTestTable } from '../support/dynamodb.js'
import { useTempDirs } from '../support/temp-dirs.js'

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/whoami'

/** Calls the bundled handler once in a fresh Node process and prints its answer or throw. */
const INVOKE_SCRIPT = `
const { handler } = await import('./authorizer.js')
try {
  console.log(JSON.stringify({ answer: await handler(JSON.parse(process.argv[2])) }))
} catch (error) {
  console.log(JSON.stringify({ thrown: error.message }))
}
`

/**
 * The authorizer as a deployment ships it (minified ESM, split so DynamoDB
 * loads lazily), run from its bundle in a fresh process as Lambda runs it
 * (inside vitest a \`require\` leaks into ESM and would hide the failure): the
 * lazy Basic-auth path must still reach DynamoDB, i.e. the SDK's CommonJS
 * \`require\` calls must survive bundling.
 */
describe('bundled authorizer', () => {
  const tempDir = useTempDirs()
  let invoke: (
    event: unknown,
    logLevel?: string,
  ) => Promise<{ answer?: unknown; thrown?: string; logged: string[] }>
  let secret: string
  let env: Record<string, string>

  beforeAll(async () => {
    const { client, endpoint, tableName } = await createTestTable()
    env = {
      DATA_DIR: await tempDir('bundle'),
      TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      BASIC_AUTH_ENABLED: 'true',
    }
    const dependencies = await buildDependencies(parseConfig(env), client)
    ;({ secret } = await bootstrapAdmin(dependencies, { name: 'bundle', asFirstAdmin: true }))
    const outdir = await tempDir('authorizer')
    await bundleAuthorizer(outdir)
    await writeFile(join(outdir, 'invoke.mjs'), INVOKE_SCRIPT)
    invoke = async (event, logLevel = 'SILENT') => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['invoke.mjs', JSON.stringify(event)],
        { cwd: outdir, env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: logLevel } },
      )
      const lines = stdout.trim().split('\n')
      return { ...JSON.parse(lines.at(-1) ?? '{}'), logged: lines.slice(0, -1) }
    }
  })

  it('lets a Basic access token in through the lazily loaded DynamoDB chunks', async () => {
    const basic = Buffer.from(`tollgate:${secret}`).toString('base64')

    const { answer } = await invoke({
      type: 'TOKEN',
      authorizationToken: `Basic ${basic}`,
      methodArn: METHOD_ARN,
    })

    expect(answer).toMatchObject({
      principalId: expect.stringMatching(/^sa_/),
      policyDocument: { Statement: [{ Effect: 'Allow' }] },
      context: { atid: secret.slice(4, 26), jti: '' },
    })
  })

  it('still refuses a wrong token with Unauthorized', async () => {
    const basic = Buffer.from(`tollgate:${secret.slice(0, -1)}x`).toString('base64')

    const result = await invoke({
      type: 'TOKEN',
      authorizationToken: `Basic ${basic}`,
      methodArn: METHOD_ARN,
    })

    expect(result).toEqual({ thrown: 'Unauthorized', logged: [] })
  })

  it("writes a refusal's line before it answers, loading the Logger for that first line", async () => {
    const result = await invoke(
      { type: 'TOKEN', authorizationToken: 'Bearer not-a-jwt', methodArn: METHOD_ARN },
      'INFO',
    )

    expect(result.thrown).toBe('Unauthorized')
    expect(result.logged.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'authorizer refused',
        service: 'tollgate',
      }),
    ])
  })

  it('runs unminified too: no name of ours clashes with the banner the bundle starts with', async () => {
    const outdir = await tempDir('authorizer-unminified')
    const result = await build({
      ...esbuildOptions({ entry: AUTHORIZER_ENTRY, outdir, sourcemap: false }),
      minify: false,
    })
    expect(result.errors).toEqual([])
    await writeFile(join(outdir, 'package.json'), '{"type":"module"}\n')
    await writeFile(join(outdir, 'invoke.mjs'), INVOKE_SCRIPT)
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        'invoke.mjs',
        JSON.stringify({ type: 'TOKEN', authorizationToken: 'Bearer x', methodArn: METHOD_ARN }),
      ],
      { cwd: outdir, env: { ...process.env, ...env, POWERTOOLS_LOG_LEVEL: 'SILENT' } },
    )

    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ thrown: 'Unauthorized' })
  })
})
