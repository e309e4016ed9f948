import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { REPO_ROOT } from './authorizer-bundle.js'

/**
 * The fenced shell block between `<!-- walkthrough:NAME:start -->` and
 * `:end -->` in a document of the repository (`docs/api.md`): the test runs
 * what the reader reads, wherever the block lives.
 */
export const docWalkthrough = async (document: string, name: string): Promise<string> => {
  const text = await readFile(join(REPO_ROOT, document), 'utf8')
  const start = text.indexOf(`<!-- walkthrough:${name}:start -->`)
  const end = text.indexOf(`<!-- walkthrough:${name}:end -->`)
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(start, end))?.[1]
  if (start === -1 || end === -1 || block === undefined) {
    throw new Error(`${document} has no walkthrough "${name}"`)
  }
  return block
}

/** Runs a script with bash, failing on any error, and returns what it printed. */
export const runBash = (
  script: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
