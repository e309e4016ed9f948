import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TollgateApiError, TollgateClient } from '../../functions/client/index.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

describe('TollgateClient against the dev server', () => {
  let tollgate: RunningTollgate
  let admin: TollgateClient

  beforeAll(async () => {
    tollgate = await startTollgate()
    admin = new TollgateClient({ baseUrl: tollgate.server.url, accessToken: tollgate.adminToken })
  })
  afterAll(() => tollgate.close())

  it('runs a service account and its token through every management route', async () => {
    const account = await admin.serviceAccounts.create({
      name: 'ci-deployer',
      roles: ['deployer'],
      scopes: ['datasets:read', 'datasets:write'],
    })
    const read = await admin.call('GET /service-accounts/{id}', { params: { id: account.id } })
    // A read also says what the reader may do to it: an admin, everything.
    expect(read.data).toEqual({ ...account, allowed_actions: ['update', 'delete', 'create_token'] })
    const renamed = await admin.serviceAccounts.update(
      account.id,
      { description: 'deploys' },
      { ifMatch: read.etag ?? '' },
    )
    expect(renamed.description).toBe('deploys')
    expect((await admin.serviceAccounts.list({ limit: 100 })).items.map((a) => a.id)).toContain(
      account.id,
    )

    const created = await admin.accessTokens.create({
      name: 'deploy',
      service_account_id: account.id,
      scopes: ['datasets:read'],
    })
    expect(created.token).toMatch(/^tgs_[0-9A-Za-z]{71}$/)
    const listed = await admin.accessTokens.list({ owner: account.id })
    expect(listed.items.map((t) => t.id)).toEqual([created.id])
    const narrowed = await admin.accessTokens.update(
      created.id,
      { description: 'prod' },
      { ifMatch: created.version },
    )
    expect(narrowed.description).toBe('prod')
    const regenerated = await admin.accessTokens.regenerate(created.id)
    expect(regenerated.token).not.toBe(created.token)
    expect((await admin.accessTokens.revoke(created.id)).status).toBe('revoked')
    expect(await admin.accessTokens.get(created.id)).toMatchObject({ status: 'revoked' })
    const events = await admin.accessTokens.events(created.id)
    expect(events.items.map((e) => e.action)).toContain('token.revoked')
    expect((await admin.serviceAccounts.events(account.id)).items.length).toBeGreaterThan(0)

    await admin.accessTokens.create({ name: 'second', service_account_id: account.id })
    expect(await admin.accessTokens.revokeAll(account.id)).toEqual({
      owner: account.id,
      revoked: 1,
    })
    await admin.serviceAccounts.delete(account.id)
    await expect(admin.serviceAccounts.get(account.id)).rejects.toMatchObject({
      code: 'not_found',
    })
  })

  it('reads the public routes and who it is', async () => {
    expect((await admin.jwks()).keys.length).toBeGreaterThan(0)
    expect((await admin.openidConfiguration()).issuer).toBe(tollgate.config.issuer)
    expect((await admin.openapi()).openapi).toMatch(/^3\.1/)
    expect(await admin.whoami()).toMatchObject({ kind: 'service', roles: ['admin'] })
  })

  it('follows every cursor with listAll', async () => {
    const account = await admin.serviceAccounts.create({ name: 'pager', roles: [], scopes: [] })
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await admin.accessTokens.create({ name, service_account_id: account.id })
    }
    const names: string[] = []
    for await (const token of admin.accessTokens.listAll({ owner: account.id, limit: 2 })) {
      names.push(token.name)
    }
    expect(names.sort()).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('types refusals by their problem code', async () => {
    const stale = await admin.serviceAccounts.create({ name: 'stale', roles: [], scopes: [] })
    await expect(
      admin.serviceAccounts.create({ name: 'stale', roles: [], scopes: [] }),
    ).rejects.toMatchObject({ code: 'conflict', status: 409 })
    await admin.serviceAccounts.update(stale.id, { description: 'one' }, { ifMatch: '"1"' })
    const error = await admin.serviceAccounts
      .update(stale.id, { description: 'two' }, { ifMatch: '"1"' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TollgateApiError)
    expect(error).toMatchObject({ code: 'precondition_failed', status: 412 })
    expect((error as TollgateApiError).requestId).toMatch(/./)

    const nobody = new TollgateClient({
      baseUrl: tollgate.server.url,
      accessToken: `tgs_${'A'.repeat(71)}`,
    })
    await expect(nobody.whoami()).rejects.toMatchObject({
      code: 'invalid_token',
      route: 'POST /access-tokens/jwt',
    })
  })

  it('recovers by itself when a change elsewhere makes its cached JWT stale', async () => {
    const account = await admin.serviceAccounts.create({
      name: 'narrowed',
      roles: [],
      scopes: ['a:read', 'b:read'],
    })
    const token = await admin.accessTokens.create({ name: 't', service_account_id: account.id })
    const client = new TollgateClient({ baseUrl: tollgate.server.url, accessToken: token.token })
    const before = await client.whoami()

    // Narrowing bumps the token's generation: JWTs minted before are refused at once.
    await admin.accessTokens.update(token.id, { scopes: ['a:read'] }, { ifMatch: token.version })
    const after = await client.whoami()

    expect(before.scopes).toEqual(['a:read', 'b:read'])
    expect(after.scopes).toEqual(['a:read'])
    expect(after.jti).not.toBe(before.jti)
  })
})
