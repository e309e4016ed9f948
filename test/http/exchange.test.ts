import { JwtVerifier } from 'aws-jwt-verify'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

interface Discovery {
  issuer: string
  jwks_uri: string
}
interface Exchanged {
  jwt: string
  expires_in: number
  expires_at: string
  scope: string
}

const getJson = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/access-tokens/jwt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

/** Verifies with aws-jwt-verify, handing it the served JWKS (its own fetcher speaks https only). */
const verifyWithAwsJwtVerify = async (tollgate: RunningTollgate, jwt: string) => {
  const discovery = await getJson<Discovery>(
    `${tollgate.server.url}/.well-known/openid-configuration`,
  )
  const verifier = JwtVerifier.create({
    issuer: discovery.issuer,
    audience: tollgate.config.audience,
    jwksUri: discovery.jwks_uri,
  })
  verifier.cacheJwks(await getJson(discovery.jwks_uri))
  return verifier.verify(jwt)
}

describe.each(['RS256', 'ES256'] as const)('POST /access-tokens/jwt (%s)', (alg) => {
  let tollgate: RunningTollgate

  beforeAll(async () => {
    tollgate = await startTollgate({ JWT_ALG: alg })
  })
  afterAll(() => tollgate.close())

  it('exchanges the access token for a JWT that standard verifiers accept via discovery', async () => {
    const response = await postJson(tollgate.server.url, {
      access_token: tollgate.adminToken,
      duration_seconds: 3600,
      scope: 'tokens:read',
    })
    const body = (await response.json()) as Exchanged

    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(body).toEqual({
      jwt: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      scope: 'tokens:read',
    })
    const discovery = await getJson<Discovery>(
      `${tollgate.server.url}/.well-known/openid-configuration`,
    )
    const metadata = await getJson<Record<string, unknown>>(
      `${tollgate.server.url}/.well-known/oauth-authorization-server`,
    )
    // Exactly what is implemented (RFC 8414), and the same in the OpenID configuration.
    expect(metadata).toEqual({
      issuer: tollgate.server.url,
      jwks_uri: `${tollgate.server.url}/.well-known/jwks.json`,
      token_endpoint: `${tollgate.server.url}/oauth2/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      grant_types_supported: [
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ],
      response_types_supported: [],
      introspection_endpoint: `${tollgate.server.url}/oauth2/introspect`,
      introspection_endpoint_auth_methods_supported: ['Bearer'],
      revocation_endpoint: `${tollgate.server.url}/oauth2/revoke`,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    })
    expect(discovery).toEqual({
      ...metadata,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [],
      claims_supported: expect.arrayContaining(['client_id', 'atid', 'tpid', 'act']),
    })
    const { payload } = await jwtVerify(body.jwt, createRemoteJWKSet(new URL(discovery.jwks_uri)), {
      issuer: discovery.issuer,
      audience: 'tollgate',
      algorithms: [alg],
      typ: 'at+jwt',
    })
    const awsPayload = await verifyWithAwsJwtVerify(tollgate, body.jwt)

    expect(awsPayload).toEqual(payload)
    expect(decodeProtectedHeader(body.jwt)).toEqual({ alg, kid: expect.any(String), typ: 'at+jwt' })
    expect(payload).toEqual({
      iss: tollgate.server.url,
      sub: expect.stringMatching(/^sa_/),
      aud: 'tollgate',
      scope: 'tokens:read',
      // Narrowed below tollgate:admin, the JWT no longer reads as an admin's.
      roles: [],
      token_type: 'service',
      is_bot: true,
      client_id: expect.any(String),
      atid: expect.any(String),
      atv: 1,
      otv: 1,
      jti: expect.any(String),
      iat: expect.any(Number),
      nbf: expect.any(Number),
      exp: expect.any(Number),
    })
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600)
    expect(new Date(body.expires_at).getTime()).toBe((payload.exp ?? 0) * 1000)
  })

  it('defaults to five minutes and every scope of the token, tollgate:admin from its role', async () => {
    const response = await postJson(tollgate.server.url, { access_token: tollgate.adminToken })
    const body = (await response.json()) as Exchanged

    expect(body.expires_in).toBe(300)
    expect(body.scope.split(' ').sort()).toEqual(
      [
        'service-accounts:read',
        'service-accounts:write',
        'tokens:introspect',
        'tokens:read',
        'tokens:write',
        'tollgate:admin',
      ].sort(),
    )
  })

  it('keeps tokens, keys and earlier JWTs valid across a restart, without a second bootstrap', async () => {
    const before = (await (
      await postJson(tollgate.server.url, { access_token: tollgate.adminToken })
    ).json()) as Exchanged

    tollgate = await tollgate.restart()
    const after = await postJson(tollgate.server.url, { access_token: tollgate.adminToken })
    const jwks = createRemoteJWKSet(new URL(`${tollgate.server.url}/.well-known/jwks.json`))

    expect(after.status).toBe(200)
    await expect(jwtVerify(before.jwt, jwks, { audience: 'tollgate' })).resolves.toBeDefined()
    expect(await tollgate.dependencies.store.isBootstrapped()).toBe(true)
  })
})
