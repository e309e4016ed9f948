import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  newServiceAccountId,
  OWNER_TAG_LENGTH,
  ownerTag,
  parseOwnerId,
  personId,
} from '../../../functions/core/owners.js'

describe('ownerTag', () => {
  it('is a stable 11-character base62 digest of the owner id', () => {
    expect(ownerTag('sa_4CDLu9FIIpFqLMrVEdgmAC')).toBe('2cFG55O99Tb')
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (id) => {
        const tag = ownerTag(id)
        expect(tag).toMatch(new RegExp(`^[0-9A-Za-z]{${OWNER_TAG_LENGTH}}$`))
        expect(ownerTag(id)).toBe(tag)
      }),
    )
  })

  it('tells owners apart (no collision among 20,000 ids)', () => {
    const tags = new Set(Array.from({ length: 20_000 }, () => ownerTag(newServiceAccountId())))

    expect(tags.size).toBe(20_000)
  })
})

describe('parseOwnerId', () => {
  it.each([
    ['sa_4CDLu9FIIpFqLMrVEdgmAC', { type: 'service_account', id: 'sa_4CDLu9FIIpFqLMrVEdgmAC' }],
    ['user:dev:alice', { type: 'user', id: 'user:dev:alice' }],
    ['user:okta:00u1:with:colons', { type: 'user', id: 'user:okta:00u1:with:colons' }],
  ])('reads %s', (text, expected) => {
    expect(parseOwnerId(text)).toEqual(expected)
  })

  it.each(['alice', 'sa_short', 'user:dev:', 'user::alice', 'user:Dev:alice', 'user:dev:a b', ''])(
    'refuses %j',
    (text) => {
      expect(parseOwnerId(text)).toBeUndefined()
    },
  )

  it('namespaces a person by issuer', () => {
    expect(personId('okta', '00u1')).toBe('user:okta:00u1')
  })
})
