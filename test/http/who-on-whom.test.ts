import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiAnswer, apiAs, apiWithJwt, exchangeFor } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

type Api = ReturnType<typeof apiWithJwt>
type Json = Record<string, unknown>

/**
 * The review's findings as an attacker would try them, over HTTP on the real
 * dev server and DynamoDB Local: a janitor with just enough scope, a
 * narrowed admin JWT, a helper against the admins, a person against another.
 */
describe('who may act on whom (real dev server, DynamoDB Local)', () => {
  let tollgate: RunningTollgate
  let admin: Api
  let adminIds: { account: string; token: string }
  let ada: Api
  let adaToken: { id: string; secret: string }
  let janitor: Api
  let janitorAccount: string

  const devLogin = async (name: string, roles: string[]) => {
    const response = await fetch(`${tollgate.server.url}/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, roles }),
    })
    return apiWithJwt(tollgate, ((await response.json()) as { jwt: string }).jwt)
  }
  const expectRefused = (answer: ApiAnswer, status: number, code: string) => {
    expect(answer.status).toBe(status)
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(answer.body).toMatchObject({ code })
    // A refusal never carries a secret.
    expect(answer.text).not.toMatch(/tg[sp]_/)
  }

  beforeAll(async () => {
    tollgate = await startTollgate({
      ROLE_SCOPES: JSON.stringify({ helpdesk: ['tokens:read', 'tokens:write'] }),
    })
    admin = await apiAs(tollgate, tollgate.adminToken)
    const me = (await admin.get('/whoami')).body
    adminIds = { account: me.sub as string, token: me.atid as string }

    ada = await devLogin('ada', ['admin'])
    const laptop = await ada.post('/access-tokens', { name: 'laptop', scopes: ['tokens:read'] })
    adaToken = { id: laptop.body.id as string, secret: laptop.body.token as string }

    const account = await admin.post('/service-accounts', {
      name: 'janitor',
      roles: [],
      scopes: ['tokens:read', 'tokens:write', 'service-accounts:read', 'service-accounts:write'],
    })
    janitorAccount = account.body.id as string
    const cron = await admin.post('/access-tokens', {
      name: 'cron',
      service_account_id: janitorAccount,
    })
    janitor = await apiAs(tollgate, cron.body.token as string)
  })
  afterAll(() => tollgate.close())

  it('finding 1: a janitor with tokens:write cannot regenerate an admin’s personal token', async () => {
    const attempt = await janitor.post(`/access-tokens/${adaToken.id}/regenerate`)

    expectRefused(attempt, 403, 'forbidden')
    // The victim's secret still works: nothing was taken over.
    expect(await exchangeFor(tollgate, adaToken.secret)).toMatch(/^ey/)
  })

  it('finding 1: nor can a person whose role maps to tokens:write, nor an admin', async () => {
    const mallory = await devLogin('mallory', ['helpdesk'])

    expectRefused(await mallory.post(`/access-tokens/${adaToken.id}/regenerate`), 403, 'forbidden')
    expectRefused(await admin.post(`/access-tokens/${adaToken.id}/regenerate`), 403, 'forbidden')
    expectRefused(await mallory.delete(`/access-tokens/${adaToken.id}`), 403, 'forbidden')
  })

  it('finding 2: an admin JWT narrowed to tokens:read is read-only', async () => {
    const reader = await apiAs(tollgate, tollgate.adminToken, 'tokens:read')

    const me = (await reader.get('/whoami')).body
    const account = await reader.post('/service-accounts', { name: 'x', roles: [], scopes: [] })
    const token = await reader.post('/access-tokens', {
      name: 'x',
      service_account_id: janitorAccount,
    })
    const revokeAll = await reader.post('/access-tokens/revoke', { owner: janitorAccount })

    expect(me).toMatchObject({ scopes: ['tokens:read'] })
    expect(me.roles).not.toContain('admin')
    expectRefused(account, 403, 'insufficient_scope')
    expectRefused(token, 403, 'insufficient_scope')
    expectRefused(revokeAll, 403, 'insufficient_scope')
    expect((await reader.get('/access-tokens')).status).toBe(200)
  })

  it('finding 3: a helper cannot strip, delete, narrow or revoke the admins', async () => {
    const strip = await janitor.patch(`/service-accounts/${adminIds.account}`, { roles: [] }, '*')
    const remove = await janitor.delete(`/service-accounts/${adminIds.account}`)
    const narrow = await janitor.patch(`/access-tokens/${adminIds.token}`, { scopes: [] }, '*')
    const revoke = await janitor.delete(`/access-tokens/${adminIds.token}`)

    for (const answer of [strip, remove, narrow, revoke]) expectRefused(answer, 403, 'forbidden')
    // The admin is whole: its own JWT still creates accounts.
    const after = await apiAs(tollgate, tollgate.adminToken)
    const created = await after.post('/service-accounts', {
      name: 'still-admin',
      roles: [],
      scopes: [],
    })
    expect(created.status).toBe(201)
  })

  it('a personal-token JWT manages only its owner’s personal tokens', async () => {
    const fromLaptop = await apiAs(tollgate, adaToken.secret)
    const cron = (await admin.get(`/access-tokens?owner=${janitorAccount}`)).body.items as Json[]

    const others = await fromLaptop.delete(`/access-tokens/${cron[0]?.id as string}`)
    const create = await fromLaptop.post('/access-tokens', { name: 'more' })
    const own = await fromLaptop.get(`/access-tokens/${adaToken.id}`)

    expectRefused(others, 403, 'forbidden')
    expectRefused(create, 403, 'forbidden')
    expect(own.status).toBe(200)
  })

  it('names the missing scope in a 403 so the caller knows what to exchange for', async () => {
    const reader = await apiAs(tollgate, tollgate.adminToken, 'tokens:read')

    const refused = await reader.post('/service-accounts', { name: 'y', roles: [], scopes: [] })

    expect(refused.body.detail).toMatch(/service-accounts:write and tollgate:admin/)
  })
})
