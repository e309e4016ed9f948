import type { CliIo } from './io.js'

/**
 * Stored text can hold anything a caller sent (a description, say); control
 * characters would let it drive the reader's terminal, so people see them escaped.
 */
export const printable = (text: string): string =>
  [...text]
    .map((char) => {
      const code = char.charCodeAt(0)
      return code < 0x20 || (code >= 0x7f && code <= 0x9f)
        ? `\\u${code.toString(16).padStart(4, '0')}`
        : char
    })
    .join('')

export type Cell = string | number | boolean | null | undefined | readonly string[]

const cellText = (value: Cell, empty = '-'): string => {
  if (value === null || value === undefined || value === '') return empty
  if (Array.isArray(value)) return value.length === 0 ? empty : value.map(printable).join(',')
  return printable(String(value))
}

/** Columns aligned with two spaces, a header in capitals; no trailing spaces. */
export const table = (columns: readonly string[], rows: readonly (readonly Cell[])[]): string => {
  const texts = [
    columns.map((c) => c.toUpperCase()),
    ...rows.map((row) => row.map((cell) => cellText(cell))),
  ]
  const widths = columns.map((_, i) => Math.max(...texts.map((row) => (row[i] ?? '').length)))
  return texts
    .map((row) =>
      row
        .map((text, i) => (i === row.length - 1 ? text : text.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('')
}

/** One record as `key  value` lines, keys aligned. */
export const fields = (entries: readonly (readonly [string, Cell])[]): string => {
  const width = Math.max(...entries.map(([key]) => key.length))
  return entries.map(([key, value]) => `${key.padEnd(width)}  ${cellText(value)}\n`).join('')
}

/** Writes data (stdout) as the API's JSON or as text for people, and notes (stderr). */
export interface Printer {
  readonly json: boolean
  data(value: unknown, human: () => string): void
  note(text: string): void
}

export const printer = (io: CliIo, json: boolean): Printer => ({
  json,
  data: (value, human) => {
    io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : human())
  },
  note: (text) => {
    io.stderr.write(`${text}\n`)
  },
})

/** How a secret that is shown once is marked for people. */
export const SHOWN_ONCE =
  'shown this once, Tollgate keeps only a hash: copy it now (if lost, regenerate the token)'
