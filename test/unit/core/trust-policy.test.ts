import { describe, expect, it } from 'vitest'
import {
  checkTrustPolicy,
  isTrustPolicyId,
  newTrustPolicyId,
  type TrustPolicyFields,
  type TrustPolicyLimits,
} from '../../../functions/core/trust-policy.js'
import { errorOf } from '../../support/errors.js'

const GITHUB = 'https://token.actions.githubusercontent.com'
const limits: TrustPolicyLimits = {
  federationIssuers: [GITHUB],
  audience: 'tollgate',
  maxJwtDurationSeconds: 3600,
  localMode: false,
  accountScopes: ['datasets:read', 'datasets:write'],
}
const fields: TrustPolicyFields = {
  name: 'deploy from main',
  issuer: GITHUB,
  audience: 'sts.tollgate',
  subjectPattern: 'repo:acme/.*:ref:refs/heads/main',
  claims: { repository_owner: 'acme' },
  serviceAccountId: 'sa_0000000000000000000000',
  scopes: ['datasets:read'],
  maxDurationSeconds: 900,
}

describe('checkTrustPolicy', () => {
  it('keeps valid fields and defaults the token age to an hour', () => {
    expect(checkTrustPolicy(fields, limits)).toEqual({
      name: 'deploy from main',
      description: '',
      issuer: GITHUB,
      jwksUri: undefined,
      audience: 'sts.tollgate',
      subject: undefined,
      subjectPattern: 'repo:acme/.*:ref:refs/heads/main',
      claims: { repository_owner: 'acme' },
      serviceAccountId: 'sa_0000000000000000000000',
      scopes: ['datasets:read'],
      maxDurationSeconds: 900,
      maxTokenAgeSeconds: 3600,
    })
  })

  it.each<[string, Partial<TrustPolicyFields>, RegExp]>([
    [
      'an issuer not in FEDERATION_ISSUERS',
      { issuer: 'https://evil.example' },
      /FEDERATION_ISSUERS/,
    ],
    ['the issuer with a trailing slash', { issuer: `${GITHUB}/` }, /FEDERATION_ISSUERS exactly/],
    ["Tollgate's own audience", { audience: 'tollgate' }, /Tollgate's own AUDIENCE/],
    ['both subject and pattern', { subject: 'repo:acme/x:ref:refs/heads/main' }, /exactly one/],
    ['neither subject nor pattern', { subjectPattern: undefined }, /exactly one/],
    ['a pattern without a tenant', { subjectPattern: 'repo:.*' }, /tenant separator/],
    ['tollgate:admin', { scopes: ['tollgate:admin'] }, /may not name tollgate:admin/],
    ['a scope the account lacks', { scopes: ['billing:write'] }, /does not hold billing:write/],
    ['an invalid scope name', { scopes: ['Not A Scope'] }, /scopes must be/],
    ['a duration under a minute', { maxDurationSeconds: 59 }, /between 60 and 3600/],
    ['a duration past MAX_JWT_DURATION_SECONDS', { maxDurationSeconds: 3601 }, /MAX_JWT/],
    ['a token age past a day', { maxTokenAgeSeconds: 86_401 }, /max_token_age_seconds/],
    ['a registered claim', { claims: { sub: '.*' } }, /may not name sub/],
    ['a bad claim name', { claims: { 'a b': 'x' } }, /claims names must match/],
    ['a bad claim pattern', { claims: { environment: '(' } }, /claims.environment is not valid/],
    ['an http JWKS URI', { jwksUri: 'http://keys.example/jwks' }, /jwks_uri must be an https/],
    ['a blank name', { name: ' ' }, /name must/],
  ])('refuses %s', (_case, change, message) => {
    const error = errorOf(() => checkTrustPolicy({ ...fields, ...change }, limits))
    expect(error.code).toBe('invalid_request')
    expect(error.message).toMatch(message)
  })

  it('says so when no federation issuer is configured', () => {
    expect(
      errorOf(() => checkTrustPolicy(fields, { ...limits, federationIssuers: [] })).message,
    ).toMatch(/none is configured/)
  })

  it('takes an http JWKS URI on loopback in local mode only', () => {
    const local = { ...fields, jwksUri: 'http://127.0.0.1:4000/jwks.json' }

    expect(checkTrustPolicy(local, { ...limits, localMode: true }).jwksUri).toBe(
      'http://127.0.0.1:4000/jwks.json',
    )
    expect(errorOf(() => checkTrustPolicy(local, limits)).code).toBe('invalid_request')
  })
})

describe('trust policy ids', () => {
  it('are tp_ and 22 base62 characters, each new one different', () => {
    const [a, b] = [newTrustPolicyId(), newTrustPolicyId()]

    expect(isTrustPolicyId(a)).toBe(true)
    expect(a).not.toBe(b)
    expect(isTrustPolicyId('sa_0000000000000000000000')).toBe(false)
  })
})
