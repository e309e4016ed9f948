import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest'
import type { RunningTollgate } from './dev-server.js'

/**
 * A dev server whose log lines the test can read: the logger is built at
 * DEBUG (it fixes its level when built, so the handlers load only after the
 * env is set), extra env applies, and stdout is captured into `lines`
 * instead of the terminal: a passing test prints nothing, a failing one has
 * its own lines printed after it. Call it while tests are collected; it
 * starts and stops around the file's tests.
 *
 * @example
 * const logged = useLoggedTollgate()
 * it('…', () => { logged.tollgate().server.url; logged.lines.join('') })
 */
export const useLoggedTollgate = (
  env: Record<string, string> = {},
  serverEnv: Record<string, string> = {},
) => {
  let tollgate: RunningTollgate | undefined
  const lines: string[] = []
  let firstLineOfTest = 0
  const originalWrite = process.stdout.write.bind(process.stdout)

  beforeAll(async () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG')
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value)
    const { startTollgate } = await import('./dev-server.js')
    tollgate = await startTollgate(serverEnv)
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk))
      // Written, as far as the writer can tell: its callback, if any, is told so.
      const callback = rest.find((argument) => typeof argument === 'function')
      if (callback !== undefined) process.nextTick(callback as (error: null) => void, null)
      return true
    }) as typeof process.stdout.write
  })
  beforeEach(() => {
    firstLineOfTest = lines.length
  })
  afterEach(({ task }) => {
    if (task.result?.state !== 'fail') return
    originalWrite(
      `Log lines of the failed test "${task.name}":\n${lines.slice(firstLineOfTest).join('')}`,
    )
  })
  afterAll(async () => {
    process.stdout.write = originalWrite
    vi.unstubAllEnvs()
    await tollgate?.close()
  })

  return {
    lines,
    tollgate: (): RunningTollgate => {
      if (tollgate === undefined) throw new Error('the logged dev server is not started yet')
      return tollgate
    },
  }
}
