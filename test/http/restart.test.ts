import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiAs, apiWithJwt, exchangeFor } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

/**
 * What a restart forgets (the authorizer's caches, the deny-list it loaded,
 * every in-process verified token) must not bring back anything the table
 * refuses: a revoke, an owner-wide revoke and the cap hold in a fresh process.
 */
describe('rules across a restart (real dev server, DynamoDB Local)', () => {
  let tollgate: RunningTollgate

  beforeAll(async () => {
    tollgate = await startTollgate({ MAX_ACTIVE_TOKENS_PER_OWNER: '2' })
  })
  afterAll(() => tollgate.close())

  const exchange = (accessToken: string) =>
    fetch(`${tollgate.server.url}/access-tokens/jwt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: accessToken }),
    })
  const behindAuthorizer = (jwt: string) =>
    fetch(`${tollgate.server.url}/whoami/authorizer`, {
      headers: { authorization: `Bearer ${jwt}` },
    })

  it('refuses a revoked token, JWTs of revoked tokens and owners, and a create over the cap', async () => {
    const admin = await apiAs(tollgate, tollgate.adminToken)
    const account = (
      await admin.post('/service-accounts', { name: 'capped', roles: [], scopes: ['a:b'] })
    ).body.id as string
    const fleet = (
      await admin.post('/service-accounts', { name: 'fleet', roles: [], scopes: ['a:b'] })
    ).body.id as string
    const create = (name: string, owner: string) =>
      admin.post('/access-tokens', { name, service_account_id: owner })
    const revoked = (await create('revoked', account)).body
    const kept = (await create('kept', account)).body
    const fleetToken = (await create('member', fleet)).body
    const revokedJwt = await exchangeFor(tollgate, revoked.token as string)
    const fleetJwt = await exchangeFor(tollgate, fleetToken.token as string)
    // Warm every cache with an allow before the revokes: the worst case.
    expect((await behindAuthorizer(revokedJwt)).status).toBe(200)
    expect((await behindAuthorizer(fleetJwt)).status).toBe(200)
    await admin.delete(`/access-tokens/${revoked.id}`)
    await admin.post('/access-tokens/revoke', { owner: fleet })
    expect((await create('second', account)).status).toBe(201)

    tollgate = await tollgate.restart()
    const adminAfter = apiWithJwt(tollgate, await exchangeFor(tollgate, tollgate.adminToken))

    expect((await exchange(revoked.token as string)).status).toBe(401)
    expect((await exchange(fleetToken.token as string)).status).toBe(401)
    expect((await apiWithJwt(tollgate, revokedJwt).get('/whoami')).status).toBe(401)
    expect((await apiWithJwt(tollgate, fleetJwt).get('/whoami')).status).toBe(401)
    expect((await behindAuthorizer(revokedJwt)).status).toBe(403)
    expect((await behindAuthorizer(fleetJwt)).status).toBe(403)
    const overCap = await adminAfter.post('/access-tokens', {
      name: 'third',
      service_account_id: account,
    })
    expect(overCap).toMatchObject({ status: 409, body: { code: 'conflict' } })
    expect((await exchange(kept.token as string)).status).toBe(200)
  })
})
