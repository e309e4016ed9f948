import { beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod/mini'
import { specOf } from '../../functions/api/spec.js'
import { apiAs, apiWithJwt, exchangeFor } from '../support/api-client.js'
import type { RunningTollgate } from '../support/dev-server.js'
import { useLoggedTollgate } from '../support/logged-tollgate.js'

type Json = Record<string, unknown>

/** Every success answer must parse with the schema the OpenAPI document publishes. */
const expectSchema = (routeKey: string, body: unknown) => {
  const schema = specOf(routeKey)?.success.schema
  if (schema === undefined) throw new Error(`no schema for ${routeKey}`)
  expect(z.safeParse(schema, body).success, `${routeKey} answer matches its schema`).toBe(true)
}

const expectProblem = (
  answer: { status: number; headers: Headers; body: Json },
  status: number,
  code: string,
) => {
  expect(answer.status).toBe(status)
  expect(answer.headers.get('content-type')).toBe('application/problem+json')
  expect(answer.body).toMatchObject({ status, code })
}

describe('management API over HTTP (real dev server, DynamoDB Local)', () => {
  const logged = useLoggedTollgate({}, { MAX_ACTIVE_TOKENS_PER_OWNER: '3' })
  let tollgate: RunningTollgate
  let admin: Awaited<ReturnType<typeof apiAs>>
  const { lines } = logged

  beforeAll(async () => {
    tollgate = logged.tollgate()
    admin = await apiAs(tollgate, tollgate.adminToken)
  })

  it('walks an account and its token from creation to deletion', async () => {
    // Create an account.
    const created = await admin.post('/service-accounts', {
      name: 'etl',
      description: 'nightly loads',
      roles: ['reader'],
      scopes: ['datasets:read', 'datasets:write'],
    })
    expect(created.status).toBe(201)
    expect(created.headers.get('etag')).toBe('"1"')
    expectSchema('POST /service-accounts', created.body)
    const accountId = created.body.id as string

    // Give it a token: the secret is in this answer only.
    const minted = await admin.post('/access-tokens', {
      name: 'ci',
      service_account_id: accountId,
      scopes: ['datasets:read'],
    })
    expect(minted.status).toBe(201)
    expect(minted.headers.get('cache-control')).toBe('no-store')
    expectSchema('POST /access-tokens', minted.body)
    const {
      id: tokenId,
      token: secret,
      expires_at: expiresAt,
    } = minted.body as { id: string; token: string; expires_at: string }

    // Exchange it and be that account.
    const etl = await apiAs(tollgate, secret)
    const me = await etl.get('/whoami')
    expect(me.body).toMatchObject({ sub: accountId, kind: 'service', scopes: ['datasets:read'] })

    // Read, list, filter: never the secret or its hash.
    const read = await admin.get(`/access-tokens/${tokenId}`)
    expectSchema('GET /access-tokens/{id}', read.body)
    expect(read.headers.get('etag')).toBe('"1"')
    const listed = await admin.get(`/access-tokens?owner=${accountId}&status=active`)
    expectSchema('GET /access-tokens', listed.body)
    expect((listed.body.items as Json[]).map((t) => t.id)).toEqual([tokenId])
    for (const answer of [read, listed]) {
      expect(answer.text).not.toContain(secret.slice(4 + 22, -6))
      expect(answer.text).not.toMatch(/secret_hash|secretHash/)
    }

    // Update: If-Match required, stale refused, fresh accepted.
    expectProblem(
      await admin.patch(`/access-tokens/${tokenId}`, { description: 'x' }),
      428,
      'precondition_required',
    )
    expectProblem(
      await admin.patch(`/access-tokens/${tokenId}`, { description: 'x' }, '"9"'),
      412,
      'precondition_failed',
    )
    const patched = await admin.patch(
      `/access-tokens/${tokenId}`,
      { description: 'main branch' },
      '"1"',
    )
    expect(patched.status).toBe(200)
    expect(patched.headers.get('etag')).toBe('"2"')

    // Regenerate: same id and expiry, old secret refused at once, old JWT refused at once.
    const regenerated = await admin.post(`/access-tokens/${tokenId}/regenerate`)
    expectSchema('POST /access-tokens/{id}/regenerate', regenerated.body)
    expect(regenerated.body).toMatchObject({ id: tokenId, expires_at: expiresAt, generation: 2 })
    const fresh = regenerated.body.token as string
    expect(fresh).not.toBe(secret)
    await expect(exchangeFor(tollgate, secret)).rejects.toThrow('401 invalid_token')
    expectProblem(await etl.get('/whoami'), 401, 'invalid_token')
    const etl2 = await apiAs(tollgate, fresh)
    expect((await etl2.get('/whoami')).status).toBe(200)

    // Revoke: the record stays, exchange and /whoami refuse at once.
    const revoked = await admin.delete(`/access-tokens/${tokenId}`)
    expect(revoked.body).toMatchObject({ id: tokenId, status: 'revoked' })
    await expect(exchangeFor(tollgate, fresh)).rejects.toThrow('401')
    expectProblem(await etl2.get('/whoami'), 401, 'invalid_token')

    // Delete the account: every token of it refused.
    const other = await admin.post('/access-tokens', {
      name: 'other',
      service_account_id: accountId,
    })
    const deleted = await admin.delete(`/service-accounts/${accountId}`)
    expect(deleted.status).toBe(204)
    await expect(exchangeFor(tollgate, other.body.token as string)).rejects.toThrow('401')
    expectProblem(await admin.get(`/service-accounts/${accountId}`), 404, 'not_found')

    // The audit trail saw it all, without the secret.
    const events = await admin.get(`/access-tokens/${tokenId}/events`)
    expectSchema('GET /access-tokens/{id}/events', events.body)
    expect((events.body.items as Json[]).map((e) => e.action)).toEqual([
      'token.revoked',
      'token.regenerated',
      'token.updated',
      'token.created',
    ])
    expect(events.text).not.toContain(fresh.slice(4 + 22, -6))
    const accountEvents = await admin.get(`/service-accounts/${accountId}/events`)
    expect((accountEvents.body.items as Json[])[0]).toMatchObject({
      action: 'service_account.deleted',
    })
  })

  it('paginates with opaque cursors bound to the caller and filters', async () => {
    const account = await admin.post('/service-accounts', {
      name: 'paged',
      roles: [],
      scopes: ['a:b'],
    })
    const id = account.body.id as string
    for (const name of ['p1', 'p2', 'p3']) {
      await admin.post('/access-tokens', { name, service_account_id: id })
    }

    const first = await admin.get(`/access-tokens?owner=${id}&limit=2`)
    const cursor = first.body.next_cursor as string
    const second = await admin.get(`/access-tokens?owner=${id}&limit=2&cursor=${cursor}`)
    const otherFilter = await admin.get(
      `/access-tokens?owner=${id}&name=p1&limit=2&cursor=${cursor}`,
    )

    expect((first.body.items as Json[]).map((t) => t.name)).toEqual(['p3', 'p2'])
    expect((second.body.items as Json[]).map((t) => t.name)).toEqual(['p1'])
    expect(second.body.next_cursor).toBeNull()
    expectProblem(otherFilter, 400, 'invalid_request')
  })

  it.each([
    ['an unknown query parameter', '/access-tokens?colour=red'],
    ['limit 0', '/access-tokens?limit=0'],
    ['limit 101', '/access-tokens?limit=101'],
    ['a bad status', '/access-tokens?status=gone'],
    ['a garbage cursor', '/access-tokens?cursor=abc'],
  ])('answers %s with 400 invalid_request', async (_name, path) => {
    expectProblem(await admin.get(path), 400, 'invalid_request')
  })

  it('holds the cap over HTTP: 409 at the cap, free again after a revoke', async () => {
    const account = await admin.post('/service-accounts', { name: 'capped', roles: [], scopes: [] })
    const id = account.body.id as string
    const tokens = []
    for (const name of ['a', 'b', 'c']) {
      tokens.push(await admin.post('/access-tokens', { name, service_account_id: id }))
    }

    expectProblem(
      await admin.post('/access-tokens', { name: 'd', service_account_id: id }),
      409,
      'conflict',
    )
    await admin.delete(`/access-tokens/${tokens[0]?.body.id}`)
    expect((await admin.post('/access-tokens', { name: 'a', service_account_id: id })).status).toBe(
      201,
    )
  })

  it('refuses callers without the route scope (403) and without a credential (401)', async () => {
    const account = await admin.post('/service-accounts', {
      name: 'reader',
      roles: [],
      scopes: ['tokens:read', 'tokens:write'],
    })
    const minted = await admin.post('/access-tokens', {
      name: 'r',
      service_account_id: account.body.id,
      scopes: ['tokens:read'],
    })
    const reader = await apiAs(tollgate, minted.body.token as string)
    const anonymous = apiWithJwt(tollgate, 'not-a-jwt')

    expect((await reader.get('/access-tokens')).status).toBe(200)
    expectProblem(
      await reader.post('/service-accounts', { name: 'x', roles: [], scopes: [] }),
      403,
      'insufficient_scope',
    )
    expectProblem(
      await reader.post('/access-tokens', { name: 'x', service_account_id: account.body.id }),
      403,
      'insufficient_scope',
    )
    expectProblem(await anonymous.get('/access-tokens'), 401, 'invalid_token')
    expect((await anonymous.get('/access-tokens')).headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token"',
    )
  })

  it('keeps creating or regenerating service-account tokens for tollgate:admin, even with tokens:write', async () => {
    const account = await admin.post('/service-accounts', {
      name: 'writer',
      roles: [],
      scopes: ['tokens:write'],
    })
    const minted = await admin.post('/access-tokens', {
      name: 'w',
      service_account_id: account.body.id,
    })
    const writer = await apiAs(tollgate, minted.body.token as string)

    expectProblem(
      await writer.post('/access-tokens', { name: 'x', service_account_id: account.body.id }),
      403,
      'insufficient_scope',
    )
    expectProblem(
      await writer.post(`/access-tokens/${minted.body.id}/regenerate`),
      403,
      'forbidden',
    )
    expectProblem(
      await writer.post('/access-tokens/revoke', { owner: account.body.id }),
      403,
      'insufficient_scope',
    )
  })

  it('refuses bad bodies with the design’s problem+json, naming fields and never values', async () => {
    const unknownField = await admin.post('/service-accounts', {
      name: 'x',
      roles: [],
      scopes: [],
      admin: true,
    })
    const badName = await admin.post('/service-accounts', {
      name: '<script>',
      roles: [],
      scopes: [],
    })
    const badScope = await admin.post('/service-accounts', {
      name: 'y',
      roles: [],
      scopes: ['UPPER'],
    })

    expectProblem(unknownField, 400, 'invalid_request')
    expect(unknownField.body.detail).toContain('admin')
    expectProblem(badName, 400, 'invalid_request')
    expect(badName.text).not.toContain('<script>')
    expectProblem(badScope, 400, 'invalid_request')
  })

  it('revokes every token of an owner at once (admins)', async () => {
    const account = await admin.post('/service-accounts', { name: 'fleet', roles: [], scopes: [] })
    const a = await admin.post('/access-tokens', { name: 'a', service_account_id: account.body.id })
    await admin.post('/access-tokens', { name: 'b', service_account_id: account.body.id })

    const result = await admin.post('/access-tokens/revoke', { owner: account.body.id })

    expect(result.body).toEqual({ owner: account.body.id, revoked: 2 })
    const read = await admin.get(`/access-tokens/${a.body.id}`)
    expect(read.body).toMatchObject({
      status: 'revoked',
      revoked_by_event: expect.stringMatching(/^ev_/),
    })
  })

  it('never logs a secret, a hash, a JWT or a body, and logs each minted JWT once', async () => {
    const account = await admin.post('/service-accounts', {
      name: 'logged',
      roles: [],
      scopes: ['a:b'],
    })
    const minted = await admin.post('/access-tokens', {
      name: 'l',
      service_account_id: account.body.id,
    })
    const secret = minted.body.token as string
    const jwt = await exchangeFor(tollgate, secret)
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Json
    await admin.post(`/access-tokens/${minted.body.id}/regenerate`)

    const output = lines.join('')
    expect(output).not.toContain(secret.slice(4 + 22, -6))
    expect(output).not.toContain(jwt.split('.')[2])
    expect(output).not.toContain(admin.jwt.split('.')[2])
    expect(output).not.toMatch(/secret_hash|secretHash/)
    const issued = output.split('\n').filter((line) => line.includes(`"jti":"${claims.jti}"`))
    expect(issued).toHaveLength(1)
    expect(JSON.parse(issued[0] ?? '{}')).toMatchObject({
      message: 'jwt issued',
      jti: claims.jti,
      sub: account.body.id,
      atid: minted.body.id,
      scope: 'a:b',
      exp: claims.exp,
      source_ip: expect.any(String),
    })
  })
})
