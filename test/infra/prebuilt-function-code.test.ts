import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { App, Stack } from 'aws-cdk-lib'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { describe, expect, it } from 'vitest'
import { prebuiltFunctionCode } from '../../infra/constructs/prebuilt-function-code.js'
import { PREBUILT_MANIFEST, type PrebuiltManifest } from '../../infra/prebuilt-manifest.js'
import { useTempDirs } from '../support/temp-dirs.js'

const tempDir = useTempDirs()

/** A prebuilt directory as `npm run build` writes it: two functions sharing one chunk. */
const prebuilt = async (): Promise<string> => {
  const dir = await tempDir('prebuilt')
  const manifest: PrebuiltManifest = {
    functions: {
      jwks: { handler: 'jwks/index.handler', files: ['chunks/shared-A.js', 'jwks/index.js'] },
      whoami: {
        handler: 'whoami/index.handler',
        files: ['chunks/dynamodb-B.js', 'chunks/shared-A.js', 'whoami/index.js'],
      },
    },
  }
  for (const file of [
    'jwks/index.js',
    'whoami/index.js',
    'chunks/shared-A.js',
    'chunks/dynamodb-B.js',
  ]) {
    await mkdir(join(dir, posix.dirname(file)), { recursive: true })
    await writeFile(join(dir, file), `// ${file}\n`)
  }
  await writeFile(join(dir, 'package.json'), '{"type":"module"}\n')
  await writeFile(join(dir, PREBUILT_MANIFEST), JSON.stringify(manifest))
  return dir
}

const filesUnder = async (dir: string): Promise<string[]> =>
  (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => posix.relative(dir, join(entry.parentPath, entry.name)))
    .sort()

describe('prebuilt function code (the package’s constructs)', () => {
  it('ships each function its own entry and the chunks it loads, nothing else', async () => {
    // Prepare
    const dir = await prebuilt()
    const outdir = await tempDir('prebuilt-out')
    const app = new App({ outdir })
    const stack = new Stack(app, 'Prebuilt')

    // Act
    const code = prebuiltFunctionCode('functions/entries/jwks.ts', dir)
    new lambda.Function(stack, 'Jwks', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: code.handler,
      code: code.code,
    })
    app.synth()
    const staged = (await readdir(outdir)).filter((name) => name.startsWith('asset.'))

    // Assess
    expect(code.handler).toBe('jwks/index.handler')
    expect(code.environment).toEqual({})
    expect(staged).toHaveLength(1)
    const asset = join(outdir, staged[0] as string)
    expect(await filesUnder(asset)).toEqual(['chunks/shared-A.js', 'jwks/index.js', 'package.json'])
    expect(await readdir(asset)).not.toContain('whoami')
  })

  it('refuses a function the directory has no code for, naming what it has', async () => {
    const dir = await prebuilt()

    expect(() => prebuiltFunctionCode('functions/entries/openapi.ts', dir)).toThrow(
      /functions\/entries\/openapi\.ts has no prebuilt code .* \(built: jwks, whoami\)/,
    )
  })

  it('says how to get the code when the directory holds none', async () => {
    const empty = await tempDir('prebuilt-empty')

    expect(() => prebuiltFunctionCode('functions/entries/jwks.ts', empty)).toThrow(
      /prebuilt function code is missing .*npm run build/,
    )
  })
})
