import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiAs, apiWithJwt } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import {
  githubActionsClaims,
  hostileTokens,
  type OidcIssuer,
  startOidcIssuer,
} from '../support/oidc-issuer.js'

/**
 * Issue 23, workload identity federation end to end: a stock OAuth 2.0
 * client library (openid-client) exchanges a token of an in-test OIDC issuer
 * (GitHub Actions' claim shapes, its own keys, JWKS on loopback) for a
 * Tollgate JWT through a trust policy, on the real dev server; every hostile
 * variant is refused with RFC 6749's error, and revoking the policy ends its
 * JWTs at once.
 */

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt'
const AUDIENCE = 'sts.tollgate.test'

describe('workload identity federation', () => {
  let github: OidcIssuer
  let gitlab: OidcIssuer
  let tollgate: RunningTollgate
  let admin: Awaited<ReturnType<typeof apiAs>>
  let accountId: string
  let policyId: string

  beforeAll(async () => {
    ;[github, gitlab] = await Promise.all([startOidcIssuer(), startOidcIssuer({ path: '/gitlab' })])
    tollgate = await startTollgate({
      FEDERATION_ISSUERS: JSON.stringify([github.url, gitlab.url]),
    })
    admin = await apiAs(tollgate, tollgate.adminToken)
    const account = await admin.post('/service-accounts', {
      name: 'deployer',
      roles: [],
      scopes: ['datasets:read', 'datasets:write', 'tokens:read', 'tokens:write'],
    })
    accountId = account.body.id as string
    const policy = await admin.post('/trust-policies', {
      name: 'api-main',
      issuer: github.url,
      audience: AUDIENCE,
      subject_pattern: 'repo:acme/api:ref:refs/heads/.*',
      claims: { repository_owner: 'acme' },
      service_account_id: accountId,
      scopes: ['datasets:read', 'tokens:read', 'tokens:write'],
      max_duration_seconds: 900,
    })
    expect(policy.status).toBe(201)
    policyId = policy.body.id as string
  })
  afterAll(async () => {
    await tollgate?.close()
    await Promise.all([github?.close(), gitlab?.close()])
  })

  const configuration = () => {
    const config = new client.Configuration(
      { issuer: tollgate.config.issuer, token_endpoint: `${tollgate.server.url}/oauth2/token` },
      'ci',
      undefined,
      client.None(),
    )
    client.allowInsecureRequests(config)
    return config
  }

  const exchange = (subjectToken: string, extra: Record<string, string> = {}) =>
    client.genericGrantRequest(configuration(), EXCHANGE, {
      subject_token: subjectToken,
      subject_token_type: JWT_TYPE,
      ...extra,
    })

  const post = async (form: Record<string, string>) => {
    const response = await fetch(`${tollgate.server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    })
    return { status: response.status, body: (await response.json()) as Record<string, string> }
  }

  it('exchanges a GitHub Actions token for a JWT that opens /whoami with the policy’s scopes and nothing to write', async () => {
    const outside = await github.mint(githubActionsClaims({ aud: AUDIENCE }))

    const answer = await exchange(outside, { scope: 'datasets:read tokens:read tokens:write' })

    expect(answer).toMatchObject({
      token_type: 'bearer',
      issued_token_type: JWT_TYPE,
      scope: 'datasets:read tokens:read tokens:write',
    })
    const ci = apiWithJwt(tollgate, answer.access_token)
    const whoami = await ci.get('/whoami')
    expect(whoami.body).toMatchObject({
      sub: accountId,
      kind: 'federated',
      scopes: ['datasets:read', 'tokens:read', 'tokens:write'],
      atid: null,
    })
    // DESIGN: a federated JWT writes nothing, whatever its scopes (tokens:write here).
    const create = await ci.post('/access-tokens', { name: 'x', service_account_id: accountId })
    expect(create.status).toBe(403)
    expect(create.body).toMatchObject({ code: 'forbidden' })
    // Reads follow its scopes.
    expect((await ci.get('/access-tokens')).status).toBe(200)
    // Behind the Lambda authorizer, a downstream API sees the policy and the outside workload.
    const downstream = await ci.get('/whoami/authorizer')
    expect(downstream.body).toMatchObject({
      sub: accountId,
      token_type: 'federated',
      atid: '',
      tpid: policyId,
      act_sub: 'repo:acme/api:ref:refs/heads/main',
      scope: 'datasets:read tokens:read tokens:write',
    })
  })

  it('grants requested ∩ policy ∩ account, never more: a scope outside the policy is not granted', async () => {
    const outside = await github.mint(githubActionsClaims({ aud: AUDIENCE }))

    const all = await exchange(outside)
    expect(all.scope?.split(' ').sort()).toEqual(['datasets:read', 'tokens:read', 'tokens:write'])
    const refused = await post({
      grant_type: EXCHANGE,
      subject_token: outside,
      subject_token_type: JWT_TYPE,
      scope: 'datasets:write',
    })
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_scope' } })
  })

  it('finds the policy by name, and says which condition failed and what it saw', async () => {
    const outside = await github.mint(githubActionsClaims({ aud: AUDIENCE }))
    expect((await exchange(outside, { policy: 'api-main' })).access_token).toBeTypeOf('string')

    const fork = await github.mint(githubActionsClaims({ aud: AUDIENCE, repository: 'evil/api' }))
    const refused = await post({
      grant_type: EXCHANGE,
      subject_token: fork,
      subject_token_type: JWT_TYPE,
    })
    expect(refused.status).toBe(400)
    expect(refused.body.error).toBe('invalid_request')
    expect(refused.body.error_description).toContain('repo:evil/api')
    expect(JSON.stringify(refused.body)).not.toContain(fork.split('.')[2])
  })

  it('refuses every hostile variant with invalid_request, never a JWT', async () => {
    const claims = githubActionsClaims({ aud: AUDIENCE })
    const variants = hostileTokens(github, { claims, other: gitlab })
    expect(variants.length).toBeGreaterThan(20)
    for (const { name, token } of variants) {
      const answer = await post({
        grant_type: EXCHANGE,
        subject_token: token,
        subject_token_type: JWT_TYPE,
      })
      expect(answer.status, name).toBe(400)
      expect(answer.body.error, name).toBe('invalid_request')
      expect(answer.body.access_token, name).toBeUndefined()
    }
  })

  it('refuses an issuer that is not on FEDERATION_ISSUERS before fetching anything', async () => {
    const stranger = await startOidcIssuer({ path: '/stranger' })
    try {
      const token = await stranger.mint(githubActionsClaims({ aud: AUDIENCE }))
      const answer = await post({
        grant_type: EXCHANGE,
        subject_token: token,
        subject_token_type: JWT_TYPE,
      })
      expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
      expect(answer.body.error_description).toMatch(/FEDERATION_ISSUERS/)
      expect(stranger.fetches).toEqual({ discovery: 0, jwks: 0 })
    } finally {
      await stranger.close()
    }
  })

  it('refuses when several policies match, until the caller names one', async () => {
    const second = await admin.post('/trust-policies', {
      name: 'api-any-branch',
      issuer: github.url,
      audience: AUDIENCE,
      subject_pattern: 'repo:acme/api:.*',
      service_account_id: accountId,
      scopes: ['datasets:read'],
      max_duration_seconds: 300,
    })
    try {
      const outside = await github.mint(githubActionsClaims({ aud: AUDIENCE }))
      const answer = await post({
        grant_type: EXCHANGE,
        subject_token: outside,
        subject_token_type: JWT_TYPE,
      })
      expect(answer).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
      expect(answer.body.error_description).toMatch(/Several trust policies match/)
      expect((await exchange(outside, { policy: policyId })).scope).toBeDefined()
    } finally {
      await admin.delete(`/trust-policies/${second.body.id}`)
    }
  })

  it('ends the JWTs of a policy at once when it is deleted', async () => {
    const policy = await admin.post('/trust-policies', {
      name: 'short-lived',
      issuer: gitlab.url,
      audience: AUDIENCE,
      subject: 'project_path:acme/api:ref_type:branch:ref:main',
      service_account_id: accountId,
      scopes: ['tokens:read'],
      max_duration_seconds: 300,
    })
    const outside = await gitlab.mint({
      sub: 'project_path:acme/api:ref_type:branch:ref:main',
      aud: AUDIENCE,
    })
    const jwt = (await exchange(outside)).access_token
    const ci = apiWithJwt(tollgate, jwt)
    expect((await ci.get('/whoami')).status).toBe(200)

    const deleted = await admin.delete(`/trust-policies/${policy.body.id}`)
    expect(deleted.status).toBe(204)

    expect((await ci.get('/whoami')).status).toBe(401)
    const again = await post({
      grant_type: EXCHANGE,
      subject_token: outside,
      subject_token_type: JWT_TYPE,
    })
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
  })
})
