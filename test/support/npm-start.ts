import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface NpmStart {
  readonly child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves with the first match of `pattern` in its output; rejects on exit or after `timeoutMs`. */
  waitFor(
    pattern: RegExp,
    options?: { readonly stream?: 'stdout' | 'stderr'; readonly timeoutMs?: number },
  ): Promise<RegExpMatchArray>
  /** The exit code, once it exits. */
  readonly exited: Promise<number | null>
  /** Ctrl-C, as a person stops it; the exit code. */
  stop(): Promise<number | null>
}

/**
 * `npm start` as a user runs it (`tsx functions/local/main.ts`), in its own
 * process with `env` on top of this one's, minus what the test process set
 * for itself.
 */
export const runNpmStart = (env: Record<string, string>): NpmStart => {
  const inherited = { ...process.env }
  // The dev server sets this for itself; a child must start from nothing, as npm start does.
  delete inherited.AWS_LAMBDA_MAX_CONCURRENCY
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, { stream = 'stdout', timeoutMs = 60_000 } = {}) =>
      new Promise((resolve, reject) => {
        const source = stream === 'stdout' ? child.stdout : child.stderr
        const check = () => {
          const match = (stream === 'stdout' ? out : err).match(pattern)
          if (match === null) return
          finish()
          resolve(match)
        }
        const timer = setTimeout(() => {
          finish()
          reject(new Error(`no ${pattern} after ${timeoutMs} ms\n${out}\n${err}`))
        }, timeoutMs)
        const onExit = () => {
          finish()
          reject(new Error(`npm start exited before ${pattern}\n${out}\n${err}`))
        }
        const finish = () => {
          clearTimeout(timer)
          source?.off('data', check)
          child.off('exit', onExit)
        }
        source?.on('data', check)
        child.once('exit', onExit)
        check()
        if (child.exitCode !== null || child.signalCode !== null) onExit()
      }),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      return exited
    },
  }
}
