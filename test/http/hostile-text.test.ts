import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiWithJwt, exchangeFor } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

type Json = Record<string, unknown>

/**
 * Names and descriptions are well-formed text (docs/design.md#names-and-descriptions):
 * what a client sends over HTTP is refused with the field named, and what an
 * older version stored still reads.
 */
describe('hostile names and descriptions over HTTP (real dev server, DynamoDB Local)', () => {
  let tollgate: RunningTollgate
  let admin: ReturnType<typeof apiWithJwt>
  let accountId: string
  let tokenId: string

  /**
   * Sends `body` exactly as written: `\ud800` stays a JSON escape on the
   * wire, which JSON.parse turns into a lone surrogate on the server.
   */
  const send = async (method: string, path: string, body: string, ifMatch = '*') => {
    const response = await fetch(`${tollgate.server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin.jwt}`,
        'content-type': 'application/json',
        ...(method === 'PATCH' ? { 'if-match': ifMatch } : {}),
      },
      body,
    })
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as Json,
    }
  }

  beforeAll(async () => {
    tollgate = await startTollgate()
    admin = apiWithJwt(tollgate, await exchangeFor(tollgate, tollgate.adminToken))
    const account = await admin.post('/service-accounts', {
      name: 'etl',
      roles: [],
      scopes: ['datasets:read'],
    })
    accountId = account.body.id as string
    const token = await admin.post('/access-tokens', {
      name: 'ci',
      service_account_id: accountId,
      expires_in_seconds: 3600,
    })
    tokenId = token.body.id as string
  })
  afterAll(() => tollgate.close())

  /**
   * Each write route that takes a name and a description, with the rest of a
   * valid body as raw JSON values by field.
   */
  const routes = (): { method: string; path: string; valid: Record<string, string> }[] => [
    {
      method: 'POST',
      path: '/service-accounts',
      valid: { name: '"fresh"', roles: '[]', scopes: '[]' },
    },
    { method: 'PATCH', path: `/service-accounts/${accountId}`, valid: {} },
    {
      method: 'POST',
      path: '/access-tokens',
      valid: { name: '"fresh"', service_account_id: `"${accountId}"`, expires_in_seconds: '3600' },
    },
    { method: 'PATCH', path: `/access-tokens/${tokenId}`, valid: {} },
  ]
  const rawBody = (fields: Record<string, string>) =>
    `{${Object.entries(fields)
      .map(([field, json]) => `"${field}":${json}`)
      .join(',')}}`

  it.each([
    ['name', '"admin "'],
    ['name', '" admin"'],
    ['description', '"lone \\ud800 surrogate"'],
    ['description', '"lone low \\udc00"'],
    ['description', '"bell \\u0007"'],
    ['description', '"carriage\\r\\nreturn"'],
  ])(
    'refuses %s %s with 400 invalid_request naming the field, on every write route',
    async (field, jsonString) => {
      for (const { method, path, valid } of routes()) {
        const answer = await send(method, path, rawBody({ ...valid, [field]: jsonString }))
        expect(answer.status, `${method} ${path}`).toBe(400)
        expect(answer.contentType).toBe('application/problem+json')
        expect(answer.body.code).toBe('invalid_request')
        expect(answer.body.detail, `${method} ${path}`).toMatch(new RegExp(`^${field}\\b`))
      }
    },
  )

  it('accepts newlines and tabs in descriptions and echoes them unchanged', async () => {
    const text = 'line one\nline two\tindented'
    const created = await admin.post('/service-accounts', {
      name: 'multi line',
      description: text,
      roles: [],
      scopes: [],
    })
    expect(created.status).toBe(201)
    expect(created.body.description).toBe(text)

    const changed = await send(
      'PATCH',
      `/access-tokens/${tokenId}`,
      JSON.stringify({ description: text }),
    )
    expect(changed.status).toBe(200)
    expect(changed.body.description).toBe(text)
  })

  it('still reads, lists and changes records an older version stored with such text', async () => {
    // Written straight to the store, as before names and descriptions were checked.
    const legacyName = 'legacy '
    const legacyText = 'bell \u0007 and lone \ud800'
    const { store } = tollgate.dependencies
    const { token, owner } = await store.getTokenWithOwner(tokenId)
    if (token === undefined || owner?.account === undefined) throw new Error('seeded data missing')
    await store.commit([
      {
        kind: 'updateOwner',
        owner: {
          ...owner,
          account: { ...owner.account, name: legacyName, description: legacyText },
          tokens: owner.tokens.map((t) => (t.id === tokenId ? { ...t, name: legacyName } : t)),
          version: owner.version + 1,
        },
        expectedVersion: owner.version,
      },
      {
        kind: 'updateToken',
        token: { ...token, name: legacyName, description: legacyText, version: token.version + 1 },
        expectedVersion: token.version,
      },
    ])

    const account = await admin.get(`/service-accounts/${accountId}`)
    expect(account.status).toBe(200)
    expect(account.body.name).toBe(legacyName)
    expect(account.body.description).toBe(legacyText)
    const accounts = await admin.get<{ items: Json[] }>('/service-accounts')
    expect(accounts.status).toBe(200)
    expect(accounts.body.items.map((a) => a.name)).toContain(legacyName)
    const read = await admin.get(`/access-tokens/${tokenId}`)
    expect(read.status).toBe(200)
    expect(read.body.name).toBe(legacyName)
    const tokens = await admin.get<{ items: Json[] }>(`/access-tokens?owner=${accountId}`)
    expect(tokens.status).toBe(200)
    expect(tokens.body.items.map((t) => t.name)).toEqual([legacyName])

    // A change that leaves the old text alone is not refused for it.
    const narrowed = await admin.patch(`/service-accounts/${accountId}`, { scopes: [] }, '*')
    expect(narrowed.status).toBe(200)
    expect(narrowed.body.name).toBe(legacyName)
    const renamed = await admin.patch(`/access-tokens/${tokenId}`, { name: 'ci' }, '*')
    expect(renamed.status).toBe(200)
    expect(renamed.body.name).toBe('ci')
  })
})
