import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Metafile } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { bundle, bundleFunctions, REPO_ROOT } from '../../infra/bundling.js'
import { useTempDirs } from '../support/temp-dirs.js'

/** `node_modules/@scope/name/…` → `@scope/name`; own code → `(tollgate)`. */
const packageOf = (input: string): string =>
  /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(tollgate)'

/**
 * The source files in what a cold start of `entry` loads (its file and
 * static imports) and in the chunks it may `import()` later: only what it
 * reaches, also where one build holds every function.
 */
const inputsOf = (metafile: Metafile, entry: string) => {
  const outputs = metafile.outputs
  const entryKey = Object.keys(outputs).find((key) => outputs[key]?.entryPoint === entry)
  if (entryKey === undefined) throw new Error(`no output for ${entry}`)
  const reach = (follow: (kind: string) => boolean) => {
    const found = new Set([entryKey])
    for (const key of found) {
      for (const edge of outputs[key]?.imports ?? []) {
        if (follow(edge.kind) && !edge.external) found.add(edge.path)
      }
    }
    return found
  }
  const cold = reach((kind) => kind === 'import-statement')
  const reachable = reach(() => true)
  const inputs = (keys: string[]) => keys.flatMap((key) => Object.keys(outputs[key]?.inputs ?? {}))
  return {
    cold: inputs([...cold]),
    lazy: inputs([...reachable].filter((key) => !cold.has(key))),
  }
}

/** The packages of `inputsOf`, our own code as `(tollgate)`. */
const packagesOf = (metafile: Metafile, entry: string) => {
  const { cold, lazy } = inputsOf(metafile, entry)
  return { cold: new Set(cold.map(packageOf)), lazy: new Set(lazy.map(packageOf)) }
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
 * where a key source might not need them. So it is both ways the code is
 * built: one bundle per function at the repository's synth, and every
 * function in one build with shared chunks for the package (`dist/lambda`).
 */
const tempDir = useTempDirs()
const entryOf = (name: string) => `functions/entries/${name}.ts`

const perFunction = async (name: string) =>
  bundle({ entry: entryOf(name), outdir: await tempDir(name), sourcemap: false })

let prebuilt: Promise<Metafile> | undefined
const allAtOnce = (_name: string): Promise<Metafile> => {
  prebuilt ??= (async () => {
    const entries = (await readdir(join(REPO_ROOT, 'functions', 'entries'))).map((file) =>
      entryOf(file.replace(/\.ts$/, '')),
    )
    return (await bundleFunctions({ entries, outdir: await tempDir('prebuilt') })).metafile
  })()
  return prebuilt
}

describe.each([
  ['one function per build (the repository’s synth)', perFunction],
  ['every function in one build (the package)', allAtOnce],
])('function bundles, %s', (_way, build) => {
  const bundled = async (name: string) => packagesOf(await build(name), entryOf(name))

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

  it('authorizer loads Powertools only on its first log line, never at cold start', async () => {
    const { cold, lazy } = await bundled('authorizer')

    expect(cold).not.toContain('@aws-lambda-powertools/logger')
    expect(lazy).toContain('@aws-lambda-powertools/logger')
  })

  // EMF is fields of log lines the authorizer writes anyway: its cold start gains the metric
  // names (core/metrics.ts, bundled into the entry), no package, and no Powertools Metrics.
  it('authorizer loads no package for its metrics at cold start, nor ever Powertools Metrics', async () => {
    const { cold, lazy } = inputsOf(await build('authorizer'), entryOf('authorizer'))

    expect([...new Set(cold.map(packageOf))]).toEqual(['(tollgate)'])
    expect(cold.filter((input) => input.includes('metrics'))).toEqual(['functions/core/metrics.ts'])
    expect([...cold, ...lazy].map(packageOf)).not.toContain('@aws-lambda-powertools/metrics')
  })

  it('authorizer loads the JWKS fetcher (node:http, node:https) only where a JWKS is fetched', async () => {
    const { cold, lazy } = inputsOf(await build('authorizer'), entryOf('authorizer'))
    const fetcher = 'functions/adapters/remote-jwks.ts'

    expect(cold).not.toContain(fetcher)
    expect(lazy).toContain(fetcher)
  })

  it('authorizer parses its configuration without zod, loaded only where people are configured', async () => {
    const { cold, lazy } = await bundled('authorizer')

    expect(cold).not.toContain('zod')
    expect(lazy).toContain('zod')
  })

  it('exchange-jwt loads DynamoDB at cold start, KMS and Secrets Manager only on demand', async () => {
    const { cold, lazy } = await bundled('exchange-jwt')

    expect(cold).toContain('@aws-sdk/client-dynamodb')
    expect(cold).not.toContain('@aws-sdk/client-kms')
    expect(cold).not.toContain('@aws-sdk/client-secrets-manager')
    expect([...lazy]).toEqual(
      expect.arrayContaining(['@aws-sdk/client-kms', '@aws-sdk/client-secrets-manager']),
    )
  })

  it("bootstrap loads DynamoDB at cold start, the pepper's Secrets Manager only on demand, KMS never at cold start", async () => {
    const { cold, lazy } = await bundled('bootstrap')

    expect(cold).toContain('@aws-sdk/client-dynamodb')
    expect(cold).not.toContain('@aws-sdk/client-kms')
    expect(cold).not.toContain('@aws-sdk/client-secrets-manager')
    expect(lazy).toContain('@aws-sdk/client-secrets-manager')
  })

  it('openid-configuration carries no AWS SDK at all', async () => {
    const { cold, lazy } = await bundled('openid-configuration')

    expect([...cold, ...lazy].filter((pkg) => pkg.startsWith('@aws-sdk/'))).toEqual([])
  })
})
