/** One measured task: raw latency samples pooled over all rounds, plus each round's throughput. */
export interface BenchRow {
  readonly task: string
  /** Latency of every measured call, in milliseconds. */
  readonly samplesMs: readonly number[]
  /** Throughput of each round (index = round), for per-round ratios. */
  readonly roundOpsPerSecond: readonly number[]
}

/** A throughput ratio the report prints: `numerator` ops/s divided by `denominator` ops/s. */
export interface RatioGoal {
  readonly label: string
  readonly numerator: string
  readonly denominator: string
  /** The ratio the product aims for; the bench reports, it does not fail on a miss. */
  readonly goal: number
}

/** A table of anything that is not throughput (sizes, one-off timings); cells already formatted. */
export interface ExtraTable {
  readonly title: string
  readonly header: readonly string[]
  readonly body: readonly (readonly string[])[]
}

/** What a suite hands back to run.ts for printing. */
export interface SuiteResult {
  readonly suite: string
  /** Throughput rows; a suite of sizes or one-off timings leaves this empty. */
  readonly rows: readonly BenchRow[]
  readonly ratios: readonly RatioGoal[]
  /** Printed after the throughput table, before the notes. */
  readonly tables?: readonly ExtraTable[]
  /** Free-form lines printed under the suite's table (settings, caveats). */
  readonly notes: readonly string[]
}
