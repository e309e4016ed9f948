import fc from 'fast-check'

/**
 * Spellings of a request path, for the route-rule properties (issue 16):
 * a client can send a protected path in many spellings that a backend
 * (Express ignores case and collapses slashes by default) serves as the
 * same resource, and some it may resolve to any resource at all.
 */

const percentEncoded = (c: string, upperHex: boolean): string => {
  const hex = c.charCodeAt(0).toString(16).padStart(2, '0')
  return `%${upperHex ? hex.toUpperCase() : hex}`
}

/** One character of a canonical path, spelled another way with the same canonical form. */
const charSpelling = (c: string): fc.Arbitrary<string> => {
  if (c === '/') return fc.integer({ min: 1, max: 3 }).map((n) => '/'.repeat(n))
  const cases = /[a-z]/.test(c) ? [c, c.toUpperCase()] : [c]
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...cases) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...cases), fc.boolean())
        .map(([spelled, upperHex]) => percentEncoded(spelled, upperHex)),
    },
  )
}

/**
 * `path` (canonical, characters unreserved) with its case changed, slashes
 * doubled, characters percent-encoded and a trailing slash added, each at random:
 * every result has `path` as its canonical form.
 *
 * @example
 * sameCanonicalSpelling('/datasets/42') // '//DaT%61sets/42/', '/datasets/%34%32', …
 */
export const sameCanonicalSpelling = (path: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.tuple(...[...path].map(charSpelling)), fc.constantFrom('', '/', '//'))
    .map(([chars, trailing]) => chars.join('') + trailing)

/** Put in place of a slash: a dot segment, or an encoded or raw `/` or `\`. */
const REPLACING_A_SLASH = [
  '/./',
  '/../',
  '/%2e/',
  '/%2E%2e/',
  '/public/../',
  '/x/%2e%2E/',
  '%2F',
  '%2f',
  '%5C',
  '%5c',
  '\\',
]
/** Put before a slash or at the end: an escape that is not one. */
const BROKEN_ESCAPES = ['%', '%4', '%G0', '%%']

/**
 * A spelling of `path` that cannot be made canonical: a dot segment, an
 * encoded `/` or `\` (or a raw `\`), or a broken percent-escape somewhere
 * after the leading slash. Where route rules exist, each is denied.
 *
 * @example
 * uncanonicalSpelling('/datasets/42') // '/datasets%2F42', '/DATASETS/./42', '/datasets/42%', …
 */
export const uncanonicalSpelling = (path: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      sameCanonicalSpelling(path),
      fc.oneof(
        fc.constantFrom(...REPLACING_A_SLASH).map((text) => ({ text, replaces: true })),
        fc.constantFrom(...BROKEN_ESCAPES).map((text) => ({ text, replaces: false })),
      ),
      fc.nat(),
    )
    .map(([spelled, breaker, pick]) => {
      // Slashes after the first (a path must start with one), or the end of the path.
      const places: number[] = []
      for (let i = 1; i < spelled.length; i++) if (spelled[i] === '/') places.push(i)
      const at = places.length === 0 ? spelled.length : (places[pick % places.length] as number)
      const removed = breaker.replaces && at < spelled.length ? 1 : 0
      return spelled.slice(0, at) + breaker.text + spelled.slice(at + removed)
    })
