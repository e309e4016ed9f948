import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { TollgateError } from '../../../functions/core/errors.js'
import { createPersonVerifier } from '../../../functions/core/person-verifier.js'
import type { KeySet } from '../../../functions/core/ports.js'
import type { TrustedIssuer } from '../../../functions/core/trusted-issuers.js'
import { fixedClock } from '../../support/fakes.js'
import {
  attackTokens,
  countingKeySet,
  makeTestKey,
  NOW,
  NOW_SECONDS,
  signRaw,
  type TestKey,
} from '../../support/jwt-attacks.js'

const okta: TrustedIssuer = {
  id: 'okta',
  issuer: 'https://acme.okta.com',
  jwksUri: 'https://acme.okta.com/oauth2/v1/keys',
  audience: 'api://tollgate',
  clientId: '0oa-console',
  subjectClaim: 'sub',
  rolesClaim: 'groups',
  roleMap: { 'Platform Admins': 'admin', Analysts: 'analyst' },
}
const entra: TrustedIssuer = {
  ...okta,
  clientId: undefined,
  id: 'entra',
  issuer: 'https://login.example.com/tenant/v2.0',
  audience: 'api://tollgate-entra',
  subjectClaim: 'oid',
  rolesClaim: 'roles',
  roleMap: { 'Tollgate.Reader': 'analyst' },
}

const oktaKey = makeTestKey('RS256', 'okta-1')
const entraKey = makeTestKey('ES256', 'shared-kid')

const idpClaims = (overrides: Record<string, unknown> = {}) => ({
  iss: okta.issuer,
  sub: '00u1abcd',
  aud: okta.audience,
  groups: ['Analysts', 'Everyone'],
  scope: 'tokens:write service-accounts:write',
  iat: NOW_SECONDS,
  exp: NOW_SECONDS + 3600,
  jti: 'idp-jti-1',
  ...overrides,
})

const sign = (
  key: TestKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey)

const setup = (keySets: { okta?: KeySet; entra?: KeySet } = {}) => {
  const clock = fixedClock(NOW)
  const people = createPersonVerifier({
    issuers: [
      { ...okta, keySet: keySets.okta ?? { publicKeys: async () => [oktaKey.jwk] } },
      { ...entra, keySet: keySets.entra ?? { publicKeys: async () => [entraKey.jwk] } },
    ],
    roleScopes: { analyst: ['datasets:read', 'reports:read'], admin: ['datasets:admin'] },
    clock,
    keysRefreshMs: 300_000,
  })
  return { people, clock }
}

const refusal = async (promise: Promise<unknown>) => {
  const error = (await promise.catch((e: unknown) => e)) as { code?: string }
  expect(error.code).toBe('invalid_token')
}

describe('createPersonVerifier', () => {
  it('establishes a person namespaced by issuer, roles only through the role map', async () => {
    const { people } = setup()

    const person = await people.verify(await sign(oktaKey, idpClaims()))

    expect(person).toEqual({
      sub: 'user:okta:00u1abcd',
      iss: okta.issuer,
      roles: ['analyst'],
      scopes: ['datasets:read', 'reports:read'],
      jti: 'idp-jti-1',
    })
  })

  it('grants nothing through the IdP’s own scope claim, and drops unmapped groups', async () => {
    const { people } = setup()

    const person = await people.verify(
      await sign(oktaKey, idpClaims({ groups: ['Everyone', 'admin', 'Admins'], scope: 'admin' })),
    )

    expect(person.roles).toEqual([])
    expect(person.scopes).toEqual([])
  })

  it('accepts an ID token for the console’s public client (aud = client_id), as it is', async () => {
    const { people } = setup()

    const person = await people.verify(
      await sign(oktaKey, idpClaims({ aud: '0oa-console', nonce: 'n-1' })),
    )

    expect(person.sub).toBe('user:okta:00u1abcd')
  })

  it('refuses another issuer’s client id, and any client id where none is configured', async () => {
    const { people } = setup()
    const entraClaims = { iss: entra.issuer, oid: 'o1', iat: NOW_SECONDS, exp: NOW_SECONDS + 600 }

    await refusal(people.verify(await sign(entraKey, { ...entraClaims, aud: '0oa-console' })))
    await refusal(people.verify(await sign(oktaKey, idpClaims({ aud: '0oa-other' }))))
  })

  it('uses the configured subject claim and reads a single role string', async () => {
    const { people } = setup()
    const claims = {
      iss: entra.issuer,
      aud: entra.audience,
      oid: 'f00-b4r',
      sub: 'pairwise',
      roles: 'Tollgate.Reader',
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 600,
    }

    const person = await people.verify(await sign(entraKey, claims))

    expect(person).toMatchObject({ sub: 'user:entra:f00-b4r', roles: ['analyst'] })
  })

  it('selects keys by (iss, kid): another issuer’s key with the same kid verifies nothing', async () => {
    const impostor = makeTestKey('ES256', 'shared-kid')
    const { people } = setup({ okta: { publicKeys: async () => [oktaKey.jwk, impostor.jwk] } })
    const claims = {
      iss: entra.issuer,
      aud: entra.audience,
      oid: 'x',
      iat: NOW_SECONDS,
      exp: NOW_SECONDS + 600,
    }

    // Signed with a key published by okta, claiming to be entra: entra's keys are checked.
    await refusal(people.verify(await sign(impostor, claims)))
    expect(await people.verify(await sign(entraKey, claims))).toMatchObject({ sub: 'user:entra:x' })
  })

  it.each([
    ['another audience', { aud: 'tollgate' }],
    ['an audience list without ours', { aud: ['a', 'b'] }],
    ['an untrusted issuer', { iss: 'https://evil.example.com' }],
    ['an expired token (past the 60 s skew)', { exp: NOW_SECONDS - 61 }],
    ['a token from the future', { iat: NOW_SECONDS + 61 }],
    ['a token not valid yet', { nbf: NOW_SECONDS + 120 }],
    ['no iat', { iat: undefined }],
    ['a lifetime over a day', { exp: NOW_SECONDS + 86_401 }],
    ['no subject', { sub: undefined }],
    ['an empty subject', { sub: '' }],
    ['a subject with spaces', { sub: 'a b' }],
  ])('refuses %s', async (_name, overrides) => {
    const { people } = setup()

    await refusal(people.verify(await sign(oktaKey, idpClaims(overrides))))
  })

  it.each([
    ['HS256', { alg: 'HS256' }],
    ['none', { alg: 'none' }],
    ['an embedded key', { jwk: oktaKey.jwk }],
    ['a key URL', { jku: 'https://evil.example.com/keys' }],
    ['critical extensions', { crit: ['b64'], b64: false }],
    ['a dpop type', { typ: 'dpop+jwt' }],
  ])('refuses a header with %s', async (_name, header) => {
    const { people } = setup()

    await refusal(
      people.verify(signRaw(oktaKey, { alg: 'RS256', kid: oktaKey.kid, ...header }, idpClaims())),
    )
  })

  it('accepts the thumbprint headers and the at+jwt type real identity providers send', async () => {
    const { people } = setup()
    const jwt = signRaw(
      oktaKey,
      { alg: 'RS256', kid: oktaKey.kid, typ: 'at+jwt', x5t: 'abc' },
      idpClaims(),
    )

    expect((await people.verify(jwt)).sub).toBe('user:okta:00u1abcd')
  })

  it('refuses every forged token of the attack list that claims a trusted issuer', async () => {
    const { people } = setup()

    // Accepted from identity providers by design (some always send them); x5t never picks a key.
    const accepted = /^(x5t |typ JWT$|typ missing$)/
    const attacks = attackTokens(oktaKey, idpClaims()).filter((a) => !accepted.test(a.name))
    expect(attacks.length).toBeGreaterThan(40)
    for (const attack of attacks) {
      const error = await people.verify(attack.token).catch((e: unknown) => e)
      expect(error, attack.name).toMatchObject({ code: 'invalid_token' })
    }
  })

  it('refetches the issuer’s keys once on an unknown kid (a rotation at the IdP), then throttles', async () => {
    const next = makeTestKey('RS256', 'okta-2')
    const counting = countingKeySet([oktaKey.jwk])
    const { people, clock } = setup({ okta: counting.keySet })
    await people.verify(await sign(oktaKey, idpClaims()))

    counting.replace([oktaKey.jwk, next.jwk])
    await refusal(people.verify(await sign(next, idpClaims())))
    expect(counting.calls()).toBe(1)
    clock.advance(60_000)
    expect((await people.verify(await sign(next, idpClaims()))).sub).toBe('user:okta:00u1abcd')
    expect(counting.calls()).toBe(2)
  })

  it('verifies other issuers’ JWTs while one issuer’s keys load, and that issuer’s callers share the load', async () => {
    let loads = 0
    let fail: (error: Error) => void = () => {}
    const pending: KeySet = {
      publicKeys: () => {
        loads++
        return new Promise((_resolve, reject) => {
          fail = reject
        })
      },
    }
    const { people } = setup({ okta: pending })
    const oktaJwt = await sign(oktaKey, idpClaims())
    const waiting = [people.verify(oktaJwt), people.verify(oktaJwt), people.verify(oktaJwt)]

    const entraPerson = await people.verify(
      await sign(entraKey, { ...idpClaims(), iss: entra.issuer, aud: entra.audience, oid: 'o1' }),
    )
    fail(new TollgateError('unavailable', 'The identity provider’s keys could not be fetched.'))
    const outcomes = await Promise.allSettled(waiting)

    expect(entraPerson.sub).toBe('user:entra:o1')
    expect(loads).toBe(1)
    expect(outcomes.map((outcome) => outcome.status === 'rejected' && outcome.reason.code)).toEqual(
      ['unavailable', 'unavailable', 'unavailable'],
    )
  })

  it('says which issuers it trusts, exactly', () => {
    const { people } = setup()

    expect(people.trusts(okta.issuer)).toBe(true)
    expect(people.trusts(`${okta.issuer}/`)).toBe(false)
    expect(people.trusts(undefined)).toBe(false)
  })
})
