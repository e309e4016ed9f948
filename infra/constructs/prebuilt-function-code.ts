import { readdirSync, readFileSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import {
  PREBUILT_MANIFEST,
  PREBUILT_PACKAGE_JSON,
  type PrebuiltManifest,
} from '../prebuilt-manifest.js'
import type { FunctionCode } from './function-code.js'

/**
 * Where the package keeps its prebuilt function code: `dist/lambda/`, beside
 * `dist/cdk/`, which holds this module once built. (Read from the sources,
 * this path means nothing: only `npm run build` puts this module in use.)
 */
const PACKAGE_LAMBDA_DIR = fileURLToPath(new URL('../lambda/', import.meta.url))

/**
 * The package's constructs: `npm run build` puts this module in place of
 * `function-code.ts` in `dist/cdk/` (docs/packaging.md). Each function's
 * code is the prebuilt `dist/lambda/<function>/` with exactly the shared
 * chunks it loads: no esbuild, no Docker and no Tollgate source at synth.
 */
export const functionCode = (entry: string): FunctionCode =>
  prebuiltFunctionCode(entry, PACKAGE_LAMBDA_DIR)

/**
 * A function's asset out of a prebuilt directory: the directory minus
 * every file the function does not load (the manifest says which it does),
 * so the asset hash, the upload and the zip are the function's own.
 *
 * @example
 * const { code, handler } = prebuiltFunctionCode('functions/entries/jwks.ts', 'dist/lambda')
 */
export const prebuiltFunctionCode = (entry: string, directory: string): FunctionCode => {
  const name = basename(entry, extname(entry))
  const manifest = readManifest(directory)
  const built = manifest.functions[name]
  if (built === undefined) {
    throw new Error(
      `handler module ${entry} has no prebuilt code in ${directory} (built: ${Object.keys(manifest.functions).join(', ')})`,
    )
  }
  const exclude = unused(directory, new Set([...built.files, PREBUILT_PACKAGE_JSON]))
  return {
    code: lambda.Code.fromAsset(directory, { exclude }),
    handler: built.handler,
    // No source maps in the package: nothing to enable.
    environment: {},
  }
}

const manifests = new Map<string, PrebuiltManifest>()

const readManifest = (directory: string): PrebuiltManifest => {
  let manifest = manifests.get(directory)
  if (manifest === undefined) {
    try {
      manifest = JSON.parse(readFileSync(join(directory, PREBUILT_MANIFEST), 'utf8'))
    } catch (error) {
      throw new Error(
        `Tollgate's prebuilt function code is missing from ${directory} (npm run build writes it)`,
        { cause: error },
      )
    }
    manifests.set(directory, manifest as PrebuiltManifest)
  }
  return manifest as PrebuiltManifest
}

/**
 * What to leave out of an asset of `directory` that keeps `keep`: each file
 * not kept, and each folder holding none (whole, so the zip has no empty
 * folders). Paths are relative and `/`-separated, as CDK's exclude globs
 * match them; file names here hold no glob characters.
 */
const unused = (directory: string, keep: ReadonlySet<string>, prefix = ''): string[] =>
  readdirSync(join(directory, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = `${prefix}${entry.name}`
    if (!entry.isDirectory()) return keep.has(path) ? [] : [path]
    const kept = [...keep].some((file) => file.startsWith(`${path}/`))
    return kept ? unused(directory, keep, `${path}/`) : [path, `${path}/**`]
  })
