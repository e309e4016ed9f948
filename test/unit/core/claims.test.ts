import { describe, expect, it } from 'vitest'
import { buildClaims, type ClaimsInput } from '../../../functions/core/claims.js'

const input = (overrides: Partial<ClaimsInput> = {}): ClaimsInput => ({
  issuer: 'https://tollgate.example.com',
  audience: 'tollgate',
  token: {
    id: 'tok1',
    kind: 'service',
    owner: { type: 'service_account', id: 'sa_1' },
    generation: 3,
  },
  roles: ['admin', 'reader'],
  ownerGeneration: 5,
  scopes: ['tokens:read', 'datasets:write'],
  issuedAt: Date.UTC(2026, 0, 1, 12, 0, 0, 750),
  durationSeconds: 300,
  jti: 'jti-1',
  ...overrides,
})

describe('buildClaims', () => {
  it('sets every claim of the design', () => {
    // Act
    const claims = buildClaims(input())

    // Assess
    const iat = Math.floor(Date.UTC(2026, 0, 1, 12, 0, 0) / 1000)
    expect(claims).toEqual({
      iss: 'https://tollgate.example.com',
      sub: 'sa_1',
      aud: 'tollgate',
      scope: 'tokens:read datasets:write',
      roles: ['admin', 'reader'],
      token_type: 'service',
      is_bot: true,
      client_id: 'tok1',
      atid: 'tok1',
      atv: 3,
      otv: 5,
      jti: 'jti-1',
      iat,
      nbf: iat,
      exp: iat + 300,
    })
  })

  it('uses whole seconds and makes exp - iat the requested duration', () => {
    for (const durationSeconds of [60, 301, 43_200]) {
      // Act
      const claims = buildClaims(input({ durationSeconds }))

      // Assess
      expect(Number.isInteger(claims.iat)).toBe(true)
      expect(claims.exp - claims.iat).toBe(durationSeconds)
      expect(claims.nbf).toBe(claims.iat)
    }
  })

  it('marks a personal token as a person, with the user as subject', () => {
    // Act
    const claims = buildClaims(
      input({
        token: {
          id: 'tok2',
          kind: 'personal',
          owner: { type: 'user', id: 'user:dev:alice' },
          generation: 1,
        },
        roles: [],
      }),
    )

    // Assess
    expect(claims.token_type).toBe('personal')
    expect(claims.is_bot).toBe(false)
    expect(claims.sub).toBe('user:dev:alice')
    expect(claims.atid).toBe('tok2')
  })
})
