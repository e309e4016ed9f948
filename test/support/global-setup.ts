import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.js'

/**
 * Once per run: one in-memory DynamoDB Local (each test file makes its own
 * table), and one private temp directory that becomes the workers' TMPDIR.
 * Tests remove the `tollgate-*` directories they make (they hold private
 * keys); whatever one forgets, or leaves behind by crashing, goes with the
 * run's directory at the end instead of piling up in the shared temp dir.
 */
export async function setup(project: TestProject) {
  const runTempDir = await mkdtemp(join(tmpdir(), 'tollgate-test-run-'))
  const sharedTempDir = process.env.TMPDIR
  // Workers are started after this and inherit it; os.tmpdir() reads it on every call.
  process.env.TMPDIR = runTempDir
  project.provide('runTempDir', runTempDir)
  const dynamoDb = await startDynamoDbLocal()
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint)
  return async () => {
    await dynamoDb.stop()
    const leftovers = (await readdir(runTempDir)).filter((name) => name.startsWith('tollgate-'))
    if (leftovers.length > 0) {
      process.stderr.write(
        `Tests left ${leftovers.length} tollgate-* temp directories (removed with the run's): ` +
          `${leftovers.join(', ')}. Remove them where they are made (test/support/temp-dirs.ts).\n`,
      )
    }
    await rm(runTempDir, { recursive: true, force: true })
    if (sharedTempDir === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = sharedTempDir
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string
    runTempDir: string
  }
}
