/**
 * A figure measured more than once: its median and how far it spread.
 * Quartiles are linear-interpolated; `n` is the number of rounds or runs.
 */
export interface Spread {
  readonly median: number
  /** First and third quartiles: half the rounds fall between them. */
  readonly p25: number
  readonly p75: number
  readonly min: number
  readonly max: number
  readonly n: number
}

/** Linear-interpolated quantile of ascending-sorted values. */
export const quantile = (sorted: readonly number[], q: number): number => {
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

export const spreadOf = (values: readonly number[]): Spread => {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    median: quantile(sorted, 0.5),
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    n: sorted.length,
  }
}

/** One value measured once (a byte count): no spread to speak of. */
export const exactly = (value: number): Spread => ({
  median: value,
  p25: value,
  p75: value,
  min: value,
  max: value,
  n: 1,
})

/** Element-wise `a[i] / b[i]`: per-round ratios of two tasks measured in the same rounds. */
export const pairedRatios = (a: readonly number[], b: readonly number[]): number[] =>
  a.map((value, i) => value / (b[i] ?? Number.NaN))

/** Element-wise `a[i] - b[i]`: per-run differences of two children started in the same round. */
export const pairedDifferences = (a: readonly number[], b: readonly number[]): number[] =>
  a.map((value, i) => value - (b[i] ?? Number.NaN))
