import { describe, expect, it } from 'vitest'
import { denyToItem, itemToDeny } from '../../../functions/adapters/deny-items.js'
import { TollgateError } from '../../../functions/core/errors.js'
import { type DenyEntry, EVERY_GENERATION } from '../../../functions/core/records.js'

const AT = Date.UTC(2026, 11, 7, 10)
const token: DenyEntry = {
  id: 'dn_1',
  kind: 'token',
  atid: 'tok_1',
  minGeneration: 3,
  createdAt: AT,
  expiresAt: AT + 43_260_000,
}
const owner: DenyEntry = {
  id: 'dn_2',
  kind: 'owner',
  sub: 'sa_1',
  minGeneration: EVERY_GENERATION,
  createdAt: AT,
  expiresAt: AT + 43_260_000,
}
const policy: DenyEntry = {
  id: 'dn_3',
  kind: 'policy',
  tpid: 'tp_1',
  minGeneration: 2,
  createdAt: AT,
  expiresAt: AT + 43_260_000,
}

describe('deny-list items', () => {
  it('read back the entries they were written from, in their hour partition', () => {
    for (const entry of [token, owner, policy]) {
      const item = denyToItem(entry)
      expect(item.pk).toBe('DENY#2026-12-07T10')
      expect(itemToDeny(item)).toEqual(entry)
    }
  })

  it.each([
    ['no id', { id: undefined }],
    ['another kind', { kind: 'person' }],
    ['a token entry without atid', { atid: undefined }],
    ['an atid that is no string', { atid: 7 }],
    ['a sub that is no string', { sub: ['sa_1'] }],
    ['a generation of 0', { min_generation: 0 }],
    ['a fractional generation', { min_generation: 1.5 }],
    ['a generation beyond the safe integers', { min_generation: 2 ** 53 }],
    ['a generation as text', { min_generation: '3' }],
    ['a negative time', { created_at: -1 }],
    ['an infinite expiry', { expires_at: Number.POSITIVE_INFINITY }],
    ['no expiry', { expires_at: undefined }],
  ])('refuse an item with %s as internal, naming its key and nothing it holds', (_, change) => {
    const item = { ...denyToItem(token), ...change }

    const error = (() => {
      try {
        itemToDeny(item)
      } catch (thrown) {
        return thrown
      }
      return undefined
    })()

    expect(error).toBeInstanceOf(TollgateError)
    expect(error).toMatchObject({
      code: 'internal',
      message: 'A stored deny-list entry is malformed.',
    })
    expect(String((error as Error).cause)).toContain('DENY#2026-12-07T10/')
    expect(String((error as Error).cause)).not.toContain('tok_1')
  })

  it('refuse an owner entry without sub', () => {
    expect(() => itemToDeny({ ...denyToItem(owner), sub: undefined })).toThrow(TollgateError)
  })
})
