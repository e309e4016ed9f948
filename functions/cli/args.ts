import { parseArgs } from 'node:util'
import { UsageError } from './exit-codes.js'
import { didYouMean } from './suggest.js'

type OptionSpec = {
  readonly type: 'string' | 'boolean'
  readonly multiple?: boolean
  readonly short?: string
  /** A duration (`durationOption`): `--expires-in 1 week`, unquoted, is read as one value. */
  readonly duration?: true
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
 * anything unknown, missing or extra is a UsageError naming the command,
 * with the closest option for a mistyped one. No message quotes a value or
 * a positional argument: either could be a secret typed in the wrong place.
 */
export const parseCommand = <O extends OptionSpecs>(
  command: string,
  args: readonly string[],
  options: O,
  positionals: { readonly names: readonly string[]; readonly optional?: number } = { names: [] },
): { values: Values<O & typeof GLOBAL_OPTIONS>; positionals: string[] } => {
  const specs: OptionSpecs = { ...GLOBAL_OPTIONS, ...options }
  const input = joinDurationWords(args, specs)
  let parsed: { values: Record<string, unknown>; positionals: string[] }
  try {
    parsed = parseArgs({
      args: input,
      options: nodeOptionsOf(specs),
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    throw new UsageError(
      `tollgate ${command}: ${optionProblem(input, specs) ?? (error as Error).message}`,
    )
  }
  const { names } = positionals
  const required = names.length - (positionals.optional ?? 0)
  const count = parsed.positionals.length
  if (count < required) {
    throw new UsageError(`tollgate ${command}: missing ${names.slice(count, required).join(' ')}`)
  }
  if (count > names.length) {
    const extra = count - names.length
    const expected = names.length === 0 ? 'no arguments' : names.join(' ')
    throw new UsageError(
      `tollgate ${command}: ${extra === 1 ? 'one argument' : `${extra} arguments`} too many ` +
        `(expected ${expected}); quote a value that has spaces`,
    )
  }
  return {
    values: parsed.values as Values<O & typeof GLOBAL_OPTIONS>,
    positionals: parsed.positionals,
  }
}

/** The specs as node:util's parseArgs takes them (without the CLI's own `duration` mark). */
const nodeOptionsOf = (specs: OptionSpecs) =>
  Object.fromEntries(Object.entries(specs).map(([name, { duration: _, ...spec }]) => [name, spec]))

/** An option name safe to repeat back (never a value someone pasted where a flag goes). */
const SHOWABLE_OPTION = /^--?[A-Za-z0-9][A-Za-z0-9-]{0,39}$/

/**
 * What is wrong with the options, in the CLI's words rather than node's:
 * the first unknown one (with the closest known), or a value missing or
 * given to a flag that takes none. Undefined when none of these.
 */
const optionProblem = (args: readonly string[], specs: OptionSpecs): string | undefined => {
  const { tokens } = parseArgs({
    args: [...args],
    options: nodeOptionsOf(specs),
    allowPositionals: true,
    strict: false,
    tokens: true,
  })
  const known = Object.entries(specs).flatMap(([name, spec]) => [
    `--${name}`,
    ...(spec.short === undefined ? [] : [`-${spec.short}`]),
  ])
  for (const token of tokens) {
    if (token.kind !== 'option') continue
    const shown = SHOWABLE_OPTION.test(token.rawName) ? token.rawName : undefined
    const spec = specs[token.name]
    if (spec === undefined) {
      return shown === undefined
        ? 'an unknown option (option names are letters, digits and -)'
        : `unknown option ${shown}${didYouMean(shown, known)}`
    }
    if (spec.type === 'string' && token.value === undefined) {
      return `${token.rawName} needs a value (${token.rawName} VALUE, or ${token.rawName}=VALUE if it starts with -)`
    }
    if (spec.type === 'boolean' && token.value !== undefined) {
      return `${token.rawName} takes no value`
    }
  }
  return undefined
}

/**
 * `--expires-in 1 week` is three words to the shell: joined into the one
 * value people meant, only after a duration option and only for a number
 * followed by a unit word.
 */
const joinDurationWords = (args: readonly string[], specs: OptionSpecs): string[] => {
  const durations = Object.entries(specs)
    .filter(([, spec]) => spec.duration === true)
    .map(([name]) => `--${name}`)
  const joined: string[] = []
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string
    joined.push(arg)
    if (arg === '--') {
      joined.push(...args.slice(index + 1))
      break
    }
    const inline = durations.find((flag) => arg.startsWith(`${flag}=`))
    const number = inline === undefined ? args[index + 1] : arg.slice(inline.length + 1)
    const unit = args[index + (inline === undefined ? 2 : 1)]
    const isDurationFlag = inline !== undefined || durations.includes(arg)
    if (
      isDurationFlag &&
      number !== undefined &&
      /^[0-9]+$/.test(number) &&
      unit !== undefined &&
      Object.hasOwn(UNIT_SECONDS, unit.toLowerCase())
    ) {
      if (inline === undefined) {
        joined.push(`${number} ${unit}`)
        index += 2
      } else {
        joined[joined.length - 1] = `${arg} ${unit}`
        index += 1
      }
    }
  }
  return joined
}

/** `--scopes a,b --scopes c` → [a, b, c]; `--scopes ''` → []; absent → undefined. */
export const listOption = (values: readonly string[] | undefined): string[] | undefined =>
  values?.flatMap((value) =>
    value
      .split(/[,\s]+/)
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  )

const MINUTE = 60
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const WEEK = 7 * DAY

/** Units as people type them: `30s`, `90m`, `12h`, `7d`, `1w`, `2 days`, `1 week`. */
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: MINUTE,
  min: MINUTE,
  mins: MINUTE,
  minute: MINUTE,
  minutes: MINUTE,
  h: HOUR,
  hr: HOUR,
  hrs: HOUR,
  hour: HOUR,
  hours: HOUR,
  d: DAY,
  day: DAY,
  days: DAY,
  w: WEEK,
  wk: WEEK,
  wks: WEEK,
  week: WEEK,
  weeks: WEEK,
}

const DURATION_EXAMPLES = '3600, 30s, 90m, 12h, 7d, 1w, "2 days" or 1h30m'

/**
 * A duration flag's value in seconds: a number of seconds (`3600`), or
 * numbers with units (`90m`, `12h`, `7d`, `1w`, `2 days`, `1 week`,
 * `1h30m`, `1 day 12 hours`); absent → undefined.
 *
 * @example
 * durationOption('expires-in', '1 week') // 604800
 */
export const durationOption = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const text = value.trim().toLowerCase()
  if (/^[0-9]{1,10}$/.test(text)) return Number(text)
  // Sticky: each part must start where the last one ended, so nothing is skipped over.
  const part = /([0-9]{1,10})\s*([a-z]+)[\s,]*/y
  let seconds = 0
  for (let matched = part.exec(text); matched !== null; matched = part.exec(text)) {
    const [, count = '', unit = ''] = matched
    const size = UNIT_SECONDS[unit]
    if (size === undefined) {
      const shown = unit.length <= 12 ? `"${unit}" is not a unit; ` : ''
      throw new UsageError(`--${flag}: ${shown}a duration looks like ${DURATION_EXAMPLES}`)
    }
    seconds += Number(count) * size
    if (part.lastIndex === text.length) {
      if (!Number.isSafeInteger(seconds)) break
      return seconds
    }
  }
  throw new UsageError(`--${flag} must be a duration like ${DURATION_EXAMPLES}`)
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
