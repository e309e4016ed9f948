import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiAs, apiWithJwt, exchangeFor } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

/**
 * Issue 23 parts 1 and 3: `/oauth2/*` on the real dev server, driven by a
 * stock OAuth 2.0 client library (openid-client) where one exists for the
 * flow, and by hand for the refusals a library would never send.
 */

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt'

interface Issued {
  readonly accountId: string
  readonly tokenId: string
  readonly secret: string
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

describe('the OAuth 2.0 endpoints', () => {
  let tollgate: RunningTollgate
  let ci: Issued
  let thirdParty: Issued
  let personal: string
  let introspector: string
  let secrets: string[]

  beforeAll(async () => {
    tollgate = await startTollgate()
    const admin = await apiAs(tollgate, tollgate.adminToken)
    const issue = async (name: string, scopes: string[]): Promise<Issued> => {
      const account = await admin.post('/service-accounts', { name, roles: [], scopes })
      const token = await admin.post('/access-tokens', {
        name: 't',
        service_account_id: account.body.id,
      })
      return {
        accountId: account.body.id as string,
        tokenId: token.body.id as string,
        secret: token.body.token as string,
      }
    }
    ci = await issue('ci', ['data:read', 'data:write'])
    thirdParty = await issue('third-party', ['data:read'])
    const auditor = await issue('auditor', ['tokens:introspect'])
    introspector = await exchangeFor(tollgate, auditor.secret)
    const login = await fetch(`${tollgate.server.url}/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'pat' }),
    })
    const person = apiWithJwt(tollgate, ((await login.json()) as { jwt: string }).jwt)
    personal = (await person.post('/access-tokens', { name: 'mine' })).body.token as string
    secrets = [tollgate.adminToken, ci.secret, thirdParty.secret, auditor.secret, personal]
  })
  afterAll(() => tollgate.close())

  const configuration = (auth: client.ClientAuth, clientId: string) => {
    const config = new client.Configuration(
      {
        issuer: tollgate.config.issuer,
        token_endpoint: `${tollgate.server.url}/oauth2/token`,
      },
      clientId,
      undefined,
      auth,
    )
    client.allowInsecureRequests(config)
    return config
  }

  const post = async (
    path: string,
    form: Record<string, string> | string,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${tollgate.server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
    })
    const text = await response.text()
    for (const secret of secrets) expect(text.includes(secret)).toBe(false)
    return { status: response.status, headers: response.headers, text }
  }

  const whoami = (jwt: string) =>
    fetch(`${tollgate.server.url}/whoami`, { headers: { authorization: `Bearer ${jwt}` } })

  const introspect = async (token: string, bearer = introspector) =>
    post('/oauth2/introspect', { token }, { authorization: `Bearer ${bearer}` })

  describe('POST /oauth2/token', () => {
    it('grants client_credentials to openid-client with client_secret_basic, and the JWT opens /whoami', async () => {
      const config = configuration(client.ClientSecretBasic(ci.secret), ci.tokenId)

      const tokens = await client.clientCredentialsGrant(config, { scope: 'data:read' })

      expect(tokens.token_type).toBe('bearer')
      expect(tokens.scope).toBe('data:read')
      expect(tokens.expires_in).toBe(300)
      const me = await whoami(tokens.access_token)
      expect(me.status).toBe(200)
      expect(await me.json()).toMatchObject({ sub: ci.accountId, scopes: ['data:read'] })
    })

    it('grants client_credentials with client_secret_post and the duration_seconds extension', async () => {
      const config = configuration(client.ClientSecretPost(ci.secret), ci.tokenId)

      const tokens = await client.clientCredentialsGrant(config, { duration_seconds: '120' })

      expect(tokens.expires_in).toBe(120)
      expect(tokens.scope).toBe('data:read data:write')
      expect((await whoami(tokens.access_token)).status).toBe(200)
    })

    it('exchanges an access token by RFC 8693 through genericGrantRequest', async () => {
      const config = configuration(client.None(), thirdParty.tokenId)

      const tokens = await client.genericGrantRequest(config, EXCHANGE, {
        subject_token: thirdParty.secret,
        subject_token_type: ACCESS_TOKEN_TYPE,
        requested_token_type: JWT_TYPE,
      })

      expect(tokens.issued_token_type).toBe(JWT_TYPE)
      const me = await whoami(tokens.access_token)
      expect(await me.json()).toMatchObject({ sub: thirdParty.accountId, scopes: ['data:read'] })
    })

    it('answers every refusal in RFC 6749 form, never cached', async () => {
      const response = await post('/oauth2/token', {
        grant_type: 'client_credentials',
        client_id: ci.tokenId,
        client_secret: ci.secret,
        scope: 'data:delete',
      })

      expect(response.status).toBe(400)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.get('pragma')).toBe('no-cache')
      const body = JSON.parse(response.text)
      expect(Object.keys(body).sort()).toEqual(['error', 'error_description'])
      expect(body.error).toBe('invalid_scope')
    })

    it.each([
      ['both Basic and client_secret', { client_secret: 'ci' }, true, 400, 'invalid_request'],
      [
        'a client_id that is not the token’s',
        { client_id: 'x'.repeat(22) },
        false,
        401,
        'invalid_client',
      ],
      ['a malformed scope', { scope: 'a"b' }, true, 400, 'invalid_scope'],
      ['a resource', { resource: 'https://api.example' }, true, 400, 'invalid_target'],
      ['an unknown grant', { grant_type: 'password' }, true, 400, 'unsupported_grant_type'],
    ])('refuses %s', async (_name, extra, withBasic, status, error) => {
      const form: Record<string, string> = { grant_type: 'client_credentials', ...extra }
      if (!withBasic) form.client_secret = ci.secret
      const fields = {
        ...form,
        ...(form.client_secret === 'ci' ? { client_secret: ci.secret } : {}),
      }

      const response = await post(
        '/oauth2/token',
        fields,
        withBasic ? { authorization: basic(ci.tokenId, ci.secret) } : {},
      )

      expect(response.status).toBe(status)
      expect(JSON.parse(response.text).error).toBe(error)
    })

    it('answers a bad Basic client with 401 invalid_client and a Basic challenge', async () => {
      const response = await post(
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { authorization: basic(thirdParty.tokenId, ci.secret) },
      )

      expect(response.status).toBe(401)
      expect(JSON.parse(response.text).error).toBe('invalid_client')
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="tollgate"')
    })

    it('refuses client_credentials to a personal token: unauthorized_client', async () => {
      const id = personal.slice(4, 26)

      const response = await post(
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { authorization: basic(id, personal) },
      )

      expect(response.status).toBe(400)
      expect(JSON.parse(response.text).error).toBe('unauthorized_client')
    })

    it.each([
      [
        'an actor_token',
        { actor_token: 'x', actor_token_type: ACCESS_TOKEN_TYPE },
        'invalid_request',
      ],
      ['another audience', { audience: 'https://elsewhere.example' }, 'invalid_target'],
      [
        'another requested_token_type',
        { requested_token_type: ACCESS_TOKEN_TYPE },
        'invalid_request',
      ],
      [
        'an invalid subject token',
        { subject_token: `${'tgs_'}${'0'.repeat(71)}` },
        'invalid_request',
      ],
      [
        'an outside JWT while no federation issuer is configured',
        { subject_token: 'a.b.c', subject_token_type: JWT_TYPE },
        'invalid_request',
      ],
    ])('refuses a token exchange with %s', async (_name, extra, error) => {
      const response = await post('/oauth2/token', {
        grant_type: EXCHANGE,
        subject_token: ci.secret,
        subject_token_type: ACCESS_TOKEN_TYPE,
        ...extra,
      })

      expect(response.status).toBe(400)
      expect(JSON.parse(response.text).error).toBe(error)
    })

    it('says federation is not configured when no federation issuer is', async () => {
      const response = await post('/oauth2/token', {
        grant_type: EXCHANGE,
        subject_token: 'a.b.c',
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      })

      expect(JSON.parse(response.text).error_description).toBe(
        'federation is not configured: FEDERATION_ISSUERS is empty',
      )
    })

    it('refuses a JSON body and a repeated parameter', async () => {
      const json = await post('/oauth2/token', '{"grant_type":"client_credentials"}', {
        'content-type': 'application/json',
      })
      const repeated = await post(
        '/oauth2/token',
        `grant_type=client_credentials&scope=data%3Aread&scope=data%3Awrite&client_id=${ci.tokenId}&client_secret=${ci.secret}`,
      )

      expect([json.status, JSON.parse(json.text).error]).toEqual([400, 'invalid_request'])
      expect(JSON.parse(json.text).error_description).toMatch(/x-www-form-urlencoded/)
      expect([repeated.status, JSON.parse(repeated.text).error]).toEqual([400, 'invalid_request'])
      expect(JSON.parse(repeated.text).error_description).toBe('scope is sent more than once.')
    })
  })

  describe('POST /oauth2/introspect', () => {
    it('describes an active access token and an active JWT, never their secret', async () => {
      const jwt = await exchangeFor(tollgate, ci.secret, 'data:read')
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString())

      const token = await introspect(ci.secret)
      const minted = await introspect(jwt)

      expect(token.status).toBe(200)
      expect(token.headers.get('cache-control')).toBe('no-store')
      expect(JSON.parse(token.text)).toMatchObject({
        active: true,
        kind: 'access_token',
        client_id: ci.tokenId,
        sub: ci.accountId,
        scope: 'data:read data:write',
        iss: tollgate.config.issuer,
      })
      expect(JSON.parse(minted.text)).toEqual({
        active: true,
        kind: 'jwt',
        token_type: 'Bearer',
        scope: 'data:read',
        client_id: ci.tokenId,
        sub: ci.accountId,
        iss: claims.iss,
        aud: claims.aud,
        iat: claims.iat,
        nbf: claims.nbf,
        exp: claims.exp,
        jti: claims.jti,
      })
      expect(minted.text.includes(jwt)).toBe(false)
    })

    it.each([
      ['garbage', 'not a token'],
      ['an unknown access token', `tgs_${'0'.repeat(71)}`],
      ['a tampered JWT', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA'],
    ])('answers exactly {"active": false} for %s', async (_name, token) => {
      const response = await introspect(token)

      expect(response.status).toBe(200)
      expect(response.text).toBe('{"active":false}')
    })

    it('refuses a bearer without tokens:introspect (403) and a missing one (401), RFC 6750 style', async () => {
      const withoutScope = await introspect(ci.secret, await exchangeFor(tollgate, ci.secret))
      const response = await post('/oauth2/introspect', { token: ci.secret })

      expect(withoutScope.status).toBe(403)
      expect(JSON.parse(withoutScope.text).error).toBe('insufficient_scope')
      expect(withoutScope.headers.get('www-authenticate')).toBe(
        'Bearer realm="tollgate", error="insufficient_scope"',
      )
      expect(response.status).toBe(401)
      expect(JSON.parse(response.text).error).toBe('invalid_token')
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /)
    })

    it('lets the bootstrap admin introspect: tokens:introspect is one of its scopes', async () => {
      const admin = await exchangeFor(tollgate, tollgate.adminToken)

      const response = await introspect(ci.secret, admin)

      expect(JSON.parse(response.text).active).toBe(true)
    })
  })

  describe('POST /oauth2/revoke', () => {
    const revoke = (by: Issued, token: string) =>
      post('/oauth2/revoke', { token }, { authorization: basic(by.tokenId, by.secret) })

    it('denies the client’s own JWT by jti until it expires: introspection and Tollgate’s routes see it at once', async () => {
      const jwt = await exchangeFor(tollgate, ci.secret)
      const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString())

      const response = await revoke(ci, jwt)

      expect([response.status, response.text]).toEqual([200, ''])
      const entries = await tollgate.dependencies.denyListReader.entriesSince(
        claims.iat * 1000 - 60_000,
        Date.now(),
      )
      const entry = entries.find((e) => e.kind === 'jwt' && e.jti === claims.jti)
      expect(entry?.expiresAt).toBeGreaterThanOrEqual(claims.exp * 1000)
      expect((await introspect(jwt)).text).toBe('{"active":false}')
      // Tollgate's own routes refuse it at once; the authorizer, through the deny-list entry.
      expect((await whoami(jwt)).status).toBe(401)
      expect((await whoami(await exchangeFor(tollgate, ci.secret))).status).toBe(200)
    })

    it('leaves a third party’s access token and JWT alone, answering 200', async () => {
      const theirJwt = await exchangeFor(tollgate, thirdParty.secret)

      const token = await revoke(ci, thirdParty.secret)
      const jwt = await revoke(ci, theirJwt)

      expect([token.status, jwt.status]).toEqual([200, 200])
      expect((await whoami(theirJwt)).status).toBe(200)
      expect(JSON.parse((await introspect(theirJwt)).text).active).toBe(true)
      expect(JSON.parse((await introspect(thirdParty.secret)).text).active).toBe(true)
    })

    it('answers 200 for a malformed token and 400 invalid_request without one', async () => {
      const malformed = await revoke(ci, 'nothing like a token')
      const missing = await post(
        '/oauth2/revoke',
        {},
        { authorization: basic(ci.tokenId, ci.secret) },
      )

      expect(malformed.status).toBe(200)
      expect([missing.status, JSON.parse(missing.text).error]).toEqual([400, 'invalid_request'])
    })

    it('refuses an unauthenticated client with 401 invalid_client', async () => {
      const response = await post('/oauth2/revoke', { token: ci.secret })

      expect(response.status).toBe(401)
      expect(JSON.parse(response.text).error).toBe('invalid_client')
    })

    it('revokes the client’s own access token as DELETE does, with an audit record', async () => {
      const admin = await apiAs(tollgate, tollgate.adminToken)
      const own = await admin.post('/access-tokens', {
        name: 'short-lived',
        service_account_id: ci.accountId,
      })
      const issued = {
        accountId: ci.accountId,
        tokenId: own.body.id as string,
        secret: own.body.token as string,
      }
      secrets.push(issued.secret)

      const response = await post('/oauth2/revoke', {
        token: issued.secret,
        token_type_hint: 'access_token',
        client_id: issued.tokenId,
        client_secret: issued.secret,
      })

      expect(response.status).toBe(200)
      const record = await admin.get(`/access-tokens/${issued.tokenId}`)
      expect(record.body).toMatchObject({ status: 'revoked', revoked_by: ci.accountId })
      const events = await admin.get<{ items: { action: string; source_atid: string }[] }>(
        `/access-tokens/${issued.tokenId}/events`,
      )
      expect(events.body.items[0]).toMatchObject({
        action: 'token.revoked',
        source_atid: issued.tokenId,
      })
      expect((await introspect(issued.secret)).text).toBe('{"active":false}')
    })
  })
})
