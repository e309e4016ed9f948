import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { runLoad } from './load.js'
import { describeMachine, failures, machine, markdownTable } from './report.js'

const DEFAULT_OUTPUT = fileURLToPath(new URL('./results.json', import.meta.url))
/** A whole run must end within this, whatever happens (the bound is 3 minutes). */
const DEADLINE_MS = 4 * 60_000

const positiveIntegers = (text: string, name: string): number[] => {
  const values = text.split(',').map((part) => Number(part.trim()))
  if (values.length === 0 || !values.every((value) => Number.isInteger(value) && value > 0)) {
    throw new Error(`${name} must be a comma-separated list of positive integers`)
  }
  return values
}

/** Indented JSON with short arrays on one line, as Biome formats it (the file is committed). */
const asJson = (value: unknown): string =>
  JSON.stringify(value, null, 2).replace(
    /\[\n\s+([^[\]{}]*?)\n\s*\]/g,
    (_, items: string) => `[${items.split(/,\n\s+/).join(', ')}]`,
  )

/**
 * `npm run load`: the dev server in its own process on an in-memory DynamoDB
 * Local, driven by autocannon on 127.0.0.1 at concurrency 1 to 256, about two
 * minutes. Prints a Markdown table and writes the results beside this file
 * (LOAD_OUTPUT to write elsewhere). Fails (exit 1) if a valid request got
 * anything but a 2xx. LOAD_SECONDS (per cell, default 4) and
 * LOAD_CONNECTIONS (default 1,4,16,64,256) make shorter runs.
 */
const main = async (): Promise<number> => {
  const seconds = positiveIntegers(process.env.LOAD_SECONDS ?? '4', 'LOAD_SECONDS')[0] ?? 4
  const connections = positiveIntegers(
    process.env.LOAD_CONNECTIONS ?? '1,4,16,64,256',
    'LOAD_CONNECTIONS',
  )
  const output = process.env.LOAD_OUTPUT ?? DEFAULT_OUTPUT
  const host = machine()
  console.log(describeMachine(host))
  console.log(`${seconds} s per cell at ${connections.join(', ')} connections; server on 127.0.0.1`)
  const report = await runLoad({
    seconds,
    connections,
    onCell: (cell) =>
      process.stderr.write(`  ${cell.route} × ${cell.connections}: ${cell.requests} requests\n`),
  })
  console.log(`\n${markdownTable(report)}\n`)
  console.log(
    `server RSS ${(report.rssStartBytes / 2 ** 20).toFixed(0)} MB after start, ` +
      `${(report.rssEndBytes / 2 ** 20).toFixed(0)} MB at the end; ${report.durationSeconds} s in all`,
  )
  await writeFile(output, `${asJson({ machine: host, ...report })}\n`)
  console.log(`results: ${output}`)
  const failed = failures(report)
  for (const cell of failed) {
    console.error(
      `NOT 2xx: ${cell.route} × ${cell.connections}: ${cell.non2xx} non-2xx, ` +
        `${cell.errors} errors (${cell.timeouts} timeouts), status codes ${JSON.stringify(cell.statusCodes)}`,
    )
  }
  return failed.length === 0 ? 0 : 1
}

const watchdog = setTimeout(() => {
  console.error(`load run exceeded ${DEADLINE_MS / 60_000} minutes; giving up`)
  process.exit(1)
}, DEADLINE_MS)
watchdog.unref()

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error('load failed:', error)
    process.exitCode = 1
  },
)
