import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import type { Cell, LoadReport } from './load.js'

export interface Machine {
  readonly node: string
  readonly platform: string
  readonly cpu: string
  readonly cores: number
  readonly availableParallelism: number
  readonly memoryGiB: number
  /** 1, 5 and 15 minute load averages when the run started: the machine is shared. */
  readonly loadAverage: readonly number[]
}

export const machine = (): Machine => ({
  node: process.version,
  platform: `${process.platform}/${process.arch}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  availableParallelism: availableParallelism(),
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
})

export const describeMachine = (m: Machine): string =>
  `node ${m.node} (${m.platform}), ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ` +
  `load average ${m.loadAverage.join(' ')}`

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0)

const HEADER = [
  'route',
  'conn',
  'req/s',
  'p50 ms',
  'p99 ms',
  'p99.9 ms',
  'non-2xx',
  'errors',
  'RSS MB start→end',
]

const row = (cell: Cell): string[] => [
  cell.route,
  String(cell.connections),
  cell.requestsPerSecond.toFixed(0),
  String(cell.p50Ms),
  String(cell.p99Ms),
  String(cell.p999Ms),
  String(cell.non2xx),
  String(cell.errors),
  `${mb(cell.rssStartBytes)}→${mb(cell.rssEndBytes)}`,
]

/** A Markdown table: it prints readably in a terminal and pastes into docs/benchmarks.md as is. */
export const markdownTable = (report: LoadReport): string => {
  const body = report.cells.map(row)
  const widths = HEADER.map((cell, column) =>
    Math.max(cell.length, ...body.map((line) => line[column]?.length ?? 0)),
  )
  const format = (line: readonly string[]) =>
    `| ${line
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join(' | ')} |`
  const rule = `| ${widths.map((width, column) => (column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`
  return [format(HEADER), rule, ...body.map(format)].join('\n')
}

/** Cells where a valid request did not get a 2xx: each is a finding to explain, never noise. */
export const failures = (report: LoadReport): readonly Cell[] =>
  report.cells.filter((cell) => cell.non2xx > 0 || cell.errors > 0)
