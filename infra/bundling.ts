import { writeFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { basename, extname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BuildOptions, build, buildSync, type Metafile } from 'esbuild'
import { buildConsoleAssets, buildConsoleAssetsSync } from '../console/build.js'
import {
  PREBUILT_MANIFEST,
  type PrebuiltFunction,
  type PrebuiltManifest,
} from './prebuilt-manifest.js'

/** The repository root: entry paths are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url))

export interface BundleOptions {
  /** Handler module, relative to the repository root: `functions/entries/jwks.ts`. */
  readonly entry: string
  /** Directory the bundle is written to; it holds `<entry name>.js` and its chunks. */
  readonly outdir: string
  /**
   * Source maps beside the code (deployments: on, with `--enable-source-maps`).
   * The bench turns them off so it counts only the bytes Node loads.
   */
  readonly sourcemap?: boolean
}

/** What every Lambda bundle shares, one function or all at once (see `esbuildOptions`). */
const LAMBDA_OPTIONS = {
  absWorkingDir: REPO_ROOT,
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  splitting: true,
  banner: {
    // Aliased: a bundled module may import createRequire itself, in the same scope.
    js: "import { createRequire as __bannerCreateRequire } from 'node:module'; const require = __bannerCreateRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
} as const satisfies BuildOptions

/**
 * The one esbuild configuration every Tollgate Lambda ships with, shared by
 * the CDK assets, the bundle test and the bench.
 *
 * - ESM for Node 24, minified, everything bundled (the AWS SDK included, so
 *   the version that was tested is the version that runs).
 * - `splitting: true`: each `import()` target becomes its own chunk that Node
 *   loads only on first use. Without it esbuild inlines every dynamic import
 *   into the one output file, and the authorizer would read and parse the
 *   DynamoDB client at every cold start although only Basic auth needs it.
 *   Splitting needs `outdir`, which `NodejsFunction` never passes, hence the
 *   functions are bundled here rather than by `NodejsFunction`.
 * - The banner gives ESM chunks a real `require`: the AWS SDK's CommonJS code
 *   calls `require('node:https')`, which esbuild's ESM output otherwise turns
 *   into a throwing stub (Basic auth would then always deny).
 * - Source maps without `sourcesContent`: stack traces name our files and
 *   lines, and the zip does not carry the sources twice.
 */
export const esbuildOptions = ({
  entry,
  outdir,
  sourcemap = true,
}: BundleOptions): BuildOptions => ({
  ...LAMBDA_OPTIONS,
  ...(entry === CONSOLE_ENTRY ? { define: consoleDefine(buildConsoleAssetsSync()) } : {}),
  entryPoints: [entry],
  outdir,
  sourcemap: sourcemap ? 'linked' : false,
  sourcesContent: false,
})

const CONSOLE_ENTRY = 'functions/entries/console.ts'

/**
 * The console's Lambda serves the very build the dev server serves: its
 * files go into the bundle as `TOLLGATE_CONSOLE_ASSETS` (functions/entries/console.ts).
 */
const consoleDefine = (assets: object): Record<string, string> => ({
  TOLLGATE_CONSOLE_ASSETS: JSON.stringify(assets),
})

/** `functions/entries/exchange-jwt.ts` → `exchange-jwt.handler`, the Lambda handler setting. */
export const lambdaHandlerOf = (entry: string): string =>
  `${basename(entry, extname(entry))}.handler`

/** The chunks are `.js` files: tell Node they are ES modules, as the Lambda package does. */
const PACKAGE_JSON = '{"type":"module"}\n'

/** Bundles asynchronously (tests, bench). */
export const bundle = async (options: BundleOptions): Promise<Metafile> => {
  const result = await build(esbuildOptions(options))
  await writeFile(join(options.outdir, 'package.json'), PACKAGE_JSON)
  if (result.metafile === undefined)
    throw new Error(`esbuild returned no metafile for ${options.entry}`)
  return result.metafile
}

/** Bundles synchronously: CDK's local bundling hook cannot wait for a promise. */
export const bundleSync = (options: BundleOptions): Metafile => {
  const result = buildSync(esbuildOptions(options))
  writeFileSync(join(options.outdir, 'package.json'), PACKAGE_JSON)
  if (result.metafile === undefined)
    throw new Error(`esbuild returned no metafile for ${options.entry}`)
  return result.metafile
}

/**
 * The package's prebuilt function code (docs/packaging.md): every entry in
 * one esbuild run, so the functions share their chunks, written as
 * `<outdir>/<function>/index.js` beside `<outdir>/chunks/`, with no source
 * maps. `PREBUILT_MANIFEST` lists the files each function loads (its entry
 * and every chunk it reaches, `import()`ed ones included): the constructs
 * ship exactly those as the function's asset, so the package holds each
 * chunk once and a function's zip holds only its own code.
 */
export const bundleFunctions = async (options: {
  /** Handler modules, relative to the repository root: `functions/entries/jwks.ts`. */
  readonly entries: readonly string[]
  readonly outdir: string
}): Promise<{ readonly manifest: PrebuiltManifest; readonly metafile: Metafile }> => {
  const result = await build({
    ...LAMBDA_OPTIONS,
    ...(options.entries.includes(CONSOLE_ENTRY)
      ? { define: consoleDefine(await buildConsoleAssets()) }
      : {}),
    entryPoints: [...options.entries],
    outdir: options.outdir,
    entryNames: '[name]/index',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: false,
  })
  const outputs = result.metafile.outputs
  const functions: Record<string, PrebuiltFunction> = {}
  for (const entry of options.entries) {
    const name = basename(entry, extname(entry))
    const output = Object.keys(outputs).find((path) => outputs[path]?.entryPoint === entry)
    if (output === undefined) throw new Error(`esbuild wrote nothing for ${entry}`)
    const files = new Set([output])
    for (const file of files) {
      for (const edge of outputs[file]?.imports ?? []) if (!edge.external) files.add(edge.path)
    }
    const inOutdir = (file: string) =>
      relative(resolve(REPO_ROOT, options.outdir), join(REPO_ROOT, file)).split(sep).join('/')
    functions[name] = {
      handler: `${name}/index.handler`,
      files: [...files].map(inOutdir).sort(),
    }
  }
  const manifest: PrebuiltManifest = { functions }
  await mkdir(options.outdir, { recursive: true })
  await writeFile(join(options.outdir, 'package.json'), PACKAGE_JSON)
  await writeFile(join(options.outdir, PREBUILT_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`)
  return { manifest, metafile: result.metafile }
}
