import { crc32 } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ACCESS_TOKEN_LENGTH,
  ACCESS_TOKEN_PATTERN,
  crc32 as crc32OfText,
  generateAccessToken,
  newTokenId,
  parseAccessToken,
  TOKEN_ID_LENGTH,
  tokenHint,
} from '../../../functions/core/access-token.js'
import { encodeBase62 } from '../../../functions/core/base62.js'
import type { TollgateError } from '../../../functions/core/errors.js'
import { ownerTag, ownerTagOfTokenId } from '../../../functions/core/owners.js'
import { errorOf } from '../../support/errors.js'
import { anyTokenId } from '../../support/fakes.js'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** The error `parseAccessToken` throws for `input`, or a failure if it does not throw. */
const rejectionOf = (input: unknown): TollgateError => errorOf(() => parseAccessToken(input))

/** Re-signs a body with a valid checksum, as an attacker who knows the format could. */
const withChecksum = (withoutChecksum: string): string =>
  withoutChecksum + encodeBase62(BigInt(crc32(Buffer.from(withoutChecksum, 'ascii'))), 6)

describe('generateAccessToken', () => {
  it('makes service tokens with the tgs_ prefix that secret scanners match', () => {
    // Act
    const token = generateAccessToken('service', anyTokenId())

    // Assess
    expect(token.value.startsWith('tgs_')).toBe(true)
    expect(token.value).toMatch(ACCESS_TOKEN_PATTERN)
    expect(token.value).toHaveLength(ACCESS_TOKEN_LENGTH)
    expect(token.kind).toBe('service')
  })

  it('makes personal tokens with the tgp_ prefix', () => {
    // Act
    const token = generateAccessToken('personal', anyTokenId())

    // Assess
    expect(token.value.startsWith('tgp_')).toBe(true)
    expect(token.value).toMatch(ACCESS_TOKEN_PATTERN)
    expect(token.kind).toBe('personal')
  })

  it('embeds the public id, led by its owner tag, right after the prefix', () => {
    // Prepare
    const tag = ownerTag('sa_4CDLu9FIIpFqLMrVEdgmAC')
    const id = newTokenId(tag)

    // Act
    const token = generateAccessToken('service', id)

    // Assess
    expect(id).toHaveLength(TOKEN_ID_LENGTH)
    expect(token.id).toBe(id)
    expect(token.value.slice(4, 4 + TOKEN_ID_LENGTH)).toBe(id)
    expect(ownerTagOfTokenId(token.id)).toBe(tag)
  })

  it('gives every new id of one owner 64 random bits after the tag', () => {
    // Prepare
    const tag = ownerTag('user:dev:alice')

    // Act
    const ids = new Set(Array.from({ length: 1000 }, () => newTokenId(tag)))

    // Assess
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(new RegExp(`^${tag}[0-9A-Za-z]{11}$`))
  })

  it('carries at least 256 bits of randomness, so two tokens never share a secret', () => {
    // Prepare
    const id = anyTokenId()

    // Act
    const values = new Set(
      Array.from({ length: 50 }, () => generateAccessToken('service', id).value),
    )

    // Assess
    expect(values.size).toBe(50)
    // 43 base62 characters after the id hold 256 bits (62^43 > 2^256).
    expect(ACCESS_TOKEN_LENGTH - 4 - TOKEN_ID_LENGTH - 6).toBeGreaterThanOrEqual(
      Math.ceil(256 / Math.log2(62)),
    )
  })

  it('gives a hint of the prefix and the last four characters only', () => {
    // Act
    const token = generateAccessToken('service', anyTokenId())

    // Assess
    expect(token.hint).toBe(`tgs_…${token.value.slice(-4)}`)
    expect(tokenHint(token.value)).toBe(token.hint)
  })
})

describe('parseAccessToken', () => {
  it('parses a generated token back to the same id, kind and value', () => {
    for (const kind of ['service', 'personal'] as const) {
      // Prepare
      const token = generateAccessToken(kind, anyTokenId())

      // Act
      const parsed = parseAccessToken(token.value)

      // Assess
      expect(parsed).toEqual({ kind, id: token.id, value: token.value })
    }
  })

  it('rejects any single-character change as invalid_token', () => {
    // Prepare
    const { value } = generateAccessToken('service', anyTokenId())

    for (let position = 0; position < value.length; position++) {
      const original = value[position] ?? ''
      const index = BASE62.indexOf(original)
      const replacements = [
        BASE62[(index + 1) % 62] ?? '0',
        BASE62[(index + 31) % 62] ?? '0',
        position === 2 ? 'p' : '-',
      ].filter((c) => c !== original)
      for (const replacement of replacements) {
        const changed = value.slice(0, position) + replacement + value.slice(position + 1)

        // Act
        const error = rejectionOf(changed)

        // Assess
        expect(error.code, `position ${position} -> ${replacement}`).toBe('invalid_token')
      }
    }
  })

  it.each([
    ['an unknown prefix', (v: string) => `tgx_${v.slice(4)}`],
    ['an upper-case prefix', (v: string) => `TGS_${v.slice(4)}`],
    ['no prefix', (v: string) => v.slice(4)],
    ['one character too many', (v: string) => `${v}a`],
    ['one character too few', (v: string) => v.slice(0, -1)],
    ['a non-base62 character', (v: string) => `${v.slice(0, 10)}_${v.slice(11)}`],
    ['a non-ASCII character', (v: string) => `${v.slice(0, 10)}é${v.slice(11)}`],
    ['surrounding whitespace', (v: string) => ` ${v} `],
    ['a trailing newline', (v: string) => `${v}\n`],
    ['a repeated token', (v: string) => `${v}${v}`],
    ['a Bearer prefix', (v: string) => `Bearer ${v}`],
  ])('rejects %s as invalid_token', (_name, mutate) => {
    // Prepare
    const input = mutate(generateAccessToken('service', anyTokenId()).value)

    // Act
    const error = rejectionOf(input)

    // Assess
    expect(error.code).toBe('invalid_token')
  })

  it('rejects a token whose checksum does not match', () => {
    // Prepare
    const { value } = generateAccessToken('personal', anyTokenId())
    const badChecksum = value.slice(0, -6) + (value.slice(-6) === '000000' ? '000001' : '000000')

    // Act
    const error = rejectionOf(badChecksum)

    // Assess
    expect(error.code).toBe('invalid_token')
  })

  it('reads the kind from the prefix when the checksum covers it', () => {
    // Prepare
    const service = generateAccessToken('service', anyTokenId()).value
    const personal = withChecksum(`tgp_${service.slice(4, -6)}`)

    // Act
    const parsed = parseAccessToken(personal)

    // Assess
    expect(parsed.kind).toBe('personal')
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { token: 'tgs_x' }],
    ['an array', ['tgs_x']],
    ['a boolean', true],
  ])('rejects %s as invalid_token', (_name, input) => {
    // Act
    const error = rejectionOf(input)

    // Assess
    expect(error.code).toBe('invalid_token')
  })

  it('rejects a String object even when it wraps a valid token', () => {
    // Prepare
    const { value } = generateAccessToken('service', anyTokenId())

    // Act
    const error = rejectionOf(new String(value))

    // Assess
    expect(error.code).toBe('invalid_token')
  })

  it('never echoes the input in the error message', () => {
    // Prepare
    const { value } = generateAccessToken('service', anyTokenId())
    const inputs = [
      value.slice(0, -1),
      `${value.slice(0, -6)}000000`,
      `tgx_${value.slice(4)}`,
      `${value}x`,
    ]

    for (const input of inputs) {
      // Act
      const error = rejectionOf(input)

      // Assess
      expect(error.message).not.toContain(input)
      expect(error.message).not.toContain(value.slice(4, -6))
      expect(error.message).not.toContain(value.slice(4, 4 + TOKEN_ID_LENGTH))
    }
  })
})

describe('crc32', () => {
  it('is the IEEE CRC-32 (check value of "123456789": 0xcbf43926)', () => {
    expect(crc32OfText('123456789')).toBe(0xcbf43926)
    expect(crc32OfText('')).toBe(0)
  })

  it('equals zlib.crc32 of the ASCII bytes, for any ASCII string', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)),
          maxLength: 200,
        }),
        (text) => {
          expect(crc32OfText(text)).toBe(crc32(Buffer.from(text, 'ascii')))
        },
      ),
      { numRuns: 500 },
    )
  })
})
