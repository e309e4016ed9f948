import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalPath } from '../../../functions/core/canonical-path.js'
import { sameCanonicalSpelling, uncanonicalSpelling } from '../../support/path-spellings.js'

describe('canonicalPath', () => {
  it.each([
    ['/datasets/42', '/datasets/42'],
    ['/', '/'],
    ['//', '/'],
    ['//datasets', '/datasets'],
    ['/datasets//42', '/datasets/42'],
    ['/Datasets', '/datasets'],
    ['/DATASETS/42', '/datasets/42'],
    ['/%64atasets', '/datasets'],
    ['/%44ATASETS', '/datasets'],
    ['/datasets/', '/datasets'],
    ['/datasets///', '/datasets'],
    ['/Admin/x', '/admin/x'],
    ['//admin/x', '/admin/x'],
    ['/%61dmin/x', '/admin/x'],
    ['/%7Euser/a-b_c.d', '/~user/a-b_c.d'],
  ])('spells %s as %s', (path, canonical) => {
    expect(canonicalPath(path)).toBe(canonical)
  })

  it.each([
    ['/a%20b', '/a%20b'],
    ['/a%3Fb', '/a%3fb'],
    ['/a%25b', '/a%25b'],
    ['/%C3%A4', '/%c3%a4'],
  ])('keeps %s encoded, its hex digits folded like the rest: %s', (path, canonical) => {
    expect(canonicalPath(path)).toBe(canonical)
  })

  it.each([['/.well-known/jwks.json'], ['/..a/b.'], ['/a/...']])(
    'leaves dots that are not a whole segment alone: %s',
    (path) => {
      expect(canonicalPath(path)).toBe(path)
    },
  )

  it('folds ASCII letters only', () => {
    expect(canonicalPath('/ÄB\u212A')).toBe('/Äb\u212A')
  })

  it.each([
    ['an encoded slash', '/datasets%2F42'],
    ['an encoded slash, lower case', '/datasets%2f42'],
    ['an encoded backslash', '/datasets%5C42'],
    ['a backslash', '/datasets\\42'],
    ['a dot segment', '/./datasets/42'],
    ['a dot-dot segment', '/public/../datasets/42'],
    ['a trailing dot segment', '/datasets/.'],
    ['a trailing dot-dot segment', '/datasets/..'],
    ['an encoded dot segment', '/%2e/datasets'],
    ['an encoded dot-dot segment', '/x/%2E%2e/datasets'],
    ['a lone %', '/datasets%'],
    ['a short escape', '/datasets%4'],
    ['an escape that is not hex', '/datasets%G0'],
    ['no leading slash', 'datasets'],
    ['nothing', ''],
  ])('cannot make a path with %s canonical', (_name, path) => {
    expect(canonicalPath(path)).toBeUndefined()
  })

  it('is idempotent: a canonical path is its own canonical form', () => {
    const segment = fc.string({
      unit: fc.constantFrom(...'abcXYZ019-._~%2fF:@!'.split('')),
      minLength: 1,
      maxLength: 6,
    })
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 5 }), fc.boolean(), (segments, trailing) => {
        const path = `/${segments.join('/')}${trailing ? '/' : ''}`
        const canonical = canonicalPath(path)
        if (canonical !== undefined) expect(canonicalPath(canonical)).toBe(canonical)
      }),
      { numRuns: 1000 },
    )
  })

  const canonicalPaths = fc
    .array(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,7}$/), { minLength: 1, maxLength: 4 })
    .map((segments) => `/${segments.join('/')}`)

  it('gives every spelling of a path by case, slashes and encodings that path', () => {
    fc.assert(
      fc.property(
        canonicalPaths.chain((path) => fc.tuple(fc.constant(path), sameCanonicalSpelling(path))),
        ([path, spelled]) => {
          expect(canonicalPath(spelled)).toBe(path)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('cannot make a spelling with a dot segment, an encoded slash or a broken escape canonical', () => {
    fc.assert(
      fc.property(
        canonicalPaths.chain((path) => uncanonicalSpelling(path)),
        (spelled) => {
          expect(canonicalPath(spelled)).toBeUndefined()
        },
      ),
      { numRuns: 1000 },
    )
  })
})
