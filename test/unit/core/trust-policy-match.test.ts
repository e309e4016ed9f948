import { describe, expect, it } from 'vitest'
import type { OutsideToken } from '../../../functions/core/ports.js'
import type { TrustPolicy } from '../../../functions/core/trust-policy.js'
import {
  evaluatePolicy,
  requireSelectedPolicy,
  selectPolicy,
} from '../../../functions/core/trust-policy-match.js'
import { errorOf } from '../../support/errors.js'

const GITHUB = 'https://token.actions.githubusercontent.com'
const NOW = Date.UTC(2026, 0, 1)
const iat = NOW / 1000 - 60

const policy = (overrides: Partial<TrustPolicy> = {}): TrustPolicy => ({
  id: 'tp_main000000000000000000',
  name: 'main',
  description: '',
  issuer: GITHUB,
  jwksUri: undefined,
  audience: 'sts.tollgate',
  subject: undefined,
  subjectPattern: 'repo:acme/.*:ref:refs/heads/main',
  claims: { repository_owner: 'acme', environment: 'prod|staging' },
  serviceAccountId: 'sa_0000000000000000000000',
  scopes: ['datasets:read'],
  maxDurationSeconds: 900,
  maxTokenAgeSeconds: 600,
  generation: 1,
  version: 1,
  createdAt: NOW,
  createdBy: 'sa_admin',
  updatedAt: NOW,
  ...overrides,
})

/** A GitHub Actions ID token's claims, as its docs show them. */
const github = (claims: Record<string, unknown> = {}): OutsideToken => ({
  issuer: GITHUB,
  claims: {
    iss: GITHUB,
    aud: 'sts.tollgate',
    sub: 'repo:acme/api:ref:refs/heads/main',
    repository_owner: 'acme',
    environment: 'prod',
    iat,
    exp: iat + 300,
    ...claims,
  },
})

describe('evaluatePolicy', () => {
  it('matches a token meeting every condition', () => {
    expect(evaluatePolicy(policy(), github(), NOW)).toEqual({ matched: true })
  })

  it.each<[string, OutsideToken, string, unknown]>([
    [
      'another issuer',
      { ...github(), issuer: 'https://gitlab.com' },
      'issuer',
      'https://gitlab.com',
    ],
    ['another audience', github({ aud: 'tollgate' }), 'audience', 'tollgate'],
    [
      'an audience array of two',
      github({ aud: ['sts.tollgate', 'x'] }),
      'audience',
      ['sts.tollgate', 'x'],
    ],
    ['no iat', github({ iat: undefined }), 'token_age', undefined],
    ['an old token', github({ iat: NOW / 1000 - 601 }), 'token_age', NOW / 1000 - 601],
    [
      'another tenant',
      github({ sub: 'repo:acme-evil/api:ref:refs/heads/main' }),
      'subject',
      'repo:acme-evil/api:ref:refs/heads/main',
    ],
    [
      'another branch',
      github({ sub: 'repo:acme/api:ref:refs/heads/dev' }),
      'subject',
      'repo:acme/api:ref:refs/heads/dev',
    ],
    ['a non-string sub', github({ sub: 42 }), 'subject', 42],
    [
      'a missing claim',
      github({ repository_owner: undefined }),
      'claims.repository_owner',
      undefined,
    ],
    ['an array claim', github({ environment: ['prod'] }), 'claims.environment', ['prod']],
    ['a number claim', github({ repository_owner: 7 }), 'claims.repository_owner', 7],
    [
      'a partial claim match',
      github({ environment: 'production' }),
      'claims.environment',
      'production',
    ],
  ])(
    'reports %s as the first failing condition, with the value seen',
    (_case, outside, condition, saw) => {
      expect(evaluatePolicy(policy(), outside, NOW)).toEqual({ matched: false, condition, saw })
    },
  )

  it('takes an audience array of exactly the one audience', () => {
    expect(evaluatePolicy(policy(), github({ aud: ['sts.tollgate'] }), NOW).matched).toBe(true)
  })

  it('checks in order: the audience fails before the subject', () => {
    const outside = github({ aud: 'x', sub: 'repo:other/x:ref:refs/heads/main' })
    expect(evaluatePolicy(policy(), outside, NOW)).toMatchObject({ condition: 'audience' })
  })

  it('matches an exact subject exactly', () => {
    const exact = policy({
      subject: 'repo:acme/api:ref:refs/heads/main',
      subjectPattern: undefined,
    })

    expect(evaluatePolicy(exact, github(), NOW).matched).toBe(true)
    expect(
      evaluatePolicy(exact, github({ sub: 'repo:acme/api:ref:refs/heads/mainx' }), NOW),
    ).toMatchObject({
      condition: 'subject',
    })
  })

  it('never reads an inherited property as a claim', () => {
    const proto = policy({ claims: { constructor: '.*' } })
    expect(evaluatePolicy(proto, github(), NOW)).toEqual({
      matched: false,
      condition: 'claims.constructor',
      saw: undefined,
    })
  })
})

describe('selectPolicy', () => {
  const main = policy()
  const staging = policy({
    id: 'tp_stag000000000000000000',
    name: 'staging',
    claims: { environment: 'staging' },
  })

  it('selects the single matching policy', () => {
    const selection = selectPolicy([main, staging], github(), NOW)
    expect(selection.selected).toBe(main)
    expect(selection.verdicts.map((v) => v.evaluation.matched)).toEqual([true, false])
  })

  it('refuses several matches, naming them', () => {
    const selection = selectPolicy([main, staging], github({ environment: 'staging' }), NOW)
    expect(selection.selected).toBeUndefined()
    expect(errorOf(() => requireSelectedPolicy(selection))).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(
        /Several trust policies match \(tp_main0+, tp_stag0+\); name one with policy/,
      ),
    })
  })

  it('selects the named policy among several matches', () => {
    const selection = selectPolicy(
      [main, staging],
      github({ environment: 'staging' }),
      NOW,
      staging.id,
    )
    expect(requireSelectedPolicy(selection)).toBe(staging)
  })

  it('refuses a named policy that does not match, saying why', () => {
    const selection = selectPolicy([main, staging], github(), NOW, staging.id)
    expect(selection.selected).toBeUndefined()
    expect(selection.selected === undefined && selection.refusal).toBe(
      'The trust policy tp_stag000000000000000000 (staging) fails claims.environment, saw "prod".',
    )
  })

  it('refuses a named policy of another issuer or none', () => {
    const selection = selectPolicy([main], github(), NOW, 'tp_none000000000000000000')
    expect(selection.selected === undefined && selection.refusal).toMatch(
      /^No trust policy tp_none0+ for the issuer https:\/\/token\.actions/,
    )
  })

  it('refuses when nothing matches, with each policy’s reason and never the token', () => {
    const selection = selectPolicy([main], github({ sub: 'repo:acme/api:ref:refs/heads/dev' }), NOW)
    expect(selection.selected === undefined && selection.refusal).toBe(
      'No trust policy matches: tp_main000000000000000000 (main) fails subject, saw "repo:acme/api:ref:refs/heads/dev".',
    )
  })

  it('refuses an issuer no policy names', () => {
    const selection = selectPolicy([], github(), NOW)
    expect(selection.selected === undefined && selection.refusal).toBe(
      `No trust policy names the issuer ${GITHUB}.`,
    )
  })

  it('cuts long claim values short in a refusal', () => {
    const selection = selectPolicy([main], github({ sub: `repo:x/${'y'.repeat(500)}` }), NOW)
    expect(selection.selected === undefined && selection.refusal.length).toBeLessThan(300)
  })
})
