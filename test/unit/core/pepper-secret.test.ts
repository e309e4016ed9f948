import { describe, expect, it } from 'vitest'
import { newPepperSecret, parsePepperSecret } from '../../../functions/core/pepper-secret.js'
import { errorOf } from '../../support/errors.js'

const KEY_1 = Buffer.alloc(32, 1).toString('base64url')
const KEY_2 = Buffer.alloc(48, 2).toString('base64url')

describe('Function: parsePepperSecret', () => {
  it('reads every version and the current one', () => {
    // Act
    const pepper = parsePepperSecret(
      JSON.stringify({ current: '2', versions: { '1': KEY_1, '2': KEY_2 } }),
    )

    // Assess
    expect(pepper.current).toBe('2')
    expect(Buffer.from(pepper.versions.get('1') ?? [])).toEqual(Buffer.alloc(32, 1))
    expect(pepper.versions.get('2')?.length).toBe(48)
  })

  it.each([
    ['invalid JSON', `{"current": "1", "versions": {"1": "${KEY_1}"`],
    [
      'a current version that is not held',
      JSON.stringify({ current: '2', versions: { '1': KEY_1 } }),
    ],
    [
      'a pepper under 32 bytes',
      JSON.stringify({ current: '1', versions: { '1': Buffer.alloc(31).toString('base64url') } }),
    ],
    [
      'padded base64',
      JSON.stringify({
        current: '1',
        versions: { '1': `${Buffer.alloc(32, 1).toString('base64')}` },
      }),
    ],
    [
      'standard base64 characters',
      JSON.stringify({ current: '1', versions: { '1': `+/${KEY_1.slice(2)}` } }),
    ],
    ['a version name with a space', JSON.stringify({ current: 'a b', versions: { 'a b': KEY_1 } })],
    ['no versions', JSON.stringify({ current: '1' })],
    ['a number as pepper', JSON.stringify({ current: '1', versions: { '1': 42 } })],
  ])('refuses %s with a message that names no value', (_, text) => {
    // Act
    const error = errorOf(() => parsePepperSecret(text))

    // Assess
    expect(error.code).toBe('internal')
    expect(error.message).toBe('The pepper secret is not valid.')
  })
})

describe('Function: newPepperSecret', () => {
  it('makes version 1 of 32 fresh random bytes', () => {
    // Act
    const first = parsePepperSecret(newPepperSecret())
    const second = parsePepperSecret(newPepperSecret())

    // Assess
    expect(first.current).toBe('1')
    expect(first.versions.get('1')?.length).toBe(32)
    expect(first.versions.get('1')).not.toEqual(second.versions.get('1'))
  })
})
