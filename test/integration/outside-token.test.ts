import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TollgateError } from '../../functions/core/errors.js'
import {
  createOutsideTokenVerifier,
  type StrictOutsideTokenVerifier,
} from '../../functions/core/outside-token.js'
import { outsideTokenVerifierFor } from '../../functions/wiring/federation.js'
import { fixedClock } from '../support/fakes.js'
import {
  attackTokens,
  countingKeySet,
  ISSUER,
  makeTestKey,
  NOW,
  tollgateClaims,
} from '../support/jwt-attacks.js'
import {
  githubActionsClaims,
  gitlabCiClaims,
  hostileTokens,
  kubernetesClaims,
  type OidcIssuer,
  startOidcIssuer,
} from '../support/oidc-issuer.js'

const AUDIENCE = 'https://tollgate.example'
const clock = fixedClock(NOW)
let github: OidcIssuer
let gitlab: OidcIssuer
let kubernetes: OidcIssuer

beforeAll(async () => {
  ;[github, gitlab, kubernetes] = await Promise.all([
    startOidcIssuer({ clock }),
    startOidcIssuer({ clock }),
    startOidcIssuer({ clock, path: '/id/5C2F1B7E' }),
  ])
})
afterAll(() => Promise.all([github.close(), gitlab.close(), kubernetes.close()]))

/** A fresh verifier (empty caches) for these issuers, fetching over loopback as local mode allows. */
const verifierOf = (
  issuers: ReadonlyArray<{ readonly issuer: string; readonly jwksUri?: string }>,
  localMode = true,
): StrictOutsideTokenVerifier => {
  const verifier = outsideTokenVerifierFor({ issuers, localMode, keysCacheTtlSeconds: 300 }, clock)
  if (verifier === undefined) throw new Error('no verifier for a non-empty list of issuers')
  return verifier
}
const allIssuers = () =>
  verifierOf([github, gitlab, kubernetes].map(({ url }) => ({ issuer: url })))

const refusal = async (promise: Promise<unknown>): Promise<TollgateError> => {
  const error = (await promise.then(
    () => {
      throw new Error('the token was accepted')
    },
    (e: unknown) => e,
  )) as TollgateError
  return error
}

const fetchesOf = (issuer: OidcIssuer) => ({ ...issuer.fetches })

describe('outside tokens, verified against in-test OIDC issuers', () => {
  it('accepts GitHub Actions, GitLab CI and Kubernetes tokens, claims untouched', async () => {
    const verifier = allIssuers()
    const claims = githubActionsClaims({ aud: AUDIENCE, environment: 'production' })

    const fromGithub = await verifier.verify(await github.mint(claims))
    const fromGitlab = await verifier.verify(
      await gitlab.mint(gitlabCiClaims({ aud: AUDIENCE }), { alg: 'ES256' }),
    )
    const fromKubernetes = await verifier.verify(
      await kubernetes.mint(kubernetesClaims({ aud: AUDIENCE }), { typ: null }),
    )

    expect(fromGithub).toMatchObject({
      issuer: github.url,
      header: { alg: 'RS256', kid: 'rsa-1', typ: 'JWT' },
      claims: { ...claims, sub: 'repo:acme/api:environment:production', iss: github.url },
    })
    expect(Object.isFrozen(fromGithub.claims)).toBe(true)
    expect(fromGitlab).toMatchObject({
      issuer: gitlab.url,
      header: { alg: 'ES256', kid: 'ec-1' },
      claims: { sub: 'project_path:acme/api:ref_type:branch:ref:main' },
    })
    expect(fromKubernetes.header).toEqual({ alg: 'RS256', kid: 'rsa-1' })
    expect(fromKubernetes.claims).toMatchObject({
      sub: 'system:serviceaccount:payments:api',
      aud: [AUDIENCE],
      'kubernetes.io': { namespace: 'payments' },
    })
  })

  it('reads each issuer’s discovery document and keys once, then serves them from its cache', async () => {
    const verifier = allIssuers()
    const before = fetchesOf(github)

    for (let i = 0; i < 3; i++) {
      await verifier.verify(await github.mint(githubActionsClaims({ aud: AUDIENCE })))
    }

    expect(github.fetches.discovery - before.discovery).toBe(1)
    expect(github.fetches.jwks - before.jwks).toBe(1)
  })

  it('refuses every hostile variant at the check that must, naming it and never echoing the token', async () => {
    const verifier = allIssuers()
    const hostile = hostileTokens(github, {
      claims: githubActionsClaims({ aud: AUDIENCE }),
      other: gitlab,
    })
    const checks = hostile.flatMap(({ refusedBy }) =>
      'verifier' in refusedBy ? [refusedBy.verifier] : [],
    )
    expect(new Set(checks)).toEqual(
      new Set(['shape', 'header', 'issuer', 'key', 'signature', 'times', 'subject']),
    )

    for (const { name, token, refusedBy } of hostile) {
      if ('policy' in refusedBy) continue
      const error = await refusal(verifier.verify(token))
      expect(error, name).toMatchObject({
        code: 'invalid_request',
        extensions: { failed_check: refusedBy.verifier },
      })
      const signature = token.split('.')[2] ?? ''
      expect(error.message, name).not.toContain(token)
      if (signature.length > 0) expect(error.message, name).not.toContain(signature)
    }
  })

  it('leaves audience and token age to the trust policy, handing it the claims it must judge', async () => {
    const verifier = allIssuers()
    const now = github.nowSeconds()
    const hostile = hostileTokens(github, {
      claims: githubActionsClaims({ aud: AUDIENCE }),
      other: gitlab,
    }).filter(({ refusedBy }) => 'policy' in refusedBy)

    const verified = await Promise.all(hostile.map(({ token }) => verifier.verify(token)))

    expect(hostile.map(({ refusedBy }) => refusedBy)).toEqual([
      { policy: 'audience' },
      { policy: 'token_age' },
    ])
    expect(verified.map(({ claims }) => [claims.aud, claims.iat])).toEqual([
      ['https://attacker.example', now],
      [AUDIENCE, now - 7200],
    ])
  })

  it('names the value it saw: the algorithm, the kid, the times', async () => {
    const verifier = allIssuers()
    const hostile = hostileTokens(github, {
      claims: githubActionsClaims({ aud: AUDIENCE }),
      other: gitlab,
    })
    const messageOf = async (name: string) =>
      (await refusal(verifier.verify(hostile.find((token) => token.name === name)?.token ?? '')))
        .message

    expect(await messageOf('HS256 signed with the public key')).toContain('"HS256"')
    expect(await messageOf('alg none with a signature')).toContain('"none"')
    expect(await messageOf('embedded jwk of the attacker')).toContain('"jwk"')
    expect(await messageOf('unknown kid')).toContain('"never-published"')
    expect(await messageOf('expired')).toMatch(/expired: exp \d+/)
    expect(await messageOf('no iat')).toContain('no iat claim')
    expect(await messageOf('wrong issuer')).toContain('attacker.example')
    expect(await messageOf('oversized')).toMatch(/too long: \d+ characters, at most 8192/)
  })

  it('never fetches anything for an issuer that is not on the list', async () => {
    const stranger = await startOidcIssuer({ clock })
    try {
      const verifier = verifierOf([{ issuer: github.url }])
      const before = fetchesOf(github)

      const error = await refusal(verifier.verify(await stranger.mint(githubActionsClaims())))

      expect(error).toMatchObject({
        code: 'invalid_request',
        extensions: { failed_check: 'issuer' },
      })
      expect(stranger.fetches).toEqual({ discovery: 0, jwks: 0 })
      expect(fetchesOf(github)).toEqual(before)
    } finally {
      await stranger.close()
    }
  })

  it('refetches an issuer’s keys once on an unknown kid (a rotation), then at most once a minute', async () => {
    const rotating = await startOidcIssuer({ clock })
    try {
      const verifier = verifierOf([{ issuer: rotating.url }])
      await verifier.verify(await rotating.mint(githubActionsClaims()))
      expect(rotating.fetches.jwks).toBe(1)
      clock.advance(60_000)

      rotating.rotate('RS256')
      const afterRotation = await verifier.verify(await rotating.mint(githubActionsClaims()))
      expect(afterRotation.header.kid).toBe('rsa-2')
      expect(rotating.fetches.jwks).toBe(2)

      const unpublished = makeTestKey('RS256', 'rsa-junk')
      const junk = await rotating.mint(githubActionsClaims(), { key: unpublished })
      for (let i = 0; i < 3; i++) {
        expect(await refusal(verifier.verify(junk))).toMatchObject({
          extensions: { failed_check: 'key' },
        })
      }
      expect(rotating.fetches.jwks).toBe(2)

      clock.advance(60_000)
      await refusal(verifier.verify(junk))
      expect(rotating.fetches.jwks).toBe(3)
      expect(rotating.fetches.discovery).toBe(1)
    } finally {
      await rotating.close()
    }
  })

  it('refuses a discovery document that names another issuer, and fetches no keys from it', async () => {
    const impostor = await startOidcIssuer({ clock })
    try {
      impostor.misbehave({ discoveryIssuer: github.url })
      const verifier = verifierOf([{ issuer: impostor.url }])

      const error = await refusal(verifier.verify(await impostor.mint(githubActionsClaims())))

      expect(error.code).toBe('unavailable')
      expect(error.message).toContain(`its issuer is "${github.url}"`)
      expect(impostor.fetches).toEqual({ discovery: 1, jwks: 0 })
    } finally {
      await impostor.close()
    }
  })

  it('answers unavailable, never a verdict on the caller, while the JWKS is down; recovers after', async () => {
    const flaky = await startOidcIssuer({ clock })
    try {
      flaky.misbehave({ jwksStatus: 503 })
      const verifier = verifierOf([{ issuer: flaky.url }])
      const token = await flaky.mint(githubActionsClaims())

      const error = await refusal(verifier.verify(token))
      flaky.misbehave({})
      const verified = await verifier.verify(token)

      expect(error).toMatchObject({ code: 'unavailable' })
      expect(error.message).toContain('503')
      expect(verified.issuer).toBe(flaky.url)
    } finally {
      await flaky.close()
    }
  })

  it('uses an explicit JWKS URI without discovery', async () => {
    const before = fetchesOf(gitlab)
    const verifier = verifierOf([{ issuer: gitlab.url, jwksUri: `${gitlab.url}/.well-known/jwks` }])

    await verifier.verify(await gitlab.mint(gitlabCiClaims()))

    expect(gitlab.fetches.discovery).toBe(before.discovery)
    expect(gitlab.fetches.jwks).toBe(before.jwks + 1)
  })

  it('refuses a loopback issuer outside local mode, as unavailable, before connecting', async () => {
    const before = fetchesOf(github)
    const verifier = verifierOf([{ issuer: github.url }], false)

    const error = await refusal(verifier.verify(await github.mint(githubActionsClaims())))

    expect(error.code).toBe('unavailable')
    expect(fetchesOf(github)).toEqual(before)
  })
})

describe('createOutsideTokenVerifier against the RFC 8725 / OWASP attack list', () => {
  it('refuses every forged token, and passes only what is a trust policy’s to judge', async () => {
    const key = makeTestKey('RS256', 'idp-1')
    const verifier = createOutsideTokenVerifier({
      issuers: [ISSUER],
      keySetFor: () => countingKeySet([key.jwk]).keySet,
      clock: fixedClock(NOW),
      keysRefreshMs: 300_000,
    })
    // Issuer-level verification accepts these by design: thumbprints and any JWT
    // type (or none) are what real issuers send; audience, claim types and a
    // lifetime up to a day are for the trust policy or not checked at all.
    const policyOrAccepted =
      /^(x5t |typ (JWT|missing)$|client_id missing$|federated without |wrong aud$|aud (list without ours|missing)$|lifetime beyond the maximum$|scope |roles |token_type |atid |atv |otv |jti missing$)/

    const attacks = attackTokens(key, tollgateClaims())
    const outcomes = await Promise.all(
      attacks.map(async ({ name, token }) => ({
        name,
        outcome: await verifier.verify(token).then(
          () => 'accepted',
          (error: TollgateError) => error.code,
        ),
      })),
    )

    expect(attacks.length).toBeGreaterThan(90)
    for (const { name, outcome } of outcomes) {
      expect(outcome, name).toBe(policyOrAccepted.test(name) ? 'accepted' : 'invalid_request')
    }
  })
})
