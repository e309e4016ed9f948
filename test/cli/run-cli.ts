import type { CliIo } from '../../functions/cli/io.js'
import { runCli } from '../../functions/cli/tollgate.js'
import { useTempDirs } from '../support/temp-dirs.js'

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A config directory of its own, so no test reads or writes the user's credentials. */
const tempDir = useTempDirs()

/** A config home of its own for one CLI run, removed with the test file. */
export const tempConfigHome = () => tempDir('cli-config')

/**
 * Runs the CLI in-process with only the given environment (nothing from the
 * test process leaks in) and captures both streams.
 */
export const cli = async (
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: {
    readonly stdin?: string
    readonly fetch?: typeof fetch
    /** Sees stderr as it grows, for a command that waits on the test (`login --issuer`). */
    readonly onStderr?: (soFar: string) => void
  } = {},
): Promise<CliRun> => {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: {
      write: (text: string) => {
        stderr += text
        options.onStderr?.(stderr)
      },
    },
    env,
    readStdin: async () => options.stdin ?? '',
    stdinIsTty: options.stdin === undefined,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  }
  const code = await runCli(argv, io)
  return { code, stdout, stderr }
}
