import type { TaskRounds } from './interleave.js'
import { pairedRatios, type Spread, spreadOf } from './stats.js'
import type { Figure, Goal, Unit, Verdict } from './types.js'

/**
 * Met or missed only when the interquartile range lies wholly on one side
 * of the goal (see `Verdict`); otherwise unresolved, whatever the median says.
 */
export const judge = (value: Spread, goal: Goal): Verdict => {
  if (goal.op === '>=') {
    if (value.p25 >= goal.value) return 'met'
    return value.p75 < goal.value ? 'missed' : 'unresolved'
  }
  if (value.p75 <= goal.value) return 'met'
  return value.p25 > goal.value ? 'missed' : 'unresolved'
}

export const figure = (
  id: string,
  label: string,
  unit: Unit,
  values: readonly number[],
  goal?: Goal,
): Figure => {
  const value = spreadOf(values)
  return goal === undefined
    ? { id, label, unit, value }
    : { id, label, unit, value, goal, verdict: judge(value, goal) }
}

const roundsOf = (rows: readonly TaskRounds[], task: string): readonly number[] => {
  const row = rows.find((candidate) => candidate.task === task)
  if (row === undefined) throw new Error(`no task "${task}" ran`)
  return row.roundOpsPerSecond
}

/** Throughput of one task, from its per-round medians. */
export const throughput = (
  id: string,
  label: string,
  rows: readonly TaskRounds[],
  task: string,
): Figure => figure(id, label, 'ops/s', roundsOf(rows, task))

/** `numerator` ops/s over `denominator` ops/s, taken round by round. */
export const ratio = (
  id: string,
  label: string,
  rows: readonly TaskRounds[],
  numerator: string,
  denominator: string,
  goal?: Goal,
): Figure =>
  figure(id, label, '×', pairedRatios(roundsOf(rows, numerator), roundsOf(rows, denominator)), goal)
