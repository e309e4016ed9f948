import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/**
 * Makes `tollgate-<purpose>-*` directories in the OS temp dir and removes them
 * after the enclosing describe block or file: they hold private keys and
 * DynamoDB Local data. Call it while tests are collected, not inside one.
 *
 * @example
 * const tempDir = useTempDirs()
 * it('…', async () => { const dataDir = await tempDir('keys') })
 */
export const useTempDirs = (): ((purpose: string) => Promise<string>) => {
  const made: string[] = []
  afterAll(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async (purpose) => {
    const dir = await mkdtemp(join(tmpdir(), `tollgate-${purpose}-`))
    made.push(dir)
    return dir
  }
}
