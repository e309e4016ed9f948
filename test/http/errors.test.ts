import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TollgateClient } from '../../functions/client/index.js'
import { generateAccessToken } from '../../functions/core/access-token.js'
import { cli, tempConfigHome } from '../cli/run-cli.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { anyTokenId } from '../support/fakes.js'
import { sendRaw } from '../support/raw-http.js'

interface Case {
  readonly name: string
  /** Built once the server has minted the admin token. */
  readonly body: (token: string) => string | Buffer
  readonly headers?: Record<string, string>
  readonly status: number
  readonly code: string
}

describe('HTTP errors', () => {
  let tollgate: RunningTollgate

  beforeAll(async () => {
    tollgate = await startTollgate({ MAX_JWT_DURATION_SECONDS: '7200' })
  })
  afterAll(() => tollgate.close())

  const nested = (depth: number, inner: string) =>
    `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`
  const json = (value: unknown) => JSON.stringify(value)
  const cases: Case[] = [
    {
      name: 'malformed JSON',
      body: () => '{"access_token": ',
      status: 400,
      code: 'invalid_request',
    },
    { name: 'a JSON array', body: () => '[]', status: 400, code: 'invalid_request' },
    { name: 'an empty body', body: () => '', status: 400, code: 'invalid_request' },
    {
      name: 'a missing access_token',
      body: () => json({}),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a numeric access_token',
      body: () => json({ access_token: 42 }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a string duration',
      body: (token) => json({ access_token: token, duration_seconds: '3600' }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a fractional duration',
      body: (token) => json({ access_token: token, duration_seconds: 90.5 }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a duration below 60',
      body: (token) => json({ access_token: token, duration_seconds: 59 }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a duration above MAX_JWT_DURATION_SECONDS',
      body: (token) => json({ access_token: token, duration_seconds: 7201 }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'an unknown field',
      body: (token) => json({ access_token: token, grant_type: 'x' }),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a __proto__ key',
      body: (token) => `{"access_token":"${token}","__proto__":{"admin":true}}`,
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a nested constructor key',
      body: (token) => `{"access_token":"${token}","scope":{"constructor":{"prototype":{}}}}`,
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a text/plain body',
      body: (token) => json({ access_token: token }),
      headers: { 'content-type': 'text/plain' },
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'an oversized body',
      body: (token) => json({ access_token: token, scope: 'a'.repeat(20_000) }),
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'a body past the server limit',
      body: () => Buffer.alloc(2 * 1024 * 1024, 0x20),
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'bytes that are not UTF-8 around a valid token',
      body: (token) =>
        Buffer.concat([
          Buffer.from(`{"access_token":"${token}`),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('"}'),
        ]),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'valid JSON nested 3000 deep in a field',
      body: () => `{"access_token":${nested(3000, '"x"')}}`,
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'valid JSON nested 3000 deep as the body',
      body: () => nested(3000, ''),
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a garbage token',
      body: () => json({ access_token: 'hunter2' }),
      status: 401,
      code: 'invalid_token',
    },
    {
      name: 'a token with a bad checksum',
      body: (token) =>
        json({ access_token: `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}` }),
      status: 401,
      code: 'invalid_token',
    },
    {
      name: 'a well-formed token nobody issued',
      body: () => json({ access_token: generateAccessToken('service', anyTokenId()).value }),
      status: 401,
      code: 'invalid_token',
    },
    {
      name: 'a right id with a wrong secret',
      body: (token) =>
        json({ access_token: generateAccessToken('service', token.slice(4, 26)).value }),
      status: 401,
      code: 'invalid_token',
    },
    {
      name: 'a scope the token lacks',
      body: (token) => json({ access_token: token, scope: 'tokens:read datasets:write' }),
      status: 403,
      code: 'insufficient_scope',
    },
    {
      name: 'a malformed scope',
      body: (token) => json({ access_token: token, scope: '   ' }),
      status: 400,
      code: 'invalid_request',
    },
  ]

  it.each(cases.map((c) => [c.name, c] as const))(
    'answers %s with problem+json',
    async (_name, c) => {
      const response = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...c.headers },
        body: c.body(tollgate.adminToken),
      })
      const text = await response.text()
      const body = JSON.parse(text)

      expect(response.status).toBe(c.status)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
      expect(body).toEqual({
        type: `urn:tollgate:problem:${c.code}`,
        title: expect.any(String),
        status: c.status,
        detail: expect.any(String),
        code: c.code,
        request_id: expect.any(String),
      })
      expect(text).not.toContain(tollgate.adminToken.slice(4))
      expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/)
      if (c.status === 401) {
        expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
      }
    },
  )

  it('says precisely what is wrong with JSON nested 3000 deep, rather than "not valid JSON"', async () => {
    const response = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"access_token":${nested(3000, '"x"')}}`,
    })

    expect(await response.json()).toMatchObject({
      code: 'invalid_request',
      detail: expect.stringMatching(/^access_token: .*expected string/),
    })
  })

  it('says the body is not UTF-8, rather than reading the bytes into an invalid token', async () => {
    const response = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat([
        Buffer.from(`{"access_token":"${tollgate.adminToken}`),
        Buffer.from([0xff, 0x22, 0x7d]),
      ]),
    })

    expect(await response.json()).toMatchObject({
      code: 'invalid_request',
      detail: 'The body is not valid UTF-8.',
    })
  })

  it.each([
    ['an unparsable absolute target', 'http://[', 400, 'invalid_request'],
    ['a target with a fragment', '/.well-known/jwks.json#x', 400, 'invalid_request'],
    ['an authority-form target', 'evil.example:443', 400, 'invalid_request'],
    ['an asterisk target', '*', 404, 'not_found'],
    ['a malformed %-escape', '/%E0%A4%A', 404, 'not_found'],
    // A URL parser reads these as the host "evil" and the path /.well-known/jwks.json.
    ['a path starting with //', '//evil/.well-known/jwks.json', 404, 'not_found'],
    ['a path starting with /\\', '/\\evil/.well-known/jwks.json', 404, 'not_found'],
    ['a path with a dot segment', '/x/../.well-known/jwks.json', 404, 'not_found'],
  ])('answers %s with problem+json, not a 500', async (_name, target, status, code) => {
    const answer = await sendRaw(
      tollgate.server.port,
      `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    )

    expect(answer.status).toBe(status)
    expect(answer.headers['content-type']).toBe('application/problem+json')
    expect(JSON.parse(answer.body)).toMatchObject({ code, status })
  })

  it('routes an absolute-form target by its path alone, never by its host', async () => {
    const answer = await sendRaw(
      tollgate.server.port,
      'GET http://evil.example/.well-known/jwks.json?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    )

    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ keys: expect.any(Array) })
  })

  it('answers an unknown route and a wrong method with not_found', async () => {
    const unknown = await fetch(`${tollgate.server.url}/nope`)
    const wrongMethod = await fetch(`${tollgate.server.url}/access-tokens/jwt`, { method: 'PUT' })

    for (const response of [unknown, wrongMethod]) {
      expect(response.status).toBe(404)
      expect(await response.json()).toMatchObject({ code: 'not_found' })
    }
  })

  it('refuses an expired access token', async () => {
    const shortLived = await startTollgate({ DEFAULT_TOKEN_TTL_SECONDS: '60' })
    const realNow = shortLived.dependencies.clock.now
    try {
      Object.assign(shortLived.dependencies.clock, { now: () => realNow() + 61_000 })
      const response = await fetch(`${shortLived.server.url}/access-tokens/jwt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: shortLived.adminToken, duration_seconds: 60 }),
      })

      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({
        code: 'invalid_token',
        detail: expect.stringMatching(/expired/),
      })
    } finally {
      Object.assign(shortLived.dependencies.clock, { now: realNow })
      await shortLived.close()
    }
  })

  it("refuses a duration beyond the access token's remaining life rather than clamping it, saying how much is left", async () => {
    const shortLived = await startTollgate({ DEFAULT_TOKEN_TTL_SECONDS: '200' })
    try {
      const response = await fetch(`${shortLived.server.url}/access-tokens/jwt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: shortLived.adminToken, duration_seconds: 3600 }),
      })
      const problem = (await response.json()) as { max_duration_seconds?: number }

      expect(response.status).toBe(400)
      expect(problem).toMatchObject({
        code: 'invalid_request',
        detail: expect.stringMatching(/remaining life \((19\d|200) s\): ask for \1 or less\.$/),
        max_duration_seconds: expect.any(Number),
      })
      expect(problem.max_duration_seconds).toBeGreaterThan(190)
      expect(problem.max_duration_seconds).toBeLessThanOrEqual(200)

      // The client and the CLI ask for what is left when nobody chose a duration.
      const client = new TollgateClient({
        baseUrl: shortLived.server.url,
        accessToken: shortLived.adminToken,
      })
      expect(await client.whoami()).toMatchObject({ kind: 'service' })
      const run = await cli(['whoami', '--json'], {
        TOLLGATE_URL: shortLived.server.url,
        TOLLGATE_ACCESS_TOKEN: shortLived.adminToken,
        XDG_CONFIG_HOME: await tempConfigHome(),
      })
      expect(run.stderr).toBe('')
      expect(run.code).toBe(0)
    } finally {
      await shortLived.close()
    }
  })

  it('names a JWT sent as access_token, and says what to do, without echoing it', async () => {
    const { jwt } = (await (
      await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: tollgate.adminToken }),
      })
    ).json()) as { jwt: string }

    const response = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: jwt }),
    })
    const text = await response.text()

    expect(response.status).toBe(400)
    expect(JSON.parse(text)).toMatchObject({
      code: 'invalid_request',
      detail: expect.stringMatching(
        /^access_token: holds a JWT, not an access token\. .*"Authorization: Bearer <jwt>"/,
      ),
    })
    expect(text).not.toContain(jwt.split('.')[1])
  })

  it('names an access token sent as a Bearer, and says to exchange it first, without echoing it', async () => {
    const response = await fetch(`${tollgate.server.url}/whoami`, {
      headers: { authorization: `Bearer ${tollgate.adminToken}` },
    })
    const text = await response.text()

    expect(response.status).toBe(401)
    expect(JSON.parse(text)).toMatchObject({
      code: 'invalid_token',
      detail: expect.stringMatching(
        /^The bearer credential is an access token, not a JWT\. Exchange it first at POST \/access-tokens\/jwt/,
      ),
    })
    expect(text).not.toContain(tollgate.adminToken.slice(4))
  })
})
