import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ApiAnswer, apiAs, apiWithJwt } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

type Api = ReturnType<typeof apiWithJwt>

const GITHUB = 'https://token.actions.githubusercontent.com'

/**
 * `/trust-policies` over HTTP on the real dev server and DynamoDB Local:
 * CRUD with ETags, the audit trail, simulate with a claim set, and who may
 * call it (only tollgate:admin; never a personal-token JWT).
 */
describe('/trust-policies (real dev server, DynamoDB Local)', () => {
  let tollgate: RunningTollgate
  let admin: Api
  let deployer: string
  let operator: Api
  let personal: Api

  const policyBody = () => ({
    name: 'deploy from main',
    issuer: GITHUB,
    audience: 'sts.tollgate',
    subject_pattern: 'repo:acme/[a-z-]+:ref:refs/heads/main',
    claims: { repository_owner: 'acme' },
    service_account_id: deployer,
    scopes: ['datasets:write'],
    max_duration_seconds: 900,
  })
  const claims = (sub: string) => ({
    iss: GITHUB,
    aud: 'sts.tollgate',
    sub,
    repository_owner: 'acme',
    iat: Math.floor(Date.now() / 1000) - 10,
  })
  const expectRefused = (answer: ApiAnswer, status: number, code: string) => {
    expect(answer.status).toBe(status)
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(answer.body).toMatchObject({ code })
  }

  beforeAll(async () => {
    tollgate = await startTollgate({ FEDERATION_ISSUERS: JSON.stringify([GITHUB]) })
    admin = await apiAs(tollgate, tollgate.adminToken)
    deployer = (
      await admin.post('/service-accounts', {
        name: 'deployer',
        roles: [],
        scopes: ['datasets:read', 'datasets:write'],
      })
    ).body.id as string

    // A third party with just enough to manage service accounts, not tollgate:admin.
    const ops = await admin.post('/service-accounts', {
      name: 'ops',
      roles: [],
      scopes: ['service-accounts:read', 'service-accounts:write'],
    })
    const opsToken = await admin.post('/access-tokens', {
      name: 'ops',
      service_account_id: ops.body.id,
    })
    operator = await apiAs(tollgate, opsToken.body.token as string)

    // A person with the admin role, through a personal token: never tollgate:admin.
    const login = await fetch(`${tollgate.server.url}/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ada', roles: ['admin'] }),
    })
    const ada = apiWithJwt(tollgate, ((await login.json()) as { jwt: string }).jwt)
    const laptop = await ada.post('/access-tokens', { name: 'laptop' })
    personal = await apiAs(tollgate, laptop.body.token as string)
  })
  afterAll(() => tollgate.close())

  it('creates, reads, changes with If-Match, and deletes a policy, with its audit trail', async () => {
    const created = await admin.post('/trust-policies', policyBody())
    expect(created.status).toBe(201)
    expect(created.headers.get('etag')).toBe('"1"')
    const id = created.body.id as string
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^tp_/),
      subject: null,
      max_token_age_seconds: 3600,
      generation: 1,
    })

    const read = await admin.get(`/trust-policies/${id}`)
    expect(read.body).toEqual(created.body)
    expect((await admin.get('/trust-policies')).body.items).toContainEqual(created.body)

    expectRefused(
      await admin.patch(`/trust-policies/${id}`, { name: 'x' }),
      428,
      'precondition_required',
    )
    expectRefused(
      await admin.patch(`/trust-policies/${id}`, { name: 'x' }, '"9"'),
      412,
      'precondition_failed',
    )

    const renamed = await admin.patch(`/trust-policies/${id}`, { name: 'main deploys' }, '"1"')
    expect(renamed.body).toMatchObject({ name: 'main deploys', generation: 1, version: 2 })
    expect(renamed.headers.get('etag')).toBe('"2"')
    const narrowed = await admin.patch(`/trust-policies/${id}`, { scopes: [] }, '"2"')
    expect(narrowed.body).toMatchObject({ scopes: [], generation: 2, version: 3 })

    expect((await admin.delete(`/trust-policies/${id}`)).status).toBe(204)
    expectRefused(await admin.get(`/trust-policies/${id}`), 404, 'not_found')
    const events = await admin.get<{ items: Array<{ action: string }> }>(
      `/trust-policies/${id}/events`,
    )
    expect(events.body.items.map((event) => event.action)).toEqual([
      'trust_policy.deleted',
      'trust_policy.updated',
      'trust_policy.updated',
      'trust_policy.created',
    ])
  })

  it.each([
    ['a pattern open to another tenant', { subject_pattern: 'repo:acme.*' }, /tenant separator/],
    ['tollgate:admin', { scopes: ['tollgate:admin'] }, /may not name tollgate:admin/],
    ['a scope beyond the account', { scopes: ['billing:write'] }, /does not hold billing:write/],
    ['an issuer not allowed', { issuer: 'https://gitlab.com' }, /FEDERATION_ISSUERS/],
    ['an unknown field', { role: 'admin' }, /.+/],
  ])('refuses %s with a clear 400', async (_case, change, message) => {
    const refused = await admin.post('/trust-policies', { ...policyBody(), ...change })
    expectRefused(refused, 400, 'invalid_request')
    expect(refused.body.detail).toMatch(message)
  })

  it('simulates a claim set: which policy matches, and why the others do not', async () => {
    const main = (await admin.post('/trust-policies', policyBody())).body
    const any = (
      await admin.post('/trust-policies', {
        ...policyBody(),
        name: 'any branch of api',
        subject_pattern: 'repo:acme/api:.*',
        claims: { repository_owner: 'acme', environment: 'prod' },
      })
    ).body

    const simulated = await admin.post('/trust-policies/simulate', {
      claims: claims('repo:acme/api:ref:refs/heads/main'),
    })
    expect(simulated.status).toBe(200)
    expect(simulated.body).toMatchObject({ issuer: GITHUB, matched_policy: main.id, reason: null })
    expect(simulated.body.policies).toEqual(
      expect.arrayContaining([
        { id: main.id, name: main.name, matched: true, condition: null, saw: null },
        { id: any.id, name: any.name, matched: false, condition: 'claims.environment', saw: null },
      ]),
    )

    const unmatched = await admin.post('/trust-policies/simulate', {
      claims: claims('repo:acme-evil/api:ref:refs/heads/main'),
      policy: main.id,
    })
    expect(unmatched.body).toMatchObject({
      matched_policy: null,
      reason: expect.stringMatching(
        /fails subject, saw "repo:acme-evil\/api:ref:refs\/heads\/main"/,
      ),
    })
  })

  it('refuses a caller with service-accounts:write but not tollgate:admin, on every route', async () => {
    const id = (await admin.post('/trust-policies', policyBody())).body.id as string
    const attempts = [
      operator.post('/trust-policies', policyBody()),
      operator.get('/trust-policies'),
      operator.get(`/trust-policies/${id}`),
      operator.patch(`/trust-policies/${id}`, { scopes: ['datasets:read', 'datasets:write'] }, '*'),
      operator.delete(`/trust-policies/${id}`),
      operator.get(`/trust-policies/${id}/events`),
      operator.post('/trust-policies/simulate', {
        claims: claims('repo:acme/x:ref:refs/heads/main'),
      }),
    ]
    for (const attempt of await Promise.all(attempts))
      expectRefused(attempt, 403, 'insufficient_scope')
    expect((await admin.get(`/trust-policies/${id}`)).body).toMatchObject({ version: 1 })
  })

  it('refuses an admin JWT narrowed at the exchange: asking for less drops tollgate:admin', async () => {
    const id = (await admin.post('/trust-policies', policyBody())).body.id as string
    const narrowed = await apiAs(
      tollgate,
      tollgate.adminToken,
      'service-accounts:read service-accounts:write tokens:read tokens:write',
    )
    expectRefused(await narrowed.post('/trust-policies', policyBody()), 403, 'insufficient_scope')
    expectRefused(
      await narrowed.patch(`/trust-policies/${id}`, { scopes: ['datasets:read'] }, '*'),
      403,
      'insufficient_scope',
    )
    expectRefused(await narrowed.delete(`/trust-policies/${id}`), 403, 'insufficient_scope')
    expect((await admin.get(`/trust-policies/${id}`)).body).toMatchObject({ version: 1 })
  })

  it('refuses a personal-token JWT, even an admin’s', async () => {
    expectRefused(await personal.post('/trust-policies', policyBody()), 403, 'insufficient_scope')
    expectRefused(await personal.get('/trust-policies'), 403, 'insufficient_scope')
  })
})
