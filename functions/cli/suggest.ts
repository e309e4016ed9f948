/**
 * "Did you mean": the known names closest to a mistyped one. A typo is
 * within a third of the name's length in edits (at least one; a swap of two
 * neighbours counts once), or the start of a name (`--desc`, `--scope`).
 */

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
const editDistance = (a: string, b: string): number => {
  const rows = a.length + 1
  const columns = b.length + 1
  const d: number[] = new Array(rows * columns).fill(0)
  const at = (i: number, j: number): number => d[i * columns + j] ?? 0
  for (let i = 0; i < rows; i++) d[i * columns] = i
  for (let j = 0; j < columns; j++) d[j] = j
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1)
      }
      d[i * columns + j] = best
    }
  }
  return at(a.length, b.length)
}

/** Compared without leading dashes and case: `--Scope` is close to `--scopes`. */
const bare = (name: string): string => name.replace(/^-+/, '').toLowerCase()

/**
 * The candidates close enough to `typed` to suggest, best first, at most three.
 *
 * @example
 * closestNames('--duraton', ['--duration', '--scope']) // ['--duration']
 */
export const closestNames = (typed: string, candidates: readonly string[]): string[] => {
  const word = bare(typed)
  if (word === '') return []
  const budget = Math.max(1, Math.floor(word.length / 3))
  return [...new Set(candidates)]
    .map((candidate) => {
      const name = bare(candidate)
      const distance = editDistance(word, name)
      const prefix = word.length >= 3 && (name.startsWith(word) || word.startsWith(name))
      return { candidate, distance, close: distance <= budget || prefix }
    })
    .filter((entry) => entry.close && entry.candidate !== typed)
    .sort((x, y) => x.distance - y.distance)
    .slice(0, 3)
    .map((entry) => entry.candidate)
}

/** ` (did you mean --duration?)`, ` (did you mean list or show?)`, or nothing. */
export const didYouMean = (typed: string, candidates: readonly string[]): string => {
  const names = closestNames(typed, candidates)
  if (names.length === 0) return ''
  const last = names.pop() as string
  return ` (did you mean ${names.length === 0 ? last : `${names.join(', ')} or ${last}`}?)`
}
