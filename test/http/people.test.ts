import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiAs, apiWithJwt, exchangeFor } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { makeTestKey } from '../support/jwt-attacks.js'

type Json = Record<string, unknown>

const devLogin = async (tollgate: RunningTollgate, name: string, roles: string[] = []) => {
  const response = await fetch(`${tollgate.server.url}/dev/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, roles }),
  })
  expect(response.status).toBe(200)
  return apiWithJwt(tollgate, ((await response.json()) as { jwt: string }).jwt)
}

/** An identity provider on loopback (allowed in local mode): its JWKS over plain http. */
const idp = makeTestKey('RS256', 'idp-key-1')
let idpServer: Server
let idpUrl: string

describe('people over HTTP (real dev server, DynamoDB Local)', () => {
  let tollgate: RunningTollgate
  let admin: Awaited<ReturnType<typeof apiAs>>

  beforeAll(async () => {
    idpServer = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ keys: [idp.jwk] }))
    })
    await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve))
    idpUrl = `http://127.0.0.1:${(idpServer.address() as AddressInfo).port}`
    tollgate = await startTollgate({
      ROLE_SCOPES: JSON.stringify({
        analyst: ['datasets:read', 'reports:read'],
        steward: ['tokens:read'],
      }),
      TRUSTED_ISSUERS: JSON.stringify([
        {
          id: 'acme',
          issuer: `${idpUrl}/oauth2`,
          jwks_uri: `${idpUrl}/keys`,
          audience: 'api://tollgate',
          roles_claim: 'groups',
          role_map: { 'Data Analysts': 'analyst', Stewards: 'steward' },
        },
      ]),
    })
    admin = await apiAs(tollgate, tollgate.adminToken)
  })
  afterAll(async () => {
    idpServer.close()
    await tollgate.close()
  })

  const idpJwt = (claims: Json) =>
    new SignJWT({ groups: ['Data Analysts', 'Everyone'], scope: 'admin', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: idp.kid, typ: 'JWT' })
      .setIssuer(`${idpUrl}/oauth2`)
      .setAudience('api://tollgate')
      .setSubject('00u42')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(idp.privateKey)

  it('signs a person in with a trusted IdP’s JWT: namespaced, mapped roles, ROLE_SCOPES scopes', async () => {
    const person = apiWithJwt(tollgate, await idpJwt({}))

    const me = await person.get('/whoami')

    expect(me.status).toBe(200)
    expect(me.body).toEqual({
      sub: 'user:acme:00u42',
      kind: 'person',
      roles: ['analyst'],
      scopes: ['datasets:read', 'reports:read'],
      atid: null,
      jti: null,
      // A person creates their own personal tokens, whatever their scopes.
      allowed_actions: ['create_personal_token'],
    })
  })

  it('refuses an IdP JWT for another audience, or signed by a key the IdP does not publish', async () => {
    const forged = makeTestKey('RS256', 'idp-key-1')
    const wrongAudience = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: idp.kid })
      .setIssuer(`${idpUrl}/oauth2`)
      .setAudience('tollgate')
      .setSubject('00u42')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(idp.privateKey)
    const wrongKey = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: idp.kid })
      .setIssuer(`${idpUrl}/oauth2`)
      .setAudience('api://tollgate')
      .setSubject('00u42')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(forged.privateKey)

    for (const jwt of [wrongAudience, wrongKey]) {
      expect((await apiWithJwt(tollgate, jwt).get('/whoami')).status).toBe(401)
    }
  })

  it('lets a person manage their own personal tokens, and nobody else’s', async () => {
    const alice = await devLogin(tollgate, 'alice', ['analyst'])
    const bob = await devLogin(tollgate, 'bob', ['analyst'])

    const created = await alice.post('/access-tokens', { name: 'laptop' })
    const id = created.body.id as string
    const listed = await alice.get('/access-tokens')
    const bobsView = await bob.get(`/access-tokens/${id}`)
    const bobsList = await bob.get('/access-tokens')
    const bobRevokes = await bob.delete(`/access-tokens/${id}`)
    const narrowed = await alice.patch(`/access-tokens/${id}`, { scopes: ['datasets:read'] }, '"1"')

    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      kind: 'personal',
      owner: { type: 'user', id: 'user:dev:alice' },
      scopes: ['datasets:read', 'reports:read'],
      roles: ['analyst'],
    })
    expect((created.body.token as string).startsWith('tgp_')).toBe(true)
    expect((listed.body.items as Json[]).map((t) => t.id)).toEqual([id])
    expect(bobsView.status).toBe(404)
    expect(bobsList.body.items).toEqual([])
    expect(bobRevokes.status).toBe(404)
    expect(narrowed.body).toMatchObject({ scopes: ['datasets:read'], generation: 2 })
  })

  it('gives a personal token’s JWT list, revoke and narrow, but never create or regenerate', async () => {
    const carol = await devLogin(tollgate, 'carol', ['analyst'])
    const first = await carol.post('/access-tokens', { name: 'ci' })
    const second = await carol.post('/access-tokens', { name: 'spare' })
    const viaToken = apiWithJwt(tollgate, await exchangeFor(tollgate, first.body.token as string))

    const create = await viaToken.post('/access-tokens', { name: 'more' })
    const regenerate = await viaToken.post(`/access-tokens/${second.body.id}/regenerate`)
    const list = await viaToken.get('/access-tokens')
    const narrow = await viaToken.patch(
      `/access-tokens/${second.body.id}`,
      { scopes: ['reports:read'] },
      '"1"',
    )
    const revoke = await viaToken.delete(`/access-tokens/${second.body.id}`)

    expect([create.status, create.body.code]).toEqual([403, 'forbidden'])
    expect([regenerate.status, regenerate.body.code]).toEqual([403, 'forbidden'])
    expect(list.status).toBe(200)
    expect(narrow.status).toBe(200)
    expect(revoke.body).toMatchObject({ status: 'revoked' })
  })

  it('keeps people away from accounts and from other owners, whatever their roles map to', async () => {
    const steward = apiWithJwt(tollgate, await idpJwt({ groups: ['Stewards'], sub: '00u43' }))

    expect((await steward.get('/access-tokens')).status).toBe(200)
    expect(
      (await steward.post('/service-accounts', { name: 'x', roles: [], scopes: [] })).status,
    ).toBe(403)
    expect((await steward.post('/access-tokens/revoke', { owner: 'user:dev:alice' })).status).toBe(
      403,
    )
  })

  it('lets an admin revoke every token of a person at once', async () => {
    const dave = await devLogin(tollgate, 'dave', ['analyst'])
    const a = await dave.post('/access-tokens', { name: 'a' })
    await dave.post('/access-tokens', { name: 'b' })

    const result = await admin.post('/access-tokens/revoke', { owner: 'user:dev:dave' })

    expect(result.body).toEqual({ owner: 'user:dev:dave', revoked: 2 })
    await expect(exchangeFor(tollgate, a.body.token as string)).rejects.toThrow('401')
    expect(((await dave.get('/access-tokens')).body.items as Json[]).map((t) => t.status)).toEqual([
      'revoked',
      'revoked',
    ])
  })

  // Minted in the same second too: that case runs on a frozen clock in the core tests.
  it('after a regenerate, JWTs of the new secret work and those of the old do not', async () => {
    const erin = await devLogin(tollgate, 'erin', ['analyst'])
    const created = await erin.post('/access-tokens', { name: 'r' })
    const oldJwt = await exchangeFor(tollgate, created.body.token as string)

    const regenerated = await erin.post(`/access-tokens/${created.body.id}/regenerate`)
    const newJwt = await exchangeFor(tollgate, regenerated.body.token as string)

    expect((await apiWithJwt(tollgate, oldJwt).get('/whoami')).status).toBe(401)
    expect((await apiWithJwt(tollgate, newJwt).get('/whoami')).status).toBe(200)
  })

  it('answers GET /whoami/authorizer as API Gateway’s HTTP API would: fixed 401, 403 and the context', async () => {
    const frank = await devLogin(tollgate, 'frank', ['analyst'])
    const created = await frank.post('/access-tokens', { name: 'f' })
    const jwt = await exchangeFor(tollgate, created.body.token as string)

    const missing = await fetch(`${tollgate.server.url}/whoami/authorizer`)
    const garbage = await fetch(`${tollgate.server.url}/whoami/authorizer`, {
      headers: { authorization: 'Bearer garbage' },
    })
    const allowed = await fetch(`${tollgate.server.url}/whoami/authorizer`, {
      headers: { authorization: `Bearer ${jwt}` },
    })

    expect([missing.status, await missing.json()]).toEqual([401, { message: 'Unauthorized' }])
    expect([garbage.status, await garbage.json()]).toEqual([403, { message: 'Forbidden' }])
    expect(await allowed.json()).toEqual({
      iss: tollgate.config.issuer,
      sub: 'user:dev:frank',
      scope: 'datasets:read reports:read',
      roles: 'analyst',
      token_type: 'personal',
      atid: created.body.id,
      tpid: '',
      act_sub: '',
      jti: expect.any(String),
    })
  })

  it('refuses /dev/login names and roles outside the patterns', async () => {
    for (const body of [{ name: 'Alice' }, { name: 'a b' }, { name: 'x', roles: ['Admin'] }, {}]) {
      const response = await fetch(`${tollgate.server.url}/dev/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      expect(response.status).toBe(400)
    }
  })
})
