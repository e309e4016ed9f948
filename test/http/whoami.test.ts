import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

const exchange = async (tollgate: RunningTollgate, body: Record<string, unknown> = {}) => {
  const response = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ access_token: tollgate.adminToken, ...body }),
  })
  return ((await response.json()) as { jwt: string }).jwt
}

const whoami = (tollgate: RunningTollgate, authorization?: string) =>
  fetch(`${tollgate.server.url}/whoami`, {
    headers: authorization === undefined ? {} : { authorization },
  })

describe('GET /whoami, authorized in its handler', () => {
  let tollgate: RunningTollgate

  beforeAll(async () => {
    tollgate = await startTollgate()
  })
  afterAll(() => tollgate.close())

  it('lets a JWT from the exchange in and says who the caller is', async () => {
    const jwt = await exchange(tollgate, { scope: 'tokens:read tokens:write' })
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString())

    const response = await whoami(tollgate, `Bearer ${jwt}`)

    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({
      sub: claims.sub,
      kind: 'service',
      scopes: ['tokens:read', 'tokens:write'],
      // Asking for less than tollgate:admin drops the admin role claim too.
      roles: [],
      atid: claims.atid,
      jti: claims.jti,
      // A service's JWT creates no personal token, and without tollgate:admin no account.
      allowed_actions: [],
    })
  })

  it.each([
    ['no Authorization header', undefined],
    ['an empty bearer', 'Bearer '],
    ['another scheme', 'Token abc'],
    ['garbage', 'Bearer not.a.jwt'],
  ])('answers %s with 401 invalid_token', async (_name, authorization) => {
    const response = await whoami(tollgate, authorization)

    expect(response.status).toBe(401)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    expect(await response.json()).toMatchObject({ code: 'invalid_token', status: 401 })
  })

  it('answers a tampered JWT with 401', async () => {
    const [header, payload, signature] = (await exchange(tollgate)).split('.')
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['admin', 'root'] })).toString(
      'base64url',
    )

    const response = await whoami(tollgate, `Bearer ${header}.${forged}.${signature}`)

    expect(response.status).toBe(401)
  })

  it('refuses Basic auth: Tollgate’s own routes take JWTs only', async () => {
    const basic = Buffer.from(`tollgate:${tollgate.adminToken}`).toString('base64')

    expect((await whoami(tollgate, `Basic ${basic}`)).status).toBe(401)
  })
})

describe('the Lambda authorizer handler, run with the dev server settings', () => {
  let tollgate: RunningTollgate

  beforeAll(async () => {
    tollgate = await startTollgate()
  })
  afterAll(() => {
    vi.unstubAllEnvs()
    return tollgate.close()
  })

  it('accepts the JWTs that dev server mints (what sam local invoke relies on)', async () => {
    const jwt = await exchange(tollgate)
    vi.stubEnv('DATA_DIR', tollgate.config.dataDir)
    vi.stubEnv('ISSUER', tollgate.config.issuer)
    vi.stubEnv('AUDIENCE', tollgate.config.audience)
    // With REVOCATION_CHECK on (the default) it reads the same deny-list the dev server writes.
    vi.stubEnv('TABLE_NAME', tollgate.config.tableName)
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', tollgate.config.dynamoDbEndpoint ?? '')
    vi.resetModules()
    // A fresh module instance, so its cold-start config is read from the env above.
    const { handler } = await import('../../functions/entries/authorizer.js')

    const answer = await handler({
      type: 'TOKEN',
      authorizationToken: `Bearer ${jwt}`,
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/whoami',
    })

    expect(answer).toMatchObject({
      principalId: expect.stringMatching(/^sa_/),
      policyDocument: { Statement: [{ Effect: 'Allow' }] },
    })
  })
})
