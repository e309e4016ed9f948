import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ACCESS_TOKEN_LENGTH,
  generateAccessToken,
  parseAccessToken,
} from '../../functions/core/access-token.js'
import { TollgateError } from '../../functions/core/errors.js'
import { anyTokenId } from '../support/fakes.js'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/**
 * Returns normally or throws `invalid_token`: nothing else is allowed. Plain
 * booleans rather than `expect` keep thousands of runs fast.
 */
const parsesOrRejects = (input: unknown): boolean => {
  try {
    const parsed = parseAccessToken(input)
    return parsed.value === input && (parsed.kind === 'service' || parsed.kind === 'personal')
  } catch (error) {
    return (
      error instanceof TollgateError &&
      error.code === 'invalid_token' &&
      // Short inputs (' ', 'a') occur in any sentence; a token-sized one must not.
      !(typeof input === 'string' && input.length >= 8 && error.message.includes(input))
    )
  }
}

/** Strings of the right shape, so the checksum check is what decides. */
const tokenShaped = fc
  .tuple(
    fc.constantFrom('tgs_', 'tgp_', 'tgx_', 'TGS_', 'tgs-'),
    fc.string({
      unit: fc.constantFrom(...BASE62),
      minLength: ACCESS_TOKEN_LENGTH - 6,
      maxLength: ACCESS_TOKEN_LENGTH - 2,
    }),
  )
  .map(([prefix, body]) => prefix + body)

describe('parseAccessToken (fuzz)', () => {
  it('answers any string with a parsed token or invalid_token', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), tokenShaped),
        parsesOrRejects,
      ),
      { numRuns: 1000 },
    )
  })

  it('answers any value with a parsed token or invalid_token', () => {
    fc.assert(fc.property(fc.anything(), parsesOrRejects), { numRuns: 500 })
  })

  it('rejects every single-character change of a real token', () => {
    const token = generateAccessToken('service', anyTokenId()).value
    fc.assert(
      fc.property(
        fc.nat({ max: token.length - 1 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        (position, replacement) => {
          fc.pre(replacement !== token[position])
          const changed = token.slice(0, position) + replacement + token.slice(position + 1)
          try {
            parseAccessToken(changed)
            return false
          } catch (error) {
            return error instanceof TollgateError && error.code === 'invalid_token'
          }
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('round-trips every generated token', () => {
    fc.assert(
      fc.property(fc.constantFrom('service', 'personal' as const), (kind) => {
        const token = generateAccessToken(kind, anyTokenId())
        expect(parseAccessToken(token.value)).toEqual({
          kind,
          id: token.id,
          value: token.value,
        })
      }),
      { numRuns: 500 },
    )
  })
})
