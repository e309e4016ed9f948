import type { CliIo } from './io.js'

/** One command: `tollgate whoami`, or `tollgate tokens list` inside a group. */
export interface Command {
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** The whole `--help` text: usage, options, at least one example. */
  readonly help: string
  /** Runs it; returns the exit code (failures may also throw, see exit-codes.ts). */
  run(args: readonly string[], io: CliIo): Promise<number>
}

/** Commands under one noun: `tollgate tokens <subcommand>`. */
export interface CommandGroup {
  readonly name: string
  readonly aliases?: readonly string[]
  readonly summary: string
  readonly subcommands: readonly Command[]
}

export const isGroup = (entry: Command | CommandGroup): entry is CommandGroup =>
  'subcommands' in entry
