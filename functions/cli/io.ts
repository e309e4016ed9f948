import { readFileSync } from 'node:fs'

/** Where a command reads and writes: the process by default, fakes in tests. */
export interface CliIo {
  /** Data: what scripts capture (`$(tollgate jwt)`, `--json | jq`). */
  readonly stdout: { write(text: string): unknown }
  /** Progress, notes and errors, for people. */
  readonly stderr: { write(text: string): unknown }
  readonly env: Readonly<Record<string, string | undefined>>
  /** All of standard input (for `login --token -`). */
  readonly readStdin: () => Promise<string>
  readonly stdinIsTty: boolean
  /** The HTTP client's fetch (tests swap it). */
  readonly fetch?: typeof globalThis.fetch
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  readStdin: async () => {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  },
  stdinIsTty: process.stdin.isTTY === true,
})

/** The package version, from its package.json. */
export const cliVersion = (): string => {
  const { version } = packageJson()
  return typeof version === 'string' ? version : 'unknown'
}

/**
 * The package's package.json, two levels up (as in `functions/cli` and
 * `dist/cli`); empty when it cannot be read.
 */
export const packageJson = (): Readonly<Record<string, unknown>> => {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  } catch {
    return {}
  }
}
