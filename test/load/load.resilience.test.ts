import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../support/temp-dirs.js'
import type { LoadReport } from './load.js'
import { SCENARIOS } from './scenarios.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** `npm run load` as a fresh clone runs it (`tsx test/load/run.ts`), made short. */
describe('npm run load', () => {
  const tempDir = useTempDirs()

  it('prints its table and writes its results, every valid request a 2xx', async () => {
    const output = join(await tempDir('load'), 'results.json')
    const inherited = { ...process.env }
    delete inherited.AWS_LAMBDA_MAX_CONCURRENCY
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/load/run.ts'], {
      cwd: ROOT,
      env: { ...inherited, LOAD_SECONDS: '1', LOAD_CONNECTIONS: '1,8', LOAD_OUTPUT: output },
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
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))

    expect(code, stderr).toBe(0)
    expect(stdout).toMatch(/\| route +\| conn \| req\/s \| p50 ms \| p99 ms \| p99\.9 ms \|/)
    const report = JSON.parse(await readFile(output, 'utf8')) as LoadReport
    expect(report.cells.map((cell) => `${cell.route} ${cell.connections}`)).toEqual(
      SCENARIOS.flatMap((scenario) => [`${scenario.name} 1`, `${scenario.name} 8`]),
    )
    for (const cell of report.cells) {
      expect(cell.requests, cell.route).toBeGreaterThan(0)
      expect([cell.non2xx, cell.errors], cell.route).toEqual([0, 0])
    }
  })
})
