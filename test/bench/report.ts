import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import type { Spread } from './stats.js'
import type { BenchResults, ExtraTable, Figure, FigureGrid, SuiteResult, Unit } from './types.js'

/** The docs/benchmarks.md block `npm run bench` rewrites: all between the two lines is generated. */
export const README_BEGIN =
  '<!-- bench-results:begin (written by npm run bench from test/bench/bench-results.json; do not edit) -->'
export const README_END = '<!-- bench-results:end -->'

export const machineInfo = (): BenchResults['machine'] => ({
  node: process.version,
  platform: `${process.platform}/${process.arch}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
})

const DECIMALS: Readonly<Record<Unit, number>> = { 'ops/s': 0, '×': 2, ms: 1, kB: 1 }

/** A number in a figure's unit: `35120 ops/s`, `0.81×`, `12.3 ms`, `93.5 kB`. */
export const formatValue = (value: number, unit: Unit): string => {
  const text = value.toFixed(DECIMALS[unit])
  return unit === '×' ? `${text}×` : `${text} ${unit}`
}

const formatNumber = (value: number, unit: Unit): string => value.toFixed(DECIMALS[unit])

const range = (low: number, high: number, unit: Unit): string =>
  `${formatNumber(low, unit)}–${formatNumber(high, unit)}`

const spreadCells = (value: Spread, unit: Unit): [string, string, string, string] =>
  value.n === 0
    ? ['–', '–', '–', '0']
    : value.n === 1
      ? [formatValue(value.median, unit), '–', '–', '1']
      : [
          formatValue(value.median, unit),
          range(value.p25, value.p75, unit),
          range(value.min, value.max, unit),
          String(value.n),
        ]

const goalCell = (row: Figure): string =>
  row.goal === undefined ? '' : `${row.goal.op === '>=' ? '≥' : '≤'} ${row.goal.value}`

const FIGURE_HEADER = ['figure', 'median', 'IQR', 'min–max', 'n', 'goal', 'verdict'] as const

const figureCells = (row: Figure): string[] => [
  row.label,
  ...spreadCells(row.value, row.unit),
  goalCell(row),
  row.verdict ?? '',
]

const textTable = (header: readonly string[], body: readonly (readonly string[])[]): string => {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...body.map((line) => line[column]?.length ?? 0)),
  )
  const format = (line: readonly string[]) =>
    line
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd()
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  return [format(header), rule, ...body.map(format)].join('\n')
}

export const printMachine = (machine: BenchResults['machine']): void => {
  console.log(`node ${machine.node} (${machine.platform}), cpu ${machine.cpu}`)
  console.log(
    `${machine.cores} cores, ${machine.memoryGiB} GiB, load average ${machine.loadAverage.join(' ')}`,
  )
}

/** A grid cell: `median (p25–p75)`, or the value alone when measured once. */
const gridCell = (cell: Figure): string =>
  cell.value.n === 0
    ? '–'
    : cell.value.n === 1
      ? formatValue(cell.value.median, cell.unit)
      : `${formatValue(cell.value.median, cell.unit)} (${range(cell.value.p25, cell.value.p75, cell.unit)})`

const gridBody = (grid: FigureGrid): string[][] =>
  grid.rows.map((row) => [row.label, ...row.cells.map(gridCell)])

export const printSuite = (result: SuiteResult): void => {
  console.log(`\n== ${result.title} ==`)
  if (result.figures.length > 0)
    console.log(textTable(FIGURE_HEADER, result.figures.map(figureCells)))
  if (result.grid !== undefined) {
    console.log(textTable([result.grid.rowHeader, ...result.grid.columns], gridBody(result.grid)))
  }
  for (const extra of result.tables ?? []) printTable(extra)
  for (const note of result.notes) console.log(`- ${note}`)
}

const printTable = (extra: ExtraTable): void => {
  console.log(`${extra.title}:`)
  console.log(textTable(extra.header, extra.body))
}

const markdownRow = (cells: readonly string[]): string =>
  `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`

const markdownFigures = (figures: readonly Figure[]): string[] =>
  figures.length === 0
    ? []
    : [
        markdownRow(FIGURE_HEADER),
        '| --- | ---: | ---: | ---: | ---: | --- | --- |',
        ...figures.map((row) => markdownRow(figureCells(row))),
        '',
      ]

const markdownGrid = (grid: FigureGrid | undefined): string[] =>
  grid === undefined
    ? []
    : [
        markdownRow([grid.rowHeader, ...grid.columns]),
        `| --- |${' ---: |'.repeat(grid.columns.length)}`,
        ...gridBody(grid).map(markdownRow),
        '',
      ]

const markdownSuite = (suite: SuiteResult): string[] => [
  `**${suite.title}**`,
  '',
  ...markdownFigures(suite.figures),
  ...markdownGrid(suite.grid),
  ...suite.notes.map((note) => `- ${note}`),
  '',
]

/** The Markdown docs/benchmarks.md embeds: one table per suite, then its notes. */
export const renderMarkdown = (results: BenchResults): string => {
  const { machine } = results
  return [
    `Measured ${results.generatedAt.slice(0, 10)} by \`npm run bench\` (${results.durationSeconds} s)` +
      ` on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB,` +
      ` ${machine.platform}, Node ${machine.node}, load average ${machine.loadAverage.join(' ')}` +
      ' at the start.',
    '',
    ...results.suites.flatMap(markdownSuite),
  ]
    .join('\n')
    .trimEnd()
}

/** `readme` (a page) with the block between the markers replaced by `markdown`. */
export const embedInReadme = (readme: string, markdown: string): string => {
  const begin = readme.indexOf(README_BEGIN)
  const end = readme.indexOf(README_END)
  if (begin === -1 || end < begin) {
    throw new Error(`the page has no ${README_BEGIN} … ${README_END} block`)
  }
  return `${readme.slice(0, begin + README_BEGIN.length)}\n${markdown}\n${readme.slice(end)}`
}

/** The generated block of a page, or undefined without markers. */
export const embeddedBlock = (readme: string): string | undefined => {
  const begin = readme.indexOf(README_BEGIN)
  const end = readme.indexOf(README_END)
  if (begin === -1 || end < begin) return undefined
  return readme.slice(begin + README_BEGIN.length, end).trim()
}
