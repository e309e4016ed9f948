import { describe, expect, it } from 'vitest'
import { base62Width, encodeBase62 } from '../../../functions/core/base62.js'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

const decodeBase62 = (text: string): bigint =>
  [...text].reduce((n, c) => n * 62n + BigInt(ALPHABET.indexOf(c)), 0n)

describe('encodeBase62', () => {
  it.each([
    [0n, 1, '0'],
    [0n, 4, '0000'],
    [9n, 1, '9'],
    [10n, 1, 'A'],
    [35n, 1, 'Z'],
    [36n, 1, 'a'],
    [61n, 1, 'z'],
    [62n, 2, '10'],
    [62n, 5, '00010'],
    [62n ** 3n - 1n, 3, 'zzz'],
  ])('encodes %s in %i digits as %s', (value, width, expected) => {
    // Act
    const encoded = encodeBase62(value, width)

    // Assess
    expect(encoded).toBe(expected)
  })

  it('encodes bytes big-endian, like the integer they spell', () => {
    // Prepare
    const bytes = Uint8Array.of(0x01, 0x00)

    // Act
    const encoded = encodeBase62(bytes, 3)

    // Assess
    expect(encoded).toBe(encodeBase62(256n, 3))
    expect(decodeBase62(encoded)).toBe(256n)
  })

  it('encodes no bytes as an all-zero string of the requested width', () => {
    // Act
    const encoded = encodeBase62(new Uint8Array(0), 3)

    // Assess
    expect(encoded).toBe('000')
  })

  it('pads every byte string of one size to one length, and round-trips it', () => {
    for (let size = 1; size <= 64; size++) {
      // Prepare
      const width = base62Width(size)
      const samples = [new Uint8Array(size), new Uint8Array(size).fill(0xff), Uint8Array.of(1)]

      for (const bytes of samples) {
        // Act
        const encoded = encodeBase62(bytes, width)

        // Assess
        expect(encoded).toHaveLength(width)
        expect(encoded).toMatch(/^[0-9A-Za-z]*$/)
        expect(decodeBase62(encoded)).toBe(BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`))
      }
    }
  })

  it('throws a RangeError when the value needs more digits than the width', () => {
    // Act and assess
    expect(() => encodeBase62(62n, 1)).toThrow(RangeError)
    expect(() => encodeBase62(new Uint8Array(16).fill(0xff), base62Width(16) - 1)).toThrow(
      RangeError,
    )
  })
})

describe('base62Width', () => {
  it.each([
    [1, 2],
    [16, 22],
    [32, 43],
  ])('needs %i digits for %i bytes', (bytes, width) => {
    // Act and assess
    expect(base62Width(bytes)).toBe(width)
  })

  it('is the smallest width that holds every value of that many bytes', () => {
    for (let bytes = 1; bytes <= 64; bytes++) {
      // Act
      const width = base62Width(bytes)

      // Assess
      expect(62n ** BigInt(width)).toBeGreaterThanOrEqual(256n ** BigInt(bytes))
      expect(62n ** BigInt(width - 1)).toBeLessThan(256n ** BigInt(bytes))
    }
  })
})
