import { parseArgs } from 'node:util'
import { UsageError } from './exit-codes.js'

type OptionSpec = {
  readonly type: 'string' | 'boolean'
  readonly multiple?: boolean
  readonly short?: string
}
export type OptionSpecs = Readonly<Record<string, OptionSpec>>

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? S extends { multiple: true }
    ? boolean[]
    : boolean
  : S extends { multiple: true }
    ? string[]
    : string

export type Values<O extends OptionSpecs> = { readonly [K in keyof O]?: ValueOf<O[K]> }

/** Options every command takes, before or after the command name. */
export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  'access-token': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs

export const GLOBAL_OPTIONS_HELP = `Global options:
  --url URL              Tollgate's base URL (env TOLLGATE_URL; default http://127.0.0.1:3000)
  --access-token TOKEN   access token to act with (env TOLLGATE_ACCESS_TOKEN; a flag is
                         visible in process lists, so prefer the env or \`tollgate login\`)
  --json                 print the API's JSON on stdout instead of a table
  -h, --help             help for the command
`

/**
 * Parses one command's arguments (its own options plus the global ones);
 * anything unknown, missing or extra is a UsageError naming the command.
 */
export const parseCommand = <O extends OptionSpecs>(
  command: string,
  args: readonly string[],
  options: O,
  positionals: { readonly names: readonly string[]; readonly optional?: number } = { names: [] },
): { values: Values<O & typeof GLOBAL_OPTIONS>; positionals: string[] } => {
  let parsed: { values: Record<string, unknown>; positionals: string[] }
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...GLOBAL_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    throw new UsageError(`tollgate ${command}: ${(error as Error).message}`)
  }
  const required = positionals.names.length - (positionals.optional ?? 0)
  if (
    parsed.positionals.length < required ||
    parsed.positionals.length > positionals.names.length
  ) {
    const expected = positionals.names.length === 0 ? 'no arguments' : positionals.names.join(' ')
    throw new UsageError(`tollgate ${command}: expected ${expected} (see --help)`)
  }
  return {
    values: parsed.values as Values<O & typeof GLOBAL_OPTIONS>,
    positionals: parsed.positionals,
  }
}

/** `--scopes a,b --scopes c` → [a, b, c]; `--scopes ''` → []; absent → undefined. */
export const listOption = (values: readonly string[] | undefined): string[] | undefined =>
  values?.flatMap((value) =>
    value
      .split(/[,\s]+/)
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  )

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** `300`, `300s`, `5m`, `12h`, `90d` → seconds. */
export const durationOption = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const match = /^([0-9]{1,9})([smhd]?)$/.exec(value.trim())
  if (match === null) {
    throw new UsageError(`--${flag} must be a number of seconds or like 30m, 12h, 90d`)
  }
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1)
}

/** A positive page size. */
export const limitOption = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  if (!/^[0-9]{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 100) {
    throw new UsageError('--limit must be an integer from 1 to 100')
  }
  return Number(value)
}

/** A command's `--help`: usage, what it does, its options, the global ones, examples. */
export const helpText = (parts: {
  readonly usage: string
  readonly description: string
  readonly options?: string
  readonly examples: readonly string[]
}): string =>
  `Usage: ${parts.usage}\n\n${parts.description.trim()}\n\n` +
  (parts.options === undefined ? '' : `Options:\n${parts.options}\n`) +
  `${GLOBAL_OPTIONS_HELP}\nExample${parts.examples.length > 1 ? 's' : ''}:\n` +
  parts.examples.map((example) => `  ${example}\n`).join('')
