import { describe, expect, it } from 'vitest'
import { TollgateError } from '../../../../functions/core/errors.js'
import type { OutsideTokenVerifier } from '../../../../functions/core/ports.js'
import { EVERY_GENERATION } from '../../../../functions/core/records.js'
import type { TrustPolicyFields } from '../../../../functions/core/trust-policy.js'
import { createServiceAccount } from '../../../../functions/core/use-cases/service-accounts.js'
import { simulateTrustPolicies } from '../../../../functions/core/use-cases/simulate-trust-policies.js'
import {
  createTrustPolicy,
  deleteTrustPolicy,
  readTrustPolicy,
  updateTrustPolicy,
} from '../../../../functions/core/use-cases/trust-policies.js'
import { rejectionOf } from '../../../support/errors.js'
import { callers, contextOf, managementWorld } from '../../../support/management.js'

const GITHUB = 'https://token.actions.githubusercontent.com'
const admin = contextOf(callers.admin())
/** Enough to manage service accounts, but not tollgate:admin. */
const operator = contextOf(callers.service(['service-accounts:read', 'service-accounts:write']))

const withPolicy = async () => {
  const world = managementWorld({ FEDERATION_ISSUERS: JSON.stringify([GITHUB]) })
  const account = await createServiceAccount(world.deps, admin, {
    name: 'deployer',
    roles: [],
    scopes: ['datasets:read', 'datasets:write'],
  })
  const fields: TrustPolicyFields = {
    name: 'main',
    issuer: GITHUB,
    audience: 'sts.tollgate',
    subjectPattern: 'repo:acme/.*:ref:refs/heads/main',
    serviceAccountId: account.id,
    scopes: ['datasets:read', 'datasets:write'],
    maxDurationSeconds: 900,
  }
  const policy = await createTrustPolicy(world.deps, admin, fields)
  const now = world.clock.now()
  const claims = {
    iss: GITHUB,
    aud: 'sts.tollgate',
    sub: 'repo:acme/api:ref:refs/heads/main',
    iat: now / 1000 - 30,
  }
  return { ...world, account, fields, policy, claims }
}

describe('createTrustPolicy', () => {
  it('stores the policy at generation 1 with its audit record', async () => {
    const { store, policy } = await withPolicy()

    expect(policy).toMatchObject({
      id: expect.stringMatching(/^tp_[0-9A-Za-z]{22}$/),
      generation: 1,
      version: 1,
      createdBy: 'sa_admin',
      maxTokenAgeSeconds: 3600,
    })
    expect(store.trustPolicies.get(policy.id)).toEqual(policy)
    expect(store.audit.at(-1)).toMatchObject({
      subject: { type: 'trust_policy', id: policy.id },
      action: 'trust_policy.created',
      changes: { subject_pattern: 'repo:acme/.*:ref:refs/heads/main', subject: null },
    })
  })

  it('refuses a service account that does not exist', async () => {
    const { deps, fields } = await withPolicy()

    const error = await rejectionOf(
      createTrustPolicy(deps, admin, { ...fields, serviceAccountId: 'sa_1111111111111111111111' }),
    )
    expect(error).toMatchObject({ code: 'invalid_request' })
    expect(error.message).toMatch(/names no service account/)
  })

  it.each([
    ['a caller without tollgate:admin', operator, 'insufficient_scope'],
    [
      'a personal-token JWT',
      contextOf(callers.personal('alice', ['service-accounts:write'])),
      'forbidden',
    ],
  ])('refuses %s', async (_who, context, code) => {
    const { deps, fields, store } = await withPolicy()

    expect(await rejectionOf(createTrustPolicy(deps, context, fields))).toMatchObject({ code })
    expect(store.trustPolicies.size).toBe(1)
  })
})

describe('updateTrustPolicy', () => {
  it('renames without a new generation or a deny entry', async () => {
    const { deps, store, policy } = await withPolicy()

    const updated = await updateTrustPolicy(deps, admin, {
      id: policy.id,
      ifMatch: [1],
      name: 'main deploys',
    })

    expect(updated).toMatchObject({ name: 'main deploys', generation: 1, version: 2 })
    expect(store.denied).toEqual([])
  })

  it('narrows with a new generation and a deny entry for every older JWT', async () => {
    const { deps, store, policy } = await withPolicy()

    const updated = await updateTrustPolicy(deps, admin, {
      id: policy.id,
      ifMatch: '*',
      scopes: ['datasets:read'],
    })

    expect(updated).toMatchObject({ scopes: ['datasets:read'], generation: 2, version: 2 })
    expect(store.denied).toEqual([
      expect.objectContaining({ kind: 'policy', tpid: policy.id, minGeneration: 2 }),
    ])
    expect(store.audit.at(-1)).toMatchObject({
      action: 'trust_policy.updated',
      changes: { scopes: ['datasets:read'] },
    })
  })

  it('replaces a subject pattern by an exact subject', async () => {
    const { deps, policy } = await withPolicy()

    const updated = await updateTrustPolicy(deps, admin, {
      id: policy.id,
      ifMatch: '*',
      subject: 'repo:acme/api:ref:refs/heads/main',
    })
    expect(updated).toMatchObject({
      subject: 'repo:acme/api:ref:refs/heads/main',
      subjectPattern: undefined,
    })
  })

  it('refuses a stale If-Match', async () => {
    const { deps, policy } = await withPolicy()

    const error = await rejectionOf(
      updateTrustPolicy(deps, admin, { id: policy.id, ifMatch: [7], name: 'x' }),
    )
    expect(error.code).toBe('precondition_failed')
  })

  it('refuses a caller without tollgate:admin, changing nothing', async () => {
    const { deps, store, policy } = await withPolicy()

    const error = await rejectionOf(
      updateTrustPolicy(deps, operator, { id: policy.id, ifMatch: '*', scopes: [] }),
    )
    expect(error.code).toBe('insufficient_scope')
    expect(store.trustPolicies.get(policy.id)).toEqual(policy)
  })
})

describe('deleteTrustPolicy', () => {
  it('removes the policy and denies every JWT it minted', async () => {
    const { deps, store, policy } = await withPolicy()

    await deleteTrustPolicy(deps, admin, policy.id)

    expect(store.trustPolicies.has(policy.id)).toBe(false)
    expect(store.denied).toEqual([
      expect.objectContaining({ kind: 'policy', tpid: policy.id, minGeneration: EVERY_GENERATION }),
    ])
    expect((await rejectionOf(readTrustPolicy(deps, policy.id))).code).toBe('not_found')
  })
})

describe('simulateTrustPolicies', () => {
  it('names the matching policy for a claim set', async () => {
    const { deps, policy, claims } = await withPolicy()

    const simulation = await simulateTrustPolicies({ ...deps, outsideTokens: undefined }, admin, {
      claims,
    })

    expect(simulation.selected?.id).toBe(policy.id)
    expect(simulation.verdicts).toEqual([{ policy, evaluation: { matched: true } }])
  })

  it('explains each policy of the issuer that does not match', async () => {
    const { deps, policy, claims } = await withPolicy()

    const simulation = await simulateTrustPolicies({ ...deps, outsideTokens: undefined }, admin, {
      claims: { ...claims, sub: 'repo:acme/api:ref:refs/heads/dev' },
    })

    expect(simulation.selected).toBeUndefined()
    expect(simulation.refusal).toMatch(/fails subject, saw "repo:acme\/api:ref:refs\/heads\/dev"/)
    expect(simulation.verdicts).toEqual([
      {
        policy,
        evaluation: {
          matched: false,
          condition: 'subject',
          saw: 'repo:acme/api:ref:refs/heads/dev',
        },
      },
    ])
  })

  it('verifies a token first and matches its claims', async () => {
    const { deps, policy, claims } = await withPolicy()
    const verifier: OutsideTokenVerifier = {
      verify: async (jwt) => {
        expect(jwt).toBe('header.payload.signature')
        return { issuer: GITHUB, claims }
      },
    }

    const simulation = await simulateTrustPolicies({ ...deps, outsideTokens: verifier }, admin, {
      token: 'header.payload.signature',
    })
    expect(simulation.selected?.id).toBe(policy.id)
  })

  it('reports a failed verification as the failing condition of every policy of the claimed issuer', async () => {
    const { deps, policy, claims } = await withPolicy()
    const verifier: OutsideTokenVerifier = {
      verify: async () => {
        throw new TollgateError('invalid_token', 'The signature does not verify.')
      },
    }
    const forged = [
      Buffer.from('{"alg":"RS256"}').toString('base64url'),
      Buffer.from(JSON.stringify(claims)).toString('base64url'),
      'c2ln',
    ].join('.')

    const simulation = await simulateTrustPolicies({ ...deps, outsideTokens: verifier }, admin, {
      token: forged,
    })

    expect(simulation).toMatchObject({
      issuer: GITHUB,
      selected: undefined,
      refusal: 'The outside token failed verification: The signature does not verify.',
      verdicts: [
        {
          policy,
          evaluation: {
            matched: false,
            condition: 'signature',
            saw: 'The signature does not verify.',
          },
        },
      ],
    })
    expect(JSON.stringify(simulation)).not.toContain(forged)
  })

  it('lets an outage of the issuer surface as it is', async () => {
    const { deps } = await withPolicy()
    const verifier: OutsideTokenVerifier = {
      verify: async () => {
        throw new TollgateError('unavailable', 'The issuer’s keys cannot be read.')
      },
    }

    const error = await rejectionOf(
      simulateTrustPolicies({ ...deps, outsideTokens: verifier }, admin, { token: 'a.b.c' }),
    )
    expect(error.code).toBe('unavailable')
  })

  it.each([
    ['both a token and claims', { token: 'a.b.c', claims: { iss: GITHUB } }],
    ['neither', {}],
    ['claims without iss', { claims: { sub: 'x' } }],
  ])('refuses %s', async (_case, request) => {
    const { deps } = await withPolicy()

    const error = await rejectionOf(
      simulateTrustPolicies({ ...deps, outsideTokens: undefined }, admin, request),
    )
    expect(error.code).toBe('invalid_request')
  })

  it('refuses a caller without tollgate:admin', async () => {
    const { deps, claims } = await withPolicy()

    const error = await rejectionOf(
      simulateTrustPolicies({ ...deps, outsideTokens: undefined }, operator, { claims }),
    )
    expect(error.code).toBe('insufficient_scope')
  })
})
