import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { base62Width, encodeBase62 } from '../../functions/core/base62.js'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

const decodeBase62 = (text: string): bigint =>
  [...text].reduce((n, c) => n * 62n + BigInt(ALPHABET.indexOf(c)), 0n)

const bytesToBigInt = (bytes: Uint8Array): bigint =>
  bytes.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n)

/** Fewest base62 digits that hold `n` (one for zero). */
const minimalWidth = (n: bigint): number => {
  let width = 1
  while (62n ** BigInt(width) <= n) width++
  return width
}

describe('encodeBase62 (fuzz)', () => {
  it('encodes n bytes in exactly base62Width(n) base62 digits that decode back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const width = base62Width(bytes.length)
        const encoded = encodeBase62(bytes, width)
        expect(encoded).toHaveLength(width)
        expect(encoded).toMatch(/^[0-9A-Za-z]+$/)
        expect(decodeBase62(encoded)).toBe(bytesToBigInt(bytes))
      }),
      { numRuns: 1000 },
    )
  })

  it('pads to any wider width and refuses any narrower one', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n }), fc.nat({ max: 20 }), (n, extra) => {
        const minimal = minimalWidth(n)
        const encoded = encodeBase62(n, minimal + extra)
        expect(encoded).toHaveLength(minimal + extra)
        expect(decodeBase62(encoded)).toBe(n)
        if (n > 0n) expect(() => encodeBase62(n, minimal - 1)).toThrow(RangeError)
      }),
      { numRuns: 1000 },
    )
  })

  it('keeps numeric order as string order at one width', () => {
    const width = base62Width(9)
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 72n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 72n - 1n }),
        (a, b) => {
          const x = encodeBase62(a, width)
          const y = encodeBase62(b, width)
          expect(x < y).toBe(a < b)
          expect(x === y).toBe(a === b)
        },
      ),
      { numRuns: 1000 },
    )
  })
})
