import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../functions/core/config.js'
import { VERIFIED_TOKEN_CACHE_SIZE } from '../../../functions/core/jwt-verifier.js'
import { type DenyEntry, EVERY_GENERATION } from '../../../functions/core/records.js'
import { createAuthorizerHandler } from '../../../functions/handlers/authorizer.js'
import { buildAuthorizerDependencies } from '../../../functions/wiring/authorizer.js'
import { fixedClock } from '../../support/fakes.js'
import {
  AUDIENCE,
  ISSUER,
  makeTestKey,
  NOW,
  NOW_SECONDS,
  signWithJose,
  tollgateClaims,
} from '../../support/jwt-attacks.js'

/**
 * The authorizer's verified-token cache and prompt revocation: a JWT the
 * cache answers is still checked against the deny-list on every decision,
 * so revoking it takes no longer than with the cache off.
 */

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET/datasets/1'
const REFRESH_MS = 10_000
const key = makeTestKey('ES256')

const setup = () => {
  const clock = fixedClock(NOW)
  const entries: DenyEntry[] = []
  const deps = buildAuthorizerDependencies({
    config: parseConfig({ ISSUER, AUDIENCE, JWT_ALG: 'ES256', REVOCATION_CHECK: 'true' }),
    keySet: { publicKeys: async () => [key.jwk] },
    clock,
    denyListReader: async () => ({
      entriesSince: async (since: number) => entries.filter((entry) => entry.createdAt >= since),
    }),
  })
  const handler = createAuthorizerHandler(async () => deps)
  const decide = async (jwt: string): Promise<'allow' | 'Unauthorized'> => {
    try {
      const answer = await handler({
        type: 'TOKEN',
        methodArn: METHOD_ARN,
        authorizationToken: `Bearer ${jwt}`,
      })
      return 'principalId' in answer ? 'allow' : 'Unauthorized'
    } catch (error) {
      if ((error as Error).message === 'Unauthorized') return 'Unauthorized'
      throw error
    }
  }
  const hits = () => deps.verifier.verifiedTokenStats?.().hits ?? 0
  return { clock, entries, decide, hits }
}

const revocation = (fields: Partial<DenyEntry>, createdAt: number): DenyEntry =>
  ({
    id: `dn_${createdAt}`,
    minGeneration: EVERY_GENERATION,
    createdAt,
    expiresAt: createdAt + 43_260_000,
    ...fields,
  }) as DenyEntry

describe('authorizer verified-token cache', () => {
  it('is on, at VERIFIED_TOKEN_CACHE_SIZE JWTs, and answers a repeated JWT', async () => {
    const s = setup()
    const jwt = await signWithJose(key)
    for (let i = 0; i < 3; i++) expect(await s.decide(jwt)).toBe('allow')
    expect(s.hits()).toBe(1)
    expect(VERIFIED_TOKEN_CACHE_SIZE).toBeGreaterThan(0)
  })

  it.each([
    ['its access token (atid, min_atv)', { kind: 'token', atid: 'atid_1' }],
    ['every token of its owner (sub, min_otv)', { kind: 'owner', sub: 'sa_reader' }],
  ] as const)('refuses a cached JWT at the first refresh after revoking %s', async (_, fields) => {
    const s = setup()
    const jwt = await signWithJose(key, tollgateClaims({ exp: NOW_SECONDS + 3_600 }))
    for (let i = 0; i < 3; i++) expect(await s.decide(jwt)).toBe('allow')
    const hits = s.hits()

    s.entries.push(revocation(fields, s.clock.now()))
    s.clock.advance(REFRESH_MS)

    expect(await s.decide(jwt)).toBe('Unauthorized')
    // Answered by the cache all the same: the refusal came from the deny-list.
    expect(s.hits()).toBe(hits + 1)
    s.clock.advance(REFRESH_MS)
    expect(await s.decide(jwt)).toBe('Unauthorized')
  })

  it('keeps allowing a JWT minted after the revocation (a higher generation)', async () => {
    const s = setup()
    const old = await signWithJose(key, tollgateClaims({ atv: 1, exp: NOW_SECONDS + 3_600 }))
    const renewed = await signWithJose(key, tollgateClaims({ atv: 2, exp: NOW_SECONDS + 3_600 }))
    for (let i = 0; i < 3; i++) {
      expect(await s.decide(old)).toBe('allow')
      expect(await s.decide(renewed)).toBe('allow')
    }

    s.entries.push(revocation({ kind: 'token', atid: 'atid_1', minGeneration: 2 }, s.clock.now()))
    s.clock.advance(REFRESH_MS)

    expect(await s.decide(old)).toBe('Unauthorized')
    expect(await s.decide(renewed)).toBe('allow')
  })
})
