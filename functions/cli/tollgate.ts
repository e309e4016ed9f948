import { GLOBAL_OPTIONS_HELP } from './args.js'
import { type Command, type CommandGroup, isGroup } from './command.js'
import { bootstrapCommand } from './commands/bootstrap.js'
import { jwtCommand } from './commands/jwt.js'
import { keysCommands } from './commands/keys.js'
import { loginCommand, logoutCommand } from './commands/login.js'
import { serviceAccountsCommands } from './commands/service-accounts.js'
import { tokensCommands } from './commands/tokens.js'
import { trustPoliciesCommands } from './commands/trust-policies.js'
import { whoamiCommand } from './commands/whoami.js'
import {
  describeFailure,
  EXIT,
  EXIT_CODES_HELP,
  MissingPackageError,
  UsageError,
} from './exit-codes.js'
import { type CliIo, cliVersion, processIo } from './io.js'
import { didYouMean } from './suggest.js'

/**
 * Every command, in the order `--help` lists them. A command is a module
 * under commands/ exporting a `Command` (or a `CommandGroup` of them); adding
 * one (`keys init`, say) is one import and one entry here.
 */
export const COMMANDS: readonly (Command | CommandGroup)[] = [
  loginCommand,
  logoutCommand,
  jwtCommand,
  whoamiCommand,
  serviceAccountsCommands,
  tokensCommands,
  trustPoliciesCommands,
  bootstrapCommand,
  keysCommands,
]

const rootHelp = (): string => {
  const rows: (readonly [string, string])[] = COMMANDS.flatMap((entry) =>
    isGroup(entry)
      ? [
          [entry.name, entry.summary] as const,
          ['', entry.subcommands.map((sub) => sub.name).join(' | ')] as const,
        ]
      : [[entry.name, entry.summary] as const],
  )
  rows.push(['help [COMMAND]', "this text, or a command's"], ['--version', "the CLI's version"])
  const width = Math.max(...rows.map(([name]) => name.length))
  return `Usage: tollgate <command> [options]

Tollgate's command line: manage service accounts, access tokens and trust
policies over the HTTP API, and get JWTs for scripts and CI jobs. \`tollgate <command> --help\` shows each
command with an example.

Commands:
${rows.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`).join('\n')}

${GLOBAL_OPTIONS_HELP}
Environment:
  TOLLGATE_URL           base URL (default http://127.0.0.1:3000, the dev server)
  TOLLGATE_ACCESS_TOKEN  access token to act with (exchanged for JWTs, renewed as needed)
  TOLLGATE_JWT           a JWT to act with as is (a person's, from \`tollgate login --dev\`)
  XDG_CONFIG_HOME        where \`tollgate login\` keeps credentials (default ~/.config)

Data goes to stdout, progress and errors to stderr.

${EXIT_CODES_HELP}
Examples:
  export TOLLGATE_URL=http://127.0.0.1:3000 TOLLGATE_ACCESS_TOKEN=tgs_…
  curl -H "Authorization: Bearer $(tollgate jwt)" "$TOLLGATE_URL/whoami"
  tollgate jwt --federate --policy "api deploys from main" < "$OIDC_TOKEN_FILE"
  tollgate tokens list --json | jq -r '.items[] | [.id, .name, .status] | @tsv'
`
}

const groupHelp = (group: CommandGroup): string => {
  const width = Math.max(...group.subcommands.map((sub) => sub.name.length))
  const aliases = group.aliases === undefined ? '' : ` (alias: ${group.aliases.join(', ')})`
  return `Usage: tollgate ${group.name} <command> [options]${aliases}

${group.summary}.

Commands:
${group.subcommands.map((sub) => `  ${sub.name.padEnd(width)}  ${sub.summary}`).join('\n')}

\`tollgate ${group.name} <command> --help\` shows each with an example.
`
}

/** Global options given before the command name: `tollgate --json tokens list`. */
const GLOBALS_WITH_VALUE = new Set(['--url', '--access-token'])
const GLOBAL_FLAGS = new Set(['--json', '--help', '-h'])

const splitLeadingGlobals = (argv: readonly string[]) => {
  const leading: string[] = []
  let index = 0
  while (index < argv.length) {
    const arg = argv[index] as string
    if (
      GLOBAL_FLAGS.has(arg) ||
      [...GLOBALS_WITH_VALUE].some((name) => arg.startsWith(`${name}=`))
    ) {
      leading.push(arg)
      index += 1
    } else if (GLOBALS_WITH_VALUE.has(arg)) {
      if (index + 1 >= argv.length) throw new UsageError(`tollgate: ${arg} needs a value`)
      leading.push(arg, argv[index + 1] as string)
      index += 2
    } else break
  }
  return { leading, rest: argv.slice(index) }
}

const wantsHelp = (args: readonly string[]): boolean => {
  const end = args.indexOf('--')
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h')
}

const findEntry = (name: string): Command | CommandGroup | undefined =>
  COMMANDS.find(
    (entry) => entry.name === name || (isGroup(entry) && entry.aliases?.includes(name) === true),
  )

/** A command name safe to repeat back: a token pasted in its place is not. */
const SHOWABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/

/** `unknown command "tokns" (did you mean tokens?)`, quoting only what looks like a name. */
const unknownCommand = (name: string, known: readonly string[]): string =>
  SHOWABLE_NAME.test(name)
    ? `unknown command "${name}"${didYouMean(name, known)}`
    : 'unknown command'

/** The usage lines a usage error ends with: what the command line should have looked like. */
const usageOf = (entry: Command | CommandGroup | undefined): string => {
  if (entry === undefined) {
    return `Usage: tollgate <command> [options]\nCommands: ${COMMANDS.map((e) => e.name).join(', ')}`
  }
  if (isGroup(entry)) {
    return (
      `Usage: tollgate ${entry.name} <command> [options]\n` +
      `Commands: ${entry.subcommands.map((sub) => sub.name).join(', ')}`
    )
  }
  return entry.help.split('\n\n')[0] ?? ''
}

/** The `tollgate` command line; returns the process exit code (see exit-codes.ts). */
export const runCli = async (argv: readonly string[], io: CliIo = processIo()): Promise<number> => {
  let path = ''
  let usage = usageOf(undefined)
  try {
    const { leading, rest } = splitLeadingGlobals(argv)
    const [name, ...afterName] = rest
    if (name === undefined || name === 'help') {
      return help(io, name === undefined && !wantsHelp(leading), afterName)
    }
    if (name === '--version' || name === 'version') {
      io.stdout.write(`${cliVersion()}\n`)
      return EXIT.ok
    }
    const entry = findEntry(name)
    if (entry === undefined) {
      const names = COMMANDS.flatMap((e) => [e.name, ...(isGroup(e) ? (e.aliases ?? []) : [])])
      throw new UsageError(`tollgate: ${unknownCommand(name, names)}`)
    }
    path = entry.name
    usage = usageOf(entry)
    let command: Command
    let args: string[]
    if (isGroup(entry)) {
      const [subName, ...afterSub] = afterName
      if (subName === undefined || subName.startsWith('-')) {
        const asked = wantsHelp([...leading, ...afterName])
        ;(asked ? io.stdout : io.stderr).write(groupHelp(entry))
        return asked ? EXIT.ok : EXIT.usage
      }
      const sub = entry.subcommands.find((candidate) => candidate.name === subName)
      if (sub === undefined) {
        const names = entry.subcommands.map((candidate) => candidate.name)
        throw new UsageError(`tollgate ${entry.name}: ${unknownCommand(subName, names)}`)
      }
      path = `${entry.name} ${sub.name}`
      usage = usageOf(sub)
      command = sub
      args = [...afterSub, ...leading]
    } else {
      command = entry
      args = [...afterName, ...leading]
    }
    if (wantsHelp(args)) {
      io.stdout.write(command.help)
      return EXIT.ok
    }
    return await command.run(args, io)
  } catch (error) {
    const failure = describeFailure(asUsageError(error))
    if (failure === undefined) throw error
    const prefix = failure.message.startsWith('tollgate')
      ? ''
      : `tollgate${path === '' ? '' : ` ${path}`}: `
    const hint =
      failure.code === EXIT.usage &&
      error instanceof Error &&
      !('status' in error) &&
      !(error instanceof MissingPackageError)
        ? `\n${usage}\nRun \`tollgate ${path === '' ? '' : `${path} `}--help\` for more.`
        : ''
    io.stderr.write(`${prefix}${failure.message}${hint}\n`)
    return failure.code
  }
}

/** node:util's own parse errors (from commands that parse by themselves) are usage errors. */
const asUsageError = (error: unknown): unknown => {
  const code = (error as { code?: unknown } | undefined)?.code
  return error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')
    ? new UsageError(error.message)
    : error
}

const help = (io: CliIo, bare: boolean, topic: readonly string[]): number => {
  const [name, subName] = topic
  if (name === undefined) {
    ;(bare ? io.stderr : io.stdout).write(rootHelp())
    return bare ? EXIT.usage : EXIT.ok
  }
  const entry = findEntry(name)
  if (entry === undefined) {
    throw new UsageError(
      `tollgate help: ${unknownCommand(
        name,
        COMMANDS.map((e) => e.name),
      )}`,
    )
  }
  if (!isGroup(entry)) {
    io.stdout.write(entry.help)
    return EXIT.ok
  }
  const sub = entry.subcommands.find((candidate) => candidate.name === subName)
  io.stdout.write(sub === undefined ? groupHelp(entry) : sub.help)
  return EXIT.ok
}
