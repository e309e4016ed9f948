import { chmod, readFile, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../support/consumer-project.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { useTempDirs } from '../support/temp-dirs.js'

const tempDir = useTempDirs()

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** docs/cli.md's block between `<!-- walkthrough:cli:start -->` and `…:end -->`, exactly. */
const walkthrough = async (): Promise<string> => {
  const page = await readFile(join(ROOT, 'docs', 'cli.md'), 'utf8')
  const match =
    /<!-- walkthrough:cli:start -->\n```sh\n([\s\S]*?)```\n<!-- walkthrough:cli:end -->/.exec(page)
  if (match?.[1] === undefined) throw new Error('docs/cli.md has no CLI walkthrough block')
  return match[1]
}

/**
 * `tollgate` on PATH as a user has it after `npm link`, but running the
 * sources (tsx) so this test never races the package test's `npm run build`.
 */
const cliOnPath = async (): Promise<string> => {
  const dir = await tempDir('path')
  const loader = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')
  const bin = join(ROOT, 'functions', 'cli', 'bin.ts')
  const shim = join(dir, 'tollgate')
  await writeFile(
    shim,
    `#!/bin/sh\nexec "${process.execPath}" --import "file://${loader}" "${bin}" "$@"\n`,
  )
  await chmod(shim, 0o755)
  return dir
}

const bash = (script: string, env: Record<string, string>, cwd: string) =>
  run('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', script], {
    env,
    cwd,
    timeoutMs: 120_000,
  })

describe('docs/cli.md: the CLI walkthrough', () => {
  let tollgate: RunningTollgate

  beforeAll(async () => {
    tollgate = await startTollgate()
  })
  afterAll(() => tollgate.close())

  it('runs as written: account, token, tollgate jwt, curl /whoami, list --json | jq, revoke', async () => {
    const script = await walkthrough()
    const pathDir = await cliOnPath()
    const cwd = await tempDir('walkthrough')

    const run = await bash(
      script,
      {
        PATH: `${pathDir}${delimiter}${process.env.PATH ?? ''}`,
        HOME: cwd,
        XDG_CONFIG_HOME: join(cwd, 'config'),
        TOLLGATE_URL: tollgate.server.url,
        TOLLGATE_ACCESS_TOKEN: tollgate.adminToken,
      },
      cwd,
    )

    expect(run.code, run.stderr).toBe(0)
    const whoami = /\{\n {2}"sub": "(sa_\w+)",\n {2}"kind": "service"[\s\S]*?\n\}\n/.exec(
      run.stdout,
    )
    expect(whoami).not.toBeNull()
    expect(JSON.parse(whoami?.[0] ?? '{}')).toMatchObject({ scopes: ['datasets:read'], roles: [] })
    expect(run.stdout).toMatch(/^[0-9A-Za-z]{22}\tdeploy\tactive$/m)
    expect(run.stdout).toMatch(/^status\s+revoked$/m)
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('401')
  }, 120_000)
})
