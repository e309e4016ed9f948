export interface BenchTask {
  readonly name: string
  /**
   * One operation; it must throw (or reject) on a wrong result, so a broken
   * task fails the run. Its result is awaited whether or not it is a promise,
   * so a synchronous floor pays the same microtask as an async handler.
   */
  readonly fn: () => unknown
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
  /**
   * Target duration of one timed batch of calls, in milliseconds: long enough
   * that the timer's resolution and the loop cost vanish, short enough that
   * a round holds many batches and a GC pause spoils only one of them.
   */
  readonly batchMs: number
}

/** A task's throughput in each measured round (index = round), for per-round ratios. */
export interface TaskRounds {
  readonly task: string
  readonly roundOpsPerSecond: readonly number[]
  /** Calls per timed batch, calibrated once before the rounds. */
  readonly batchSize: number
  /** Measured calls in all rounds. */
  readonly calls: number
}

const runBatch = async (task: BenchTask, size: number): Promise<number> => {
  const started = performance.now()
  for (let i = 0; i < size; i++) await task.fn()
  return performance.now() - started
}

/** Calls per batch so that one batch takes about `batchMs`. */
const calibrate = async (task: BenchTask, batchMs: number): Promise<number> => {
  let calls = 0
  const started = performance.now()
  while (performance.now() - started < Math.max(20, batchMs * 4)) {
    await task.fn()
    calls++
  }
  const perCall = (performance.now() - started) / calls
  return Math.min(10_000, Math.max(1, Math.round(batchMs / perCall)))
}

const medianOf = (values: number[]): number => {
  values.sort((a, b) => a - b)
  const middle = values.length >> 1
  return values.length % 2 === 1
    ? (values[middle] ?? Number.NaN)
    : ((values[middle - 1] ?? Number.NaN) + (values[middle] ?? Number.NaN)) / 2
}

/**
 * Runs tasks in alternating rounds, so a noisy neighbour on a shared machine
 * hits all tasks alike instead of whichever ran last. In each round a task
 * runs timed batches of calls, one call in flight, for `roundTimeMs`; its
 * throughput for the round is taken from the median batch, which one GC
 * pause or descheduled slice cannot move. Ratios are then taken per round,
 * between tasks that ran seconds apart.
 */
export const runInterleaved = async (
  tasks: readonly BenchTask[],
  options: InterleaveOptions,
): Promise<TaskRounds[]> => {
  const sizes = new Map<string, number>()
  for (const task of tasks) sizes.set(task.name, await calibrate(task, options.batchMs))
  const rounds = new Map<string, number[]>(tasks.map((task) => [task.name, []]))
  const calls = new Map<string, number>(tasks.map((task) => [task.name, 0]))
  for (let round = -options.warmupRounds; round < options.rounds; round++) {
    const shift = ((round % tasks.length) + tasks.length) % tasks.length
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[(i + shift) % tasks.length]
      if (task === undefined) continue
      const size = sizes.get(task.name) ?? 1
      const perCall: number[] = []
      const started = performance.now()
      while (perCall.length < 3 || performance.now() - started < options.roundTimeMs) {
        perCall.push((await runBatch(task, size)) / size)
      }
      if (round < 0) continue
      rounds.get(task.name)?.push(1000 / medianOf(perCall))
      calls.set(task.name, (calls.get(task.name) ?? 0) + perCall.length * size)
    }
  }
  return tasks.map((task) => ({
    task: task.name,
    roundOpsPerSecond: rounds.get(task.name) ?? [],
    batchSize: sizes.get(task.name) ?? 1,
    calls: calls.get(task.name) ?? 0,
  }))
}
