import { Bench } from 'tinybench'
import type { BenchRow } from './types.js'

export interface BenchTask {
  readonly name: string
  /** One operation; it must throw (reject) on a wrong result, so a broken task fails the run. */
  readonly fn: () => Promise<unknown>
}

export interface InterleaveOptions {
  /**
   * Leading rounds that run like the others but are discarded: they let the
   * JITs (Node's, and DynamoDB Local's JVM, which needs seconds) settle.
   */
  readonly warmupRounds: number
  /** Measured rounds; each runs every task once, in an order that rotates per round. */
  readonly rounds: number
  /** Time per task per round, in milliseconds. */
  readonly roundTimeMs: number
  /** tinybench warmup per task at the start of every round, in milliseconds; 0 for none. */
  readonly warmupMs: number
}

/**
 * Runs tasks in alternating rounds with tinybench, so a noisy neighbour on a
 * shared machine hits all tasks alike instead of whichever ran last. Samples
 * are pooled across rounds; per-round throughput is kept for per-round ratios.
 */
export const runInterleaved = async (
  tasks: readonly BenchTask[],
  options: InterleaveOptions,
): Promise<BenchRow[]> => {
  const samples = new Map<string, number[]>(tasks.map((task) => [task.name, []]))
  const roundOps = new Map<string, number[]>(tasks.map((task) => [task.name, []]))
  for (let round = -options.warmupRounds; round < options.rounds; round++) {
    const bench = new Bench({
      name: round < 0 ? 'warmup round' : `round ${round + 1}`,
      time: options.roundTimeMs,
      iterations: 8,
      warmup: options.warmupMs > 0,
      warmupTime: options.warmupMs,
      warmupIterations: 4,
      retainSamples: true,
      throws: true,
    })
    const shift = ((round % tasks.length) + tasks.length) % tasks.length
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[(i + shift) % tasks.length]
      if (task !== undefined) bench.add(task.name, task.fn, { async: true })
    }
    await bench.run()
    for (const task of bench.tasks) {
      const result = task.result
      if (result.state === 'errored') {
        throw new Error(`Task "${task.name}" failed: ${result.error.message}`, {
          cause: result.error,
        })
      }
      if (result.state !== 'completed' || result.latency.samples === undefined) {
        throw new Error(`Task "${task.name}" did not complete (state: ${result.state})`)
      }
      if (round < 0) continue
      samples.get(task.name)?.push(...result.latency.samples)
      roundOps.get(task.name)?.push(1000 / result.latency.mean)
    }
  }
  return tasks.map((task) => ({
    task: task.name,
    samplesMs: samples.get(task.name) ?? [],
    roundOpsPerSecond: roundOps.get(task.name) ?? [],
  }))
}
