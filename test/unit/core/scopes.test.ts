import { describe, expect, it } from 'vitest'
import { isScopeToken, narrowScopes, parseScopeString } from '../../../functions/core/scopes.js'
import { errorOf } from '../../support/errors.js'

describe('parseScopeString', () => {
  it('splits on spaces, keeps order and drops duplicates', () => {
    // Act
    const scopes = parseScopeString('tokens:read  datasets:write tokens:read ')

    // Assess
    expect(scopes).toEqual(['tokens:read', 'datasets:write'])
  })

  it('accepts the RFC 6749 scope-token characters', () => {
    // Act
    const scopes = parseScopeString('a:b/c.d-e_f~g!#$%&()*+,;<=>?@[]^`{|}')

    // Assess
    expect(scopes).toHaveLength(1)
  })

  it('accepts 100 scopes and a scope of 128 characters', () => {
    // Prepare
    const many = Array.from({ length: 100 }, (_, i) => `s${i}`).join(' ')

    // Act and assess
    expect(parseScopeString(many)).toHaveLength(100)
    expect(parseScopeString('a'.repeat(128))).toEqual(['a'.repeat(128)])
  })

  it.each([
    ['an empty string', ''],
    ['only spaces', '   '],
    ['a double quote', 'tokens:"read'],
    ['a backslash', 'tokens:\\read'],
    ['a tab separator', 'tokens:read\ttokens:write'],
    ['a newline', 'tokens:read\n'],
    ['a non-ASCII character', 'tökens:read'],
    ['a control character', 'tokens:\u0000read'],
    ['a scope of 129 characters', 'a'.repeat(129)],
    ['101 scopes', Array.from({ length: 101 }, (_, i) => `s${i}`).join(' ')],
  ])('rejects %s as invalid_request', (_name, input) => {
    // Act
    const error = errorOf(() => parseScopeString(input))

    // Assess
    expect(error.code).toBe('invalid_request')
  })
})

describe('isScopeToken', () => {
  it('tells scope tokens from other strings', () => {
    // Act and assess
    expect(isScopeToken('datasets:read')).toBe(true)
    expect(isScopeToken('')).toBe(false)
    expect(isScopeToken('a b')).toBe(false)
  })
})

describe('narrowScopes', () => {
  const granted = ['tokens:read', 'tokens:write', 'datasets:read']

  it('returns every granted scope when none is requested', () => {
    // Act and assess
    expect(narrowScopes(granted, undefined)).toEqual(granted)
  })

  it('returns the requested subset', () => {
    // Act and assess
    expect(narrowScopes(granted, ['datasets:read', 'tokens:read'])).toEqual([
      'datasets:read',
      'tokens:read',
    ])
  })

  it('refuses a scope that is not granted with insufficient_scope', () => {
    // Act
    const error = errorOf(() => narrowScopes(granted, ['tokens:read', 'admin:all']))

    // Assess
    expect(error.code).toBe('insufficient_scope')
  })

  it('refuses any scope when none is granted', () => {
    // Act
    const error = errorOf(() => narrowScopes([], ['tokens:read']))

    // Assess
    expect(error.code).toBe('insufficient_scope')
  })

  it('compares scopes exactly, not by prefix or case', () => {
    // Act and assess
    expect(errorOf(() => narrowScopes(granted, ['tokens'])).code).toBe('insufficient_scope')
    expect(errorOf(() => narrowScopes(granted, ['Tokens:read'])).code).toBe('insufficient_scope')
  })
})
