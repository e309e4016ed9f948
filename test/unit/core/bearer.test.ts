import { SignJWT } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import { verifyBearer } from '../../../functions/core/bearer.js'
import type { TollgateError } from '../../../functions/core/errors.js'
import { createJwtVerifier } from '../../../functions/core/jwt-verifier.js'
import { createPersonVerifier } from '../../../functions/core/person-verifier.js'
import type { TrustedIssuer } from '../../../functions/core/trusted-issuers.js'
import { fixedClock } from '../../support/fakes.js'
import {
  AUDIENCE,
  countingKeySet,
  ISSUER,
  makeTestKey,
  NOW,
  NOW_SECONDS,
  signWithJose,
  tollgateClaims,
} from '../../support/jwt-attacks.js'

const idp: TrustedIssuer = {
  id: 'okta',
  issuer: 'https://acme.okta.com',
  jwksUri: 'https://acme.okta.com/oauth2/v1/keys',
  audience: 'api://tollgate',
  subjectClaim: 'sub',
  rolesClaim: 'groups',
  roleMap: { Analysts: 'analyst' },
}

const ours = makeTestKey('RS256')
const theirs = makeTestKey('RS256', 'okta-1')
const clock = fixedClock(NOW)

const tollgate = createJwtVerifier({
  issuer: ISSUER,
  audience: AUDIENCE,
  alg: 'RS256',
  maxJwtDurationSeconds: 43_200,
  keySet: countingKeySet([ours.jwk]).keySet,
  clock,
  keysRefreshMs: 300_000,
})
const people = createPersonVerifier({
  issuers: [{ ...idp, keySet: countingKeySet([theirs.jwk]).keySet }],
  roleScopes: { analyst: ['datasets:read'] },
  clock,
  keysRefreshMs: 300_000,
})

const personJwt = () =>
  new SignJWT({
    iss: idp.issuer,
    sub: '00u1abcd',
    aud: idp.audience,
    groups: ['Analysts'],
    iat: NOW_SECONDS,
    exp: NOW_SECONDS + 3600,
  })
    .setProtectedHeader({ alg: 'RS256', kid: theirs.kid, typ: 'JWT' })
    .sign(theirs.privateKey)

/** JSON.parse calls made while `run` runs: a JWT's header and payload are each one. */
const parsesDuring = async (run: () => Promise<unknown>): Promise<number> => {
  const parse = vi.spyOn(JSON, 'parse')
  try {
    await run()
    return parse.mock.calls.length
  } finally {
    parse.mockRestore()
  }
}

describe('verifyBearer', () => {
  it("verifies Tollgate's own JWTs with Tollgate's verifier, and people's with their issuer's", async () => {
    const claims = tollgateClaims()
    const own = await verifyBearer({ tollgate, people }, await signWithJose(ours, claims))
    const person = await verifyBearer({ tollgate, people }, await personJwt())

    expect(own).toEqual({ kind: 'tollgate', claims })
    expect(person).toMatchObject({
      kind: 'person',
      person: { sub: 'user:okta:00u1abcd', roles: ['analyst'], scopes: ['datasets:read'] },
    })
  })

  it('decodes a JWT once when people are trusted: its payload is parsed to pick the verifier, and not again', async () => {
    // The verifier remembers headers it checked: check ours once, then count the payloads.
    await verifyBearer({ tollgate, people: undefined }, await signWithJose(ours))
    const alone = await signWithJose(ours, tollgateClaims({ jti: 'alone' }))
    const beside = await signWithJose(ours, tollgateClaims({ jti: 'beside people' }))
    const person = await personJwt()

    expect(await parsesDuring(() => verifyBearer({ tollgate, people: undefined }, alone))).toBe(1)
    expect(await parsesDuring(() => verifyBearer({ tollgate, people }, beside))).toBe(1)
    // Header and payload, each once.
    expect(await parsesDuring(() => verifyBearer({ tollgate, people }, person))).toBe(2)
  })

  it('refuses a JWT of an issuer nobody trusts, as Tollgate would', async () => {
    const stranger = await signWithJose(ours, tollgateClaims({ iss: 'https://elsewhere.example' }))
    const error = await verifyBearer({ tollgate, people }, stranger).catch(
      (e: unknown) => e as TollgateError,
    )
    expect(error).toMatchObject({ code: 'invalid_token' })
  })
})
