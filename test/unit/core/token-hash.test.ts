import { describe, expect, it } from 'vitest'
import { generateAccessToken } from '../../../functions/core/access-token.js'
import { hashAccessToken, matchesHash } from '../../../functions/core/token-hash.js'
import { anyTokenId } from '../../support/fakes.js'

const pepper = Buffer.alloc(32, 7)
const otherPepper = Buffer.alloc(32, 8)

describe('hashAccessToken', () => {
  it('is a deterministic base64url HMAC-SHA-256 that differs from the token', () => {
    // Prepare
    const { value } = generateAccessToken('service', anyTokenId())

    // Act
    const hash = hashAccessToken(pepper, value)

    // Assess
    expect(hash).toBe(hashAccessToken(pepper, value))
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(hash).not.toContain(value.slice(4, -6))
  })

  it('depends on the pepper', () => {
    // Prepare
    const { value } = generateAccessToken('service', anyTokenId())

    // Act and assess
    expect(hashAccessToken(pepper, value)).not.toBe(hashAccessToken(otherPepper, value))
  })
})

describe('matchesHash', () => {
  it('matches the same token under the same pepper', () => {
    // Prepare
    const { value } = generateAccessToken('service', anyTokenId())
    const stored = hashAccessToken(pepper, value)

    // Act and assess
    expect(matchesHash(pepper, value, stored)).toBe(true)
  })

  it('does not match under another pepper', () => {
    // Prepare
    const { value } = generateAccessToken('service', anyTokenId())
    const stored = hashAccessToken(pepper, value)

    // Act and assess
    expect(matchesHash(otherPepper, value, stored)).toBe(false)
  })

  it('does not match another token with the same id', () => {
    // Prepare
    const token = generateAccessToken('service', anyTokenId())
    const other = generateAccessToken('service', token.id)
    const stored = hashAccessToken(pepper, token.value)

    // Act and assess
    expect(matchesHash(pepper, other.value, stored)).toBe(false)
  })

  it.each([
    ['truncated', (h: string) => h.slice(0, -1)],
    ['halved', (h: string) => h.slice(0, 21)],
    ['empty', () => ''],
    ['extended', (h: string) => `${h}AA`],
  ])('does not match a %s stored hash (and does not throw)', (_name, mangle) => {
    // Prepare
    const { value } = generateAccessToken('service', anyTokenId())
    const stored = mangle(hashAccessToken(pepper, value))

    // Act and assess
    expect(matchesHash(pepper, value, stored)).toBe(false)
  })
})
