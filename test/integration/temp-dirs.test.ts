import { access, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { describe, expect, inject, it } from 'vitest'
import { useTempDirs } from '../support/temp-dirs.js'

/** Test runs used to leave about 30 tollgate-* directories, private keys inside, in /tmp. */
describe('temp directories of a test run', () => {
  it('are made in a 0700 directory of the run, which the run removes at its end', async () => {
    expect(tmpdir()).toBe(inject('runTempDir'))
    expect((await stat(tmpdir())).mode & 0o777).toBe(0o700)
  })

  const made: string[] = []
  describe('made with useTempDirs', () => {
    const tempDir = useTempDirs()

    it('exist while the block runs', async () => {
      made.push(await tempDir('check'), await tempDir('check'))

      for (const dir of made) await expect(access(dir)).resolves.toBeUndefined()
    })
  })

  it('are gone once the block that made them is done', async () => {
    expect(made).toHaveLength(2)
    for (const dir of made) await expect(access(dir)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
