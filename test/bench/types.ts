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

/** What a suite hands back to run.ts for printing. */
export interface SuiteResult {
  readonly suite: string
  readonly rows: readonly BenchRow[]
  readonly ratios: readonly RatioGoal[]
  /** Free-form lines printed under the suite's table (settings, caveats). */
  readonly notes: readonly string[]
}
