import { readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BuildOptions, build, buildSync, type OutputFile } from 'esbuild'
import type { ConsoleAssets } from '../functions/wiring/dependencies.js'

/**
 * The console's one build: Preact and the typed client bundled by esbuild
 * into `app.js` and `app.css` beside `index.html`, nothing from a CDN. The
 * dev server serves its result at start; the Lambda bundle embeds the same
 * result (`infra/bundling.ts`), so both serve what was tested.
 */

const CONSOLE_DIR = fileURLToPath(new URL('./', import.meta.url))

const OPTIONS = {
  absWorkingDir: CONSOLE_DIR,
  entryPoints: { app: 'main.tsx' },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: 'tsconfig.json',
  legalComments: 'none',
  write: false,
  outdir: 'out',
  logLevel: 'warning',
} as const satisfies BuildOptions

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

const assetsOf = (files: readonly OutputFile[]): ConsoleAssets => {
  const assets: Record<string, { contentType: string; body: string }> = {
    'index.html': {
      contentType: CONTENT_TYPES['.html'] as string,
      body: readFileSync(`${CONSOLE_DIR}index.html`, 'utf8'),
    },
  }
  for (const file of files) {
    const name = basename(file.path)
    const contentType = CONTENT_TYPES[extname(name)]
    if (contentType !== undefined) assets[name] = { contentType, body: file.text }
  }
  return assets
}

/** The built console, for the dev server. */
export const buildConsoleAssets = async (): Promise<ConsoleAssets> =>
  assetsOf((await build(OPTIONS)).outputFiles)

/** The same, synchronously: CDK's local bundling hook cannot wait for a promise. */
export const buildConsoleAssetsSync = (): ConsoleAssets => assetsOf(buildSync(OPTIONS).outputFiles)
