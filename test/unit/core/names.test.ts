import { describe, expect, it } from 'vitest'
import { description, resourceName } from '../../../functions/core/names.js'
import { errorOf } from '../../support/errors.js'

describe('resourceName', () => {
  it.each(['admin', 'a', 'etl nightly', 'build-42', 'v1.2_final.', 'x'.repeat(64)])(
    'accepts %j',
    (name) => {
      expect(resourceName('name', name)).toBe(name)
    },
  )

  it.each(['admin ', ' admin', 'admin\t', 'admin\n', 'admin\u00a0', '', ' ', 'x'.repeat(65)])(
    'refuses %j as invalid_request naming the field',
    (name) => {
      const error = errorOf(() => resourceName('name', name))
      expect(error.code).toBe('invalid_request')
      expect(error.message).toMatch(/^name /)
    },
  )
})

describe('description', () => {
  it.each([
    ['empty', ''],
    ['plain', 'nightly loads'],
    ['newline', 'line one\nline two'],
    ['tab', 'key\tvalue'],
    ['a surrogate pair', 'rocket \ud83d\ude80'],
    ['non-Latin text', 'Überprüfung — 検証 — שלום'],
    ['a right-to-left mark, which reorders nothing', 'שלום\u200f 42'],
    ['the longest', 'x'.repeat(1024)],
  ])('accepts %s', (_, text) => {
    expect(description(text)).toBe(text)
  })

  it.each([
    ['a lone high surrogate', 'bad \ud800 text'],
    ['a lone low surrogate', 'bad \udc00 text'],
    ['a high surrogate at the end', 'ends \ud83d'],
    ['swapped surrogates', '\ude80\ud83d'],
    ['a bell', 'ring \u0007'],
    ['NUL', 'a\u0000b'],
    ['carriage return', 'line\r\n'],
    ['escape', '\u001b[31mred'],
    ['DEL', 'a\u007f'],
    ['a C1 control', 'a\u0085b'],
    ['a right-to-left override', 'invoice \u202egpj.exe'],
    ['a bidirectional isolate', 'admin \u2066x\u2069'],
    ['too long', 'x'.repeat(1025)],
  ])('refuses %s as invalid_request naming the field', (_, text) => {
    const error = errorOf(() => description(text))
    expect(error.code).toBe('invalid_request')
    expect(error.message).toMatch(/^description /)
  })
})
