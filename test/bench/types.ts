import type { Spread } from './stats.js'

export type Unit = 'ops/s' | '×' | 'ms' | 'kB'

/** What a figure claims: at least (`>=`) or at most (`<=`) `value`. */
export interface Goal {
  readonly op: '>=' | '<='
  readonly value: number
}

/**
 * `met` / `missed`: the whole interquartile range lies on one side of the
 * goal, so the spread is smaller than the distance the claim rests on.
 * `unresolved`: the range straddles the goal; the median alone decides nothing.
 */
export type Verdict = 'met' | 'missed' | 'unresolved'

/** One reported number: a median over rounds (or runs) with its spread. */
export interface Figure {
  /** Stable across runs and machines, e.g. `authorizer.RS256.distinct_over_floor`. */
  readonly id: string
  readonly label: string
  readonly unit: Unit
  readonly value: Spread
  readonly goal?: Goal
  readonly verdict?: Verdict
}

/** A table of details for the console (bundle inputs): not part of the results file. */
export interface ExtraTable {
  readonly title: string
  readonly header: readonly string[]
  readonly body: readonly (readonly string[])[]
}

/**
 * Figures laid out as rows and columns (a row per function, a column per
 * measure), for suites that measure the same things of many subjects.
 */
export interface FigureGrid {
  readonly rowHeader: string
  readonly columns: readonly string[]
  readonly rows: ReadonlyArray<{ readonly label: string; readonly cells: readonly Figure[] }>
}

/** What a run may ask of its suites (`npm run bench -- --before <git ref>`). */
export interface SuiteOptions {
  /** A commit whose authorizer cold start is measured as well, in the same rounds. */
  readonly before?: string | undefined
}

/** What a suite hands back to run.ts. */
export interface SuiteResult {
  /** Stable, e.g. `authorizer.RS256`. */
  readonly id: string
  readonly title: string
  readonly figures: readonly Figure[]
  readonly grid?: FigureGrid
  readonly tables?: readonly ExtraTable[]
  /** What was run and how (settings, caveats), printed and written under the suite's table. */
  readonly notes: readonly string[]
}

/** `test/bench/bench-results.json`: everything one `npm run bench` measured. */
export interface BenchResults {
  readonly generatedAt: string
  readonly machine: {
    readonly node: string
    readonly platform: string
    readonly cpu: string
    readonly cores: number
    readonly memoryGiB: number
    /** 1, 5 and 15 minute load averages when the run started. */
    readonly loadAverage: readonly number[]
  }
  readonly durationSeconds: number
  readonly suites: readonly SuiteResult[]
}
