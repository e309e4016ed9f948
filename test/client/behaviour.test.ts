import { describe, expect, it } from 'vitest'
import {
  TollgateApiError,
  TollgateClient,
  type TollgateClientOptions,
  TollgateNetworkError,
  TollgateOAuthError,
  TollgateResponseError,
} from '../../functions/client/index.js'
import { ACCESS_TOKEN_ID_LENGTH, clientIdOf } from '../../functions/client/oauth-client.js'
import { parseRetryAfter } from '../../functions/client/retry.js'
import { generateAccessToken, TOKEN_ID_LENGTH } from '../../functions/core/access-token.js'

const ACCESS_TOKEN = `tgs_${'A'.repeat(71)}`
const WHOAMI = { sub: 'sa_1', kind: 'service', roles: [], scopes: [], atid: 'a', jti: 'j' }

type Handler = (request: { method: string; path: string; headers: Headers }) => Response

/** A scripted server: records each request, answers from `handler`, exchanges by counter. */
const fakeServer = (handler: Handler, options: { expiresIn?: number } = {}) => {
  const requests: { method: string; path: string; headers: Headers }[] = []
  let exchanges = 0
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = {
      method: init?.method ?? 'GET',
      path: new URL(String(url)).pathname,
      headers: new Headers(init?.headers),
    }
    requests.push(request)
    if (request.path.endsWith('/access-tokens/jwt')) {
      exchanges += 1
      const expiresIn = options.expiresIn ?? 300
      return Response.json({
        jwt: `jwt-${exchanges}`,
        token_type: 'Bearer',
        expires_in: expiresIn,
        expires_at: new Date(Date.now() + expiresIn * 1000).toISOString(),
        scope: '',
      })
    }
    return handler(request)
  }
  return {
    fetch,
    requests,
    exchanges: () => exchanges,
    bearers: () =>
      requests
        .filter((request) => !request.path.endsWith('/access-tokens/jwt'))
        .map((request) => request.headers.get('authorization')),
  }
}

const problem = (status: number, code: string, headers: Record<string, string> = {}) =>
  new Response(
    JSON.stringify({
      type: `urn:tollgate:problem:${code}`,
      title: code,
      status,
      detail: `${code}!`,
      code,
      request_id: 'req-1',
    }),
    { status, headers: { 'content-type': 'application/problem+json', ...headers } },
  )

const clientOf = (
  fetch: TollgateClientOptions['fetch'],
  extra: Partial<TollgateClientOptions> = {},
) => {
  const sleeps: number[] = []
  let now = 1_000_000
  const client = new TollgateClient({
    baseUrl: 'http://tollgate.test',
    accessToken: ACCESS_TOKEN,
    fetch,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random: () => 0.5,
    ...extra,
  })
  return { client, sleeps, advance: (ms: number) => (now += ms) }
}

describe('TollgateClient: the JWT it sends', () => {
  it('exchanges once for concurrent callers (single flight) and reuses the JWT', async () => {
    const server = fakeServer(() => Response.json(WHOAMI))
    const { client } = clientOf(server.fetch)

    await Promise.all(Array.from({ length: 5 }, () => client.whoami()))
    await client.whoami()

    expect(server.exchanges()).toBe(1)
    expect(new Set(server.bearers())).toEqual(new Set(['Bearer jwt-1']))
  })

  it('renews 60 s before expiry, not before', async () => {
    const server = fakeServer(() => Response.json(WHOAMI))
    const { client, advance } = clientOf(server.fetch)
    await client.whoami()

    advance(239_000)
    await client.whoami()
    expect(server.exchanges()).toBe(1)

    advance(1_000)
    await client.whoami()
    expect(server.exchanges()).toBe(2)
    expect(server.bearers().at(-1)).toBe('Bearer jwt-2')
  })

  it('renews a short JWT at half its life rather than on every call', async () => {
    const server = fakeServer(() => Response.json(WHOAMI), { expiresIn: 60 })
    const { client, advance } = clientOf(server.fetch)
    await client.whoami()
    advance(29_000)
    await client.whoami()
    expect(server.exchanges()).toBe(1)
    advance(1_000)
    await client.whoami()
    expect(server.exchanges()).toBe(2)
  })

  it('asks for the configured duration and scope', async () => {
    let body: unknown
    const { client } = clientOf(
      async (url, init) => {
        body = JSON.parse(String(init?.body))
        return fakeServer(() => Response.json(WHOAMI)).fetch(url, init)
      },
      { jwtDurationSeconds: 900, jwtScope: 'tokens:read' },
    )

    await client.jwt()

    expect(body).toEqual({
      access_token: ACCESS_TOKEN,
      duration_seconds: 900,
      scope: 'tokens:read',
    })
  })

  it('on a 401, renews the JWT once and retries; a second 401 is final (no loop)', async () => {
    const once = fakeServer((request) =>
      request.headers.get('authorization') === 'Bearer jwt-1'
        ? problem(401, 'invalid_token')
        : Response.json(WHOAMI),
    )
    expect(await clientOf(once.fetch).client.whoami()).toEqual(WHOAMI)
    expect(once.bearers()).toEqual(['Bearer jwt-1', 'Bearer jwt-2'])

    const always = fakeServer(() => problem(401, 'invalid_token'))
    const error = await clientOf(always.fetch)
      .client.whoami()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TollgateApiError)
    expect(error).toMatchObject({ code: 'invalid_token', status: 401, requestId: 'req-1' })
    expect(always.exchanges()).toBe(2)
    expect(always.bearers()).toHaveLength(2)
  })

  it('never renews a fixed JWT', async () => {
    const server = fakeServer(() => problem(401, 'invalid_token'))
    const { client } = clientOf(server.fetch, { accessToken: undefined, jwt: 'person.jwt.x' })

    await expect(client.whoami()).rejects.toMatchObject({ code: 'invalid_token' })
    expect(server.requests).toHaveLength(1)
    expect(server.exchanges()).toBe(0)
  })

  it('does not cache a failed exchange', async () => {
    let fail = true
    const server = fakeServer(() => Response.json(WHOAMI))
    const { client } = clientOf(async (url, init) =>
      new URL(String(url)).pathname === '/access-tokens/jwt' && fail
        ? problem(401, 'invalid_token')
        : server.fetch(url, init),
    )
    await expect(client.whoami()).rejects.toMatchObject({
      code: 'invalid_token',
      route: 'POST /access-tokens/jwt',
    })
    fail = false
    expect(await client.whoami()).toEqual(WHOAMI)
  })
})

describe('TollgateClient: a token close to its expiry', () => {
  /** An exchange that refuses more than `maxSeconds` as the server does, recording each ask. */
  const expiringServer = (maxSeconds: number) => {
    const asked: (number | undefined)[] = []
    const fetch = async (url: string | URL | Request, init?: RequestInit) => {
      if (!new URL(String(url)).pathname.endsWith('/access-tokens/jwt')) {
        return Response.json(WHOAMI)
      }
      const duration = JSON.parse(String(init?.body)).duration_seconds as number | undefined
      asked.push(duration)
      if ((duration ?? 300) > maxSeconds) {
        return Response.json(
          {
            type: 'urn:tollgate:problem:invalid_request',
            title: 'Bad request',
            status: 400,
            detail: `refused ${duration}`,
            code: 'invalid_request',
            request_id: 'req-1',
            max_duration_seconds: maxSeconds,
          },
          { status: 400, headers: { 'content-type': 'application/problem+json' } },
        )
      }
      return Response.json({
        jwt: `jwt-${duration}`,
        token_type: 'Bearer',
        expires_in: duration,
        expires_at: new Date(Date.now() + (duration ?? 300) * 1000).toISOString(),
        scope: '',
      })
    }
    return { fetch, asked }
  }

  it('asks for what the token has left (less a margin) when it has less than 300 s', async () => {
    const server = expiringServer(200)
    const { client } = clientOf(server.fetch)

    expect(await client.whoami()).toEqual(WHOAMI)

    expect(server.asked).toEqual([300, 195])
    expect(await client.jwt()).toBe('jwt-195')
  })

  it('fits exchange() too when no duration_seconds is given', async () => {
    const server = expiringServer(90)
    const { client } = clientOf(server.fetch)

    const answer = await client.exchange({ access_token: ACCESS_TOKEN })

    expect(answer.expires_in).toBe(85)
  })

  it('keeps a duration the caller chose, and its refusal', async () => {
    const server = expiringServer(200)
    const { client } = clientOf(server.fetch, { jwtDurationSeconds: 300 })

    const error = await client.whoami().catch((e: unknown) => e)

    expect(error).toMatchObject({ code: 'invalid_request', maxDurationSeconds: 200 })
    expect(server.asked).toEqual([300])
  })

  it('throws the server’s refusal when not even a 60 s JWT fits', async () => {
    const server = expiringServer(42)
    const { client } = clientOf(server.fetch)

    const error = await client.whoami().catch((e: unknown) => e)

    expect(error).toBeInstanceOf(TollgateApiError)
    expect(error).toMatchObject({ code: 'invalid_request', maxDurationSeconds: 42 })
    expect(server.asked).toEqual([300])
  })
})

describe('TollgateClient: retries', () => {
  it('waits out Retry-After on a 503, then succeeds', async () => {
    let calls = 0
    const server = fakeServer(() =>
      ++calls === 1 ? problem(503, 'unavailable', { 'retry-after': '2' }) : Response.json(WHOAMI),
    )
    const { client, sleeps } = clientOf(server.fetch)

    expect(await client.whoami()).toEqual(WHOAMI)
    expect(sleeps).toEqual([2000])
  })

  it('backs off exponentially with jitter, bounded, and then reports the 503', async () => {
    const server = fakeServer(() => problem(503, 'unavailable'))
    const { client, sleeps } = clientOf(server.fetch, {
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
    })

    await expect(client.whoami()).rejects.toMatchObject({ code: 'unavailable', status: 503 })
    expect(sleeps).toEqual([50, 100, 200]) // random() = 0.5 of 100, 200, 400
    expect(server.bearers()).toHaveLength(4)
  })

  it('does not wait a Retry-After longer than maxDelayMs', async () => {
    const server = fakeServer(() => problem(503, 'unavailable', { 'retry-after': '3600' }))
    const { client, sleeps } = clientOf(server.fetch)

    await expect(client.whoami()).rejects.toMatchObject({ code: 'unavailable' })
    expect(sleeps).toEqual([])
  })

  it.each([
    [400, 'invalid_request'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'conflict'],
    [412, 'precondition_failed'],
    [429, 'rate_limited'],
    [500, 'internal'],
  ])('never retries a %i', async (status, code) => {
    const server = fakeServer(() => problem(status, code, { 'retry-after': '1' }))
    const { client } = clientOf(server.fetch)

    await expect(client.accessTokens.get('t1')).rejects.toMatchObject({ code, status })
    expect(server.bearers()).toHaveLength(1)
  })

  it('retries a network failure on a GET, but not on a POST', async () => {
    let calls = 0
    const flaky = fakeServer(() => {
      calls += 1
      if (calls === 1) throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
      return Response.json(WHOAMI)
    })
    expect(await clientOf(flaky.fetch).client.whoami()).toEqual(WHOAMI)

    const down = fakeServer(() => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
    })
    const error = await clientOf(down.fetch)
      .client.accessTokens.create({ name: 'x' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TollgateNetworkError)
    expect((error as Error).message).toBe('Could not reach http://tollgate.test (ECONNREFUSED).')
    expect(down.bearers()).toHaveLength(1)
  })
})

describe('TollgateClient: answers', () => {
  it('refuses an answer outside the contract with a typed error, not undefined fields', async () => {
    const server = fakeServer(() => Response.json({ ...WHOAMI, kind: 'robot' }))
    const error = await clientOf(server.fetch)
      .client.whoami()
      .catch((e: unknown) => e)

    expect(error).toBeInstanceOf(TollgateResponseError)
    expect(error).toMatchObject({ code: 'invalid_response', route: 'GET /whoami' })
    expect((error as Error).message).toContain('(kind)')
  })

  it('refuses a body that is not JSON', async () => {
    const server = fakeServer(() => new Response('<html>', { status: 200 }))
    await expect(clientOf(server.fetch).client.whoami()).rejects.toMatchObject({
      code: 'invalid_response',
    })
  })

  it('derives the code from the status when a gateway answers without problem+json', async () => {
    const server = fakeServer(() => new Response('Bad gateway', { status: 502 }))
    const { client } = clientOf(server.fetch, { retry: { maxAttempts: 1 } })

    await expect(client.whoami()).rejects.toMatchObject({ code: 'unavailable', status: 502 })
  })

  it('never puts the access token or the JWT in an error', async () => {
    const server = fakeServer(() => problem(403, 'forbidden'))
    const error = await clientOf(server.fetch)
      .client.whoami()
      .catch((e: unknown) => e)

    const shown = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`
    expect(shown).not.toContain(ACCESS_TOKEN)
    expect(shown).not.toContain('jwt-1')
  })

  it('returns the ETag and sends If-Match as given (a version becomes a quoted tag)', async () => {
    const account = {
      id: 'sa_1',
      name: 'a',
      description: '',
      roles: [],
      scopes: [],
      created_at: '2026-01-01T00:00:00.000Z',
      created_by: 'sa_0',
      version: 3,
    }
    const server = fakeServer(() => Response.json(account, { headers: { etag: '"7"' } }))
    const { client } = clientOf(server.fetch)

    const answer = await client.call('GET /service-accounts/{id}', { params: { id: 'sa_1' } })
    await client.serviceAccounts.update(
      'sa_1',
      { description: 'x' },
      { ifMatch: answer.etag ?? '' },
    )
    await client.serviceAccounts.update('sa_1', { description: 'y' }, { ifMatch: 7 })

    expect(answer.etag).toBe('"7"')
    expect(
      server.requests.filter((r) => r.method === 'PATCH').map((r) => r.headers.get('if-match')),
    ).toEqual(['"7"', '"7"'])
  })
})

describe('TollgateClient: options', () => {
  it('keeps a base path (an API Gateway stage) and escapes ids', async () => {
    const server = fakeServer(() => problem(404, 'not_found'))
    const { client } = clientOf(server.fetch, { baseUrl: 'https://api.example.com/prod/' })

    await client.accessTokens.get('a/b?c').catch(() => undefined)

    expect(server.requests.at(-1)?.path).toBe('/prod/access-tokens/a%2Fb%3Fc')
  })

  it.each(['', '.', '..'])('refuses the id %j, which would reach another route', async (id) => {
    const { client } = clientOf(fakeServer(() => Response.json({})).fetch)
    await expect(client.accessTokens.get(id)).rejects.toBeInstanceOf(TypeError)
  })

  it.each(['ftp://tollgate.test', 'https://user:pass@tollgate.test', 'https://tollgate.test/?x=1'])(
    'refuses the base URL %s',
    (baseUrl) => {
      expect(() => new TollgateClient({ baseUrl })).toThrow(TypeError)
    },
  )

  it('names a JWT given as accessToken, and an access token given as jwt', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYV8xIn0.c2ln'

    expect(() => new TollgateClient({ baseUrl: 'http://x.test', accessToken: jwt })).toThrow(
      /^accessToken holds a JWT: pass it as `jwt`/,
    )
    expect(() => new TollgateClient({ baseUrl: 'http://x.test', jwt: ACCESS_TOKEN })).toThrow(
      /^jwt holds an access token: pass it as `accessToken`/,
    )
  })

  it('refuses both an access token and a JWT', () => {
    expect(
      () => new TollgateClient({ baseUrl: 'http://x.test', accessToken: 'a', jwt: 'b' }),
    ).toThrow(TypeError)
  })
})

describe('parseRetryAfter', () => {
  it.each([
    ['5', 5000],
    ['0', 0],
    ['Wed, 21 Oct 2015 07:28:10 GMT', 10_000],
    ['soon', undefined],
    ['-1', undefined],
    [null, undefined],
  ])('reads %j as %j ms', (value, expected) => {
    expect(parseRetryAfter(value, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(expected)
  })
})

describe('TollgateClient: OAuth 2.0 client_credentials and federation', () => {
  /** A token endpoint that records each form and answers `answer(form)`. */
  const tokenEndpoint = (answer: (form: URLSearchParams) => Response = () => oauthToken(300)) => {
    const forms: { form: URLSearchParams; authorization: string | null }[] = []
    const fetch = async (url: string | URL | Request, init?: RequestInit) => {
      const path = new URL(String(url)).pathname
      if (path === '/whoami') return Response.json(WHOAMI)
      const form = new URLSearchParams(String(init?.body))
      forms.push({ form, authorization: new Headers(init?.headers).get('authorization') })
      return answer(form)
    }
    return { fetch, forms }
  }
  const oauthToken = (expiresIn: number) =>
    Response.json({
      access_token: `jwt-${expiresIn}`,
      token_type: 'Bearer',
      expires_in: expiresIn,
      scope: '',
    })
  const oauthRefusal = (status: number, error: string, description: string) =>
    Response.json({ error, error_description: description }, { status })

  it('reads the client_id from the token and authenticates by client_secret_basic', async () => {
    const { id, value } = generateAccessToken('service', 'k'.repeat(TOKEN_ID_LENGTH))
    const server = tokenEndpoint()
    const { client } = clientOf(server.fetch, {
      accessToken: undefined,
      clientCredentials: value,
      jwtScope: 'tokens:read',
      jwtDurationSeconds: 120,
    })

    await client.whoami()

    expect(clientIdOf(value)).toBe(id)
    expect(ACCESS_TOKEN_ID_LENGTH).toBe(TOKEN_ID_LENGTH)
    const [sent] = server.forms
    expect(Object.fromEntries(sent?.form ?? [])).toEqual({
      grant_type: 'client_credentials',
      scope: 'tokens:read',
      duration_seconds: '120',
    })
    expect(sent?.authorization).toBe(`Basic ${btoa(`${id}:${value}`)}`)
  })

  it('renews the client_credentials JWT before it expires, single flight', async () => {
    const server = tokenEndpoint()
    const { client, advance } = clientOf(server.fetch, {
      accessToken: undefined,
      clientCredentials: ACCESS_TOKEN,
    })

    await Promise.all([client.whoami(), client.whoami()])
    advance(239_000)
    await client.whoami()
    expect(server.forms).toHaveLength(1)
    advance(1_000)
    await client.whoami()
    expect(server.forms).toHaveLength(2)
  })

  it('refuses a JWT or a second credential given as clientCredentials', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYV8xIn0.c2ln'

    expect(() => new TollgateClient({ baseUrl: 'http://x.test', clientCredentials: jwt })).toThrow(
      /^clientCredentials holds a JWT/,
    )
    expect(
      () =>
        new TollgateClient({
          baseUrl: 'http://x.test',
          accessToken: ACCESS_TOKEN,
          clientCredentials: ACCESS_TOKEN,
        }),
    ).toThrow(TypeError)
    expect(
      () => new TollgateClient({ baseUrl: 'http://x.test', clientCredentials: 'tgs_short' }),
    ).toThrow(/too short/)
  })

  it('federates: an outside token, policy, scope and duration in an RFC 8693 form, no credentials', async () => {
    const server = tokenEndpoint()
    const client = new TollgateClient({ baseUrl: 'http://tollgate.test', fetch: server.fetch })
    const outside = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2kifQ.c2ln'

    const answer = await client.federate({
      subjectToken: outside,
      policy: 'deploy api',
      scope: 'datasets:write',
      durationSeconds: 600,
    })

    expect(answer.access_token).toBe('jwt-300')
    const [sent] = server.forms
    expect(Object.fromEntries(sent?.form ?? [])).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: outside,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      policy: 'deploy api',
      scope: 'datasets:write',
      duration_seconds: '600',
    })
    expect(sent?.authorization).toBeNull()
  })

  it('throws RFC 6749 refusals as TollgateOAuthError, without the outside token', async () => {
    const server = tokenEndpoint(() =>
      oauthRefusal(400, 'invalid_request', 'No trust policy matches: tp_1 fails subject.'),
    )
    const client = new TollgateClient({ baseUrl: 'http://tollgate.test', fetch: server.fetch })
    const outside = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2kifQ.c2ln'

    const error = await client.federate({ subjectToken: outside }).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(TollgateOAuthError)
    expect(error).toBeInstanceOf(TollgateApiError)
    expect(error).toMatchObject({
      error: 'invalid_request',
      errorDescription: 'No trust policy matches: tp_1 fails subject.',
      code: 'invalid_request',
      status: 400,
    })
    expect(String((error as Error).message)).not.toContain(outside)
  })

  it('refuses a Tollgate access token as the outside token, before sending it', async () => {
    const server = tokenEndpoint()
    const client = new TollgateClient({ baseUrl: 'http://tollgate.test', fetch: server.fetch })

    await expect(client.federate({ subjectToken: ACCESS_TOKEN })).rejects.toThrow(
      /^subjectToken holds a Tollgate access token/,
    )
    expect(server.forms).toEqual([])
  })
})
