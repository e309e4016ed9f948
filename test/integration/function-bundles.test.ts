import type { Metafile } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { bundle } from '../../infra/bundling.js'
import { useTempDirs } from '../support/temp-dirs.js'

/** `node_modules/@scope/name/…` → `@scope/name`; own code → `(tollgate)`. */
const packageOf = (input: string): string =>
  /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(tollgate)'

/** The packages in what a cold start loads (entry + static imports) and in the lazy chunks. */
const packagesOf = (metafile: Metafile, entry: string) => {
  const outputs = metafile.outputs
  const entryKey = Object.keys(outputs).find((key) => outputs[key]?.entryPoint === entry)
  if (entryKey === undefined) throw new Error(`no output for ${entry}`)
  const cold = new Set([entryKey])
  for (const key of cold) {
    for (const edge of outputs[key]?.imports ?? []) {
      if (edge.kind === 'import-statement' && !edge.external) cold.add(edge.path)
    }
  }
  const packages = (keys: string[]) =>
    new Set(keys.flatMap((key) => Object.keys(outputs[key]?.inputs ?? {}).map(packageOf)))
  return {
    cold: packages([...cold]),
    lazy: packages(Object.keys(outputs).filter((key) => !cold.has(key))),
  }
}

const SDK_CLIENTS = [
  '@aws-sdk/client-kms',
  '@aws-sdk/client-secrets-manager',
  '@aws-sdk/client-dynamodb',
] as const

/**
 * Each function loads only what it needs (docs/design.md#keys), as the stack ships
 * it (infra/bundling.ts): the key source's SDK clients are `import()`ed by
 * the part that needs them, so they are never in what a cold start loads
 * where a key source might not need them.
 */
describe('function bundles', () => {
  const tempDir = useTempDirs()
  const bundled = async (name: string) => {
    const entry = `functions/entries/${name}.ts`
    return packagesOf(await bundle({ entry, outdir: await tempDir(name), sourcemap: false }), entry)
  }

  it.each(['authorizer', 'jwks'])(
    '%s loads no AWS SDK client at cold start, only the one its key source asks for later',
    async (name) => {
      const { cold, lazy } = await bundled(name)

      for (const client of SDK_CLIENTS) expect(cold).not.toContain(client)
      // KMS public keys (kms); KEYSET#public and the deny-list (DynamoDB).
      expect([...lazy]).toEqual(
        expect.arrayContaining(['@aws-sdk/client-kms', '@aws-sdk/client-dynamodb']),
      )
    },
  )

  it('exchange-jwt loads DynamoDB at cold start, KMS and Secrets Manager only on demand', async () => {
    const { cold, lazy } = await bundled('exchange-jwt')

    expect(cold).toContain('@aws-sdk/client-dynamodb')
    expect(cold).not.toContain('@aws-sdk/client-kms')
    expect(cold).not.toContain('@aws-sdk/client-secrets-manager')
    expect([...lazy]).toEqual(
      expect.arrayContaining(['@aws-sdk/client-kms', '@aws-sdk/client-secrets-manager']),
    )
  })

  it('openid-configuration carries no AWS SDK at all', async () => {
    const { cold, lazy } = await bundled('openid-configuration')

    expect([...cold, ...lazy].filter((pkg) => pkg.startsWith('@aws-sdk/'))).toEqual([])
  })
})
