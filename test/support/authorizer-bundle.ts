import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Metafile } from 'esbuild'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const AUTHORIZER_ENTRY = 'functions/handlers/authorizer.ts'

/**
 * Bundles the authorizer as a Lambda deployment would: one minified ESM
 * bundle for Node 24, written to `outdir`.
 *
 * `splitting: true` is what makes the lazy DynamoDB path lazy on disk too:
 * without it esbuild inlines every `import()` target into the one output file
 * (wrapped so it only *runs* on first use), so the DynamoDB client's few
 * hundred kB would still be read and parsed at every cold start. With
 * splitting, each dynamic-import target becomes its own chunk that Node only
 * loads when Basic auth first calls `import()`.
 *
 * The banner gives ESM chunks a real `require`: the AWS SDK's CommonJS code
 * calls `require('node:https')`, which esbuild's ESM output otherwise turns
 * into a throwing stub, and the Basic-auth path would then always deny.
 */
export const bundleAuthorizer = async (outdir: string): Promise<Metafile> => {
  const result = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [AUTHORIZER_ENTRY],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    splitting: true,
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    outdir,
    metafile: true,
    logLevel: 'warning',
  })
  // The chunks are .js files: tell Node they are ES modules, as a Lambda package would.
  await writeFile(join(outdir, 'package.json'), '{"type":"module"}\n')
  return result.metafile
}
