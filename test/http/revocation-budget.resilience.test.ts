import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiAs, apiWithJwt, exchangeFor } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

/**
 * docs/design.md#prompt-revocation with the default settings, in real time: a JWT
 * minted before a revoke is refused at once by Tollgate's own routes, and
 * within REVOCATION_MAX_DELAY_SECONDS (30 s: a 10 s deny-list refresh plus
 * API Gateway's 10 s result cache) behind the Lambda authorizer.
 */
describe('the revocation budget, default settings', () => {
  let tollgate: RunningTollgate

  beforeAll(async () => {
    tollgate = await startTollgate()
  })
  afterAll(() => tollgate.close())

  it('refuses a revoked token’s JWT at once on /whoami and within 30 s on /whoami/authorizer', async () => {
    const admin = await apiAs(tollgate, tollgate.adminToken)
    const account = await admin.post('/service-accounts', {
      name: 'budget',
      roles: [],
      scopes: ['a:b'],
    })
    const token = await admin.post('/access-tokens', {
      name: 't',
      service_account_id: account.body.id,
    })
    const jwt = await exchangeFor(tollgate, token.body.token as string)
    const behindAuthorizer = () =>
      fetch(`${tollgate.server.url}/whoami/authorizer`, {
        headers: { authorization: `Bearer ${jwt}` },
      })
    // Warm the authorizer and API Gateway's cache with an allow: the worst case.
    expect((await behindAuthorizer()).status).toBe(200)

    await admin.delete(`/access-tokens/${token.body.id}`)
    const revokedAt = Date.now()
    const atOnce = await apiWithJwt(tollgate, jwt).get('/whoami')
    let refusedAfterMs = Number.POSITIVE_INFINITY
    while (Date.now() - revokedAt < 35_000) {
      if ((await behindAuthorizer()).status === 403) {
        refusedAfterMs = Date.now() - revokedAt
        break
      }
      await new Promise((wake) => setTimeout(wake, 250))
    }

    expect(atOnce.status).toBe(401)
    expect(refusedAfterMs).toBeLessThanOrEqual(30_000)
  })
})
