import { availableParallelism, cpus, loadavg, totalmem } from 'node:os'
import type { BenchRow, SuiteResult } from './types.js'

interface RowStats {
  readonly opsPerSecond: number
  readonly meanMs: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly samples: number
}

/** Linear-interpolated quantile of ascending-sorted values. */
const quantile = (sorted: readonly number[], q: number): number => {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const lowValue = sorted[low] ?? Number.NaN
  const highValue = sorted[Math.min(low + 1, sorted.length - 1)] ?? lowValue
  return lowValue + (highValue - lowValue) * (position - low)
}

export const median = (values: readonly number[]): number =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  )

/** Sequential calls, one in flight: throughput is the inverse of mean latency. */
export const rowStats = (row: BenchRow): RowStats => {
  const sorted = [...row.samplesMs].sort((a, b) => a - b)
  const meanMs = sorted.reduce((sum, value) => sum + value, 0) / sorted.length
  return {
    opsPerSecond: 1000 / meanMs,
    meanMs,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    samples: sorted.length,
  }
}

const table = (header: readonly string[], body: readonly (readonly string[])[]): string => {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...body.map((line) => line[column]?.length ?? 0)),
  )
  const format = (line: readonly string[]) =>
    line
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
  const rule = widths.map((width) => '-'.repeat(width)).join('  ')
  return [format(header), rule, ...body.map(format)].join('\n')
}

export const printMachineInfo = (): void => {
  const cpuList = cpus()
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')
  console.log(`node ${process.version} (${process.platform}/${process.arch})`)
  console.log(`cpu ${cpuList[0]?.model ?? 'unknown'}`)
  console.log(
    `cores ${cpuList.length} (available parallelism ${availableParallelism()}),` +
      ` memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${load}`,
  )
}

export const printSuite = (result: SuiteResult): void => {
  console.log(`\n== ${result.suite} ==`)
  if (result.rows.length > 0) {
    console.log(
      table(
        ['task', 'ops/s', 'mean ms', 'p50 ms', 'p99 ms', 'samples'],
        result.rows.map((row) => {
          const stats = rowStats(row)
          return [
            row.task,
            stats.opsPerSecond.toFixed(1),
            stats.meanMs.toFixed(3),
            stats.p50Ms.toFixed(3),
            stats.p99Ms.toFixed(3),
            String(stats.samples),
          ]
        }),
      ),
    )
  }
  for (const extra of result.tables ?? []) {
    console.log(`${extra.title}:`)
    console.log(table(extra.header, extra.body))
  }
  for (const note of result.notes) console.log(note)
  for (const ratio of result.ratios) {
    const numerator = result.rows.find((row) => row.task === ratio.numerator)
    const denominator = result.rows.find((row) => row.task === ratio.denominator)
    if (numerator === undefined || denominator === undefined) {
      throw new Error(`ratio "${ratio.label}" names a task that did not run`)
    }
    // Each round pairs the tasks seconds apart; the median of those ratios resists machine noise.
    const perRound = numerator.roundOpsPerSecond.map(
      (ops, round) => ops / (denominator.roundOpsPerSecond[round] ?? Number.NaN),
    )
    const pooled = rowStats(numerator).opsPerSecond / rowStats(denominator).opsPerSecond
    const value = median(perRound)
    const verdict = value >= ratio.goal ? 'met' : 'MISSED'
    console.log(
      `${ratio.label} ratio: ${value.toFixed(2)} (goal >= ${ratio.goal.toFixed(2)}, ${verdict})` +
        `  [median of ${perRound.length} per-round ratios,` +
        ` range ${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)};` +
        ` pooled ${pooled.toFixed(2)}]`,
    )
  }
}
