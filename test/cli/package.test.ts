import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { useTempDirs } from '../support/temp-dirs.js'

const tempDir = useTempDirs()

const ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '')

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const run = (
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })

/**
 * The environment of a consumer's machine: PATH without this project's
 * node_modules (whose `node` package pins Node 24 for our own scripts), so
 * the packed CLI and client run on whatever Node the machine has.
 */
const consumerEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.startsWith(ROOT) && !entry.includes('node-gyp-bin'))
    .join(delimiter)
  const env: NodeJS.ProcessEnv = {
    PATH: path,
    HOME: process.env.HOME,
    npm_config_update_notifier: 'false',
  }
  for (const name of ['npm_config_cache', 'NPM_CONFIG_CACHE', 'npm_config_registry']) {
    if (process.env[name] !== undefined) env[name] = process.env[name]
  }
  return { ...env, ...extra }
}

/**
 * What someone outside this repository gets: `npm pack` (which builds),
 * the tarball installed into an empty project (its runtime dependencies
 * from the registry, or npm's cache), then the client imported and the CLI
 * run there, on the machine's own Node.
 */
describe('the packed package, installed into an empty project', () => {
  let consumer: string
  let packed: { filename: string; files: { path: string }[] }
  let tollgate: RunningTollgate
  let nodeVersion: string

  beforeAll(async () => {
    const out = await tempDir('pack')
    // npm pack builds first (the prepare script runs `npm run build`), as it does for a
    // publisher: a build of our own before it would only do the same work twice.
    const pack = await run('npm', ['pack', '--json', '--pack-destination', out], {
      cwd: ROOT,
      env: process.env,
      timeoutMs: 180_000,
    })
    expect(pack.code, pack.stderr).toBe(0)
    packed = JSON.parse(pack.stdout)[0]

    consumer = join(out, 'consumer')
    await mkdir(consumer)
    await writeFile(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'tollgate-consumer', private: true, type: 'module' }),
    )
    const install = await run(
      'npm',
      ['install', join(out, packed.filename), '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: consumer, env: consumerEnv(), timeoutMs: 180_000 },
    )
    expect(install.code, install.stderr).toBe(0)
    nodeVersion = (
      await run('node', ['--version'], { cwd: consumer, env: consumerEnv() })
    ).stdout.trim()
    tollgate = await startTollgate()
  }, 400_000)
  afterAll(() => tollgate?.close())

  it('ships built JavaScript and types, and no TypeScript sources', () => {
    const paths = packed.files.map((file) => file.path)

    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/cli/bin.js',
        'dist/client/index.js',
        'dist/client/index.d.ts',
      ]),
    )
    expect(
      paths.filter(
        (path) => !path.startsWith('dist/') && !['package.json', 'README.md'].includes(path),
      ),
    ).toEqual([])
    expect(paths.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([])
  })

  it("imports the client there and calls a dev server with it, on the machine's Node", async () => {
    const script = `
      import { TollgateApiError, TollgateClient } from 'tollgate'
      const client = new TollgateClient({ baseUrl: process.env.URL, accessToken: process.env.TOKEN })
      const me = await client.whoami()
      const missing = await client.accessTokens.get('AAAAAAAAAAAAAAAAAAAAAA').catch((error) => error)
      console.log(JSON.stringify({ sub: me.sub, typed: missing instanceof TollgateApiError, code: missing.code }))
    `
    const result = await run('node', ['--input-type=module', '-e', script], {
      cwd: consumer,
      env: consumerEnv({ URL: tollgate.server.url, TOKEN: tollgate.adminToken }),
    })

    expect(result.code, `${nodeVersion}: ${result.stderr}`).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      sub: expect.stringMatching(/^sa_/),
      typed: true,
      code: 'not_found',
    })
  }, 60_000)

  it('resolves the client’s types through the exports map', async () => {
    await writeFile(
      join(consumer, 'check.ts'),
      `import { TollgateClient, type AccessToken } from 'tollgate'
const client = new TollgateClient({ baseUrl: 'http://127.0.0.1:3000', accessToken: 'tgs_x' })
export const names = async (): Promise<string[]> =>
  (await client.accessTokens.list({ status: 'active' })).items.map((token: AccessToken) => token.name)
// @ts-expect-error status is a closed union, from the API's zod schema
client.accessTokens.list({ status: 'deleted' })
`,
    )
    await writeFile(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: ['check.ts'],
      }),
    )
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')

    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: consumer,
      env: process.env,
    })

    expect(result.code, result.stdout).toBe(0)
  }, 120_000)

  it('runs the tollgate bin (built JavaScript, no tsx) with npx, exit codes included', async () => {
    const config = await tempDir('pack-config')
    const npx = (args: string[], extra: Record<string, string> = {}) =>
      run('npx', ['--no-install', 'tollgate', ...args], {
        cwd: consumer,
        env: consumerEnv({ XDG_CONFIG_HOME: config, ...extra }),
      })

    const help = await npx(['--help'])
    const whoami = await npx(['whoami', '--json'], {
      TOLLGATE_URL: tollgate.server.url,
      TOLLGATE_ACCESS_TOKEN: tollgate.adminToken,
    })
    const unauthenticated = await npx(['tokens', 'list'], { TOLLGATE_URL: tollgate.server.url })

    expect(help.code, `${nodeVersion}: ${help.stderr}`).toBe(0)
    expect(help.stdout).toMatch(/^Usage: tollgate <command>/)
    expect(whoami.code, whoami.stderr).toBe(0)
    expect(JSON.parse(whoami.stdout)).toMatchObject({ kind: 'service', roles: ['admin'] })
    expect(unauthenticated.code).toBe(3)
    expect(unauthenticated.stderr).toContain('No credentials')
  }, 120_000)
})
