import { describe, expect, it } from 'vitest'
import {
  claimPattern,
  closesTenant,
  literalPrefix,
  matchesSubject,
  subjectPattern,
} from '../../../functions/core/trust-patterns.js'
import { MAX_PATTERN_LENGTH } from '../../../functions/core/trust-policy-limits.js'
import { errorOf } from '../../support/errors.js'

describe('literalPrefix', () => {
  it.each([
    ['repo:acme/.*', 'repo:acme/'],
    ['repo:acme/api:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/main'],
    ['project_path:my\\.group/.*', 'project_path:my.group/'],
    ['repo:acme/?.*', 'repo:acme'],
    ['repo:acme/x*', 'repo:acme/'],
    ['repo:acme/{1,2}', 'repo:acme'],
    ['repo:acme\\/?x', 'repo:acme'],
    ['.*', ''],
    ['(repo:acme/x|.*)', ''],
    ['\\drepo', ''],
  ])('%s starts every match with %j', (pattern, prefix) => {
    expect(literalPrefix(pattern)).toBe(prefix)
  })
})

describe('closesTenant', () => {
  it.each([
    ['repo:acme/', true],
    ['project_path:group/', true],
    ['system:serviceaccount:prod:', true],
    ['organization:acme:', true],
    ['repo:', false],
    ['repo:acme', false],
    ['/', false],
    ['system:serviceaccount:', false],
    ['system:serviceaccount:prod', false],
    ['system:serviceaccount::', false],
    ['nocolon', false],
  ])('%j → %s', (prefix, closes) => {
    expect(closesTenant(prefix)).toBe(closes)
  })
})

describe('subjectPattern', () => {
  it.each([
    'repo:acme/.*',
    'repo:acme/api:ref:refs/heads/(?:main|release/.*)',
    'project_path:acme/platform/.*:ref_type:branch:ref:main',
    'system:serviceaccount:prod:.*',
    'repo:acme/[a-z-]+:environment:prod',
  ])('accepts %s', (pattern) => {
    expect(subjectPattern(pattern).prefix.length).toBeGreaterThan(0)
  })

  it.each([
    ['.*', /literal text naming the tenant/],
    ['repo:.*', /literal prefix up to the tenant separator/],
    ['repo:acme.*', /literal prefix up to the tenant separator/],
    ['repo:acme/?.*', /literal prefix up to the tenant separator/],
    ['(repo:acme/x|.*)', /literal text naming the tenant/],
    ['repo:acme/x|.*', /alternatives outside a group/],
    ['repo:acme/[[:alpha:](]|.*', /alternatives outside a group/],
    ['(?i)repo:acme/.*', /literal text naming the tenant/],
    ['system:serviceaccount:.*', /literal prefix up to the tenant separator/],
    ['system:serviceaccount:prod.*', /literal prefix up to the tenant separator/],
    ['repo:acme/\\Q(\\E|.*', /\\Q/],
    ['repo:acme/(', /not valid RE2 syntax/],
    ['repo:acme/(?<=x)y', /not valid RE2 syntax/],
    ['repo:acme/\\1', /not valid RE2 syntax/],
    [`repo:acme/${'a'.repeat(MAX_PATTERN_LENGTH)}`, /1-512 characters/],
  ])('refuses %s', (pattern, message) => {
    const error = errorOf(() => subjectPattern(pattern))
    expect(error.code).toBe('invalid_request')
    expect(error.message).toMatch(message)
  })

  it('matches whole subjects only, and never another tenant', () => {
    const pattern = subjectPattern('repo:acme/.*:ref:refs/heads/main')

    expect(matchesSubject(pattern, 'repo:acme/api:ref:refs/heads/main')).toBe(true)
    expect(matchesSubject(pattern, 'repo:acme/api:ref:refs/heads/main-evil')).toBe(false)
    expect(matchesSubject(pattern, 'xrepo:acme/api:ref:refs/heads/main')).toBe(false)
    expect(matchesSubject(pattern, 'repo:acme-evil/api:ref:refs/heads/main')).toBe(false)
  })

  it('answers in linear time for input that makes backtracking engines explode', () => {
    const pattern = subjectPattern('repo:acme/(a+)+$')
    const started = performance.now()

    expect(matchesSubject(pattern, `repo:acme/${'a'.repeat(5000)}!`)).toBe(false)
    expect(performance.now() - started).toBeLessThan(1000)
  })
})

describe('claimPattern', () => {
  it('needs no tenant prefix and is anchored', () => {
    const pattern = claimPattern('claims.environment', 'prod|staging')

    expect(pattern.matches('prod')).toBe(true)
    expect(pattern.matches('production')).toBe(false)
    expect(pattern.matches('xprod')).toBe(false)
  })

  it('refuses invalid syntax naming the claim', () => {
    expect(errorOf(() => claimPattern('claims.ref', '[a-')).message).toMatch(
      /^claims\.ref is not valid RE2 syntax/,
    )
  })
})
