import { describe, expect, it } from 'vitest'
import { cursorKey, openCursor, sealCursor } from '../../../functions/core/cursor.js'
import { errorOf } from '../../support/errors.js'

const key = cursorKey(Buffer.alloc(32, 1))
const binding = { caller: 'sa_1', query: { owner: 'sa_2', name: undefined } }
const position = { pk: 'TOKEN#abc', sk: 'TOKEN', gsi2pk: 'TOKENS' }

describe('sealCursor / openCursor', () => {
  it('round-trips a position for the same caller and filters', () => {
    const cursor = sealCursor(key, binding, position)

    expect(openCursor(key, { caller: 'sa_1', query: { owner: 'sa_2' } }, cursor)).toEqual(position)
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(cursor).not.toContain('TOKEN')
  })

  it.each([
    ['another caller', { caller: 'sa_9', query: binding.query }],
    ['other filters', { caller: 'sa_1', query: { owner: 'sa_3' } }],
    ['an added filter', { caller: 'sa_1', query: { owner: 'sa_2', name: 'x' } }],
  ])('refuses it for %s', (_name, other) => {
    const cursor = sealCursor(key, binding, position)

    expect(errorOf(() => openCursor(key, other, cursor)).code).toBe('invalid_request')
  })

  it('refuses a cursor sealed with another key, tampered, truncated or too long', () => {
    const cursor = sealCursor(key, binding, position)
    const flipped = `${cursor.slice(0, 20)}${cursor[20] === 'A' ? 'B' : 'A'}${cursor.slice(21)}`

    for (const bad of [
      sealCursor(cursorKey(Buffer.alloc(32, 2)), binding, position),
      flipped,
      cursor.slice(0, 10),
      '',
      '!!!',
      'A'.repeat(5000),
    ]) {
      expect(errorOf(() => openCursor(key, binding, bad)).code).toBe('invalid_request')
    }
  })
})
