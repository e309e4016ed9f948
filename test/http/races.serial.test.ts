import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiAs, apiWithJwt } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

/**
 * Issue 12, part 5: the management races over HTTP, on the real dev server
 * and DynamoDB Local, each run in ROUNDS rounds at once (RACE_ROUNDS to run
 * more, as `npm run fuzz` does). A round is a race on its own service
 * account, so rounds contend for the server and the table, not for an item.
 */
const ROUNDS = Number(process.env.RACE_ROUNDS ?? 6)
const CAP = 3

type Admin = Awaited<ReturnType<typeof apiAs>>
type Json = Record<string, unknown>

const rounds = <T>(run: (round: number) => Promise<T>) =>
  Promise.all(Array.from({ length: ROUNDS }, (_, round) => run(round)))

interface Exchanged {
  readonly status: number
  readonly code: string | undefined
  readonly jwt: string | undefined
  readonly startedAt: number
}

describe('races over HTTP, many rounds at once', () => {
  let tollgate: RunningTollgate
  let admin: Admin

  const exchange = async (accessToken: string): Promise<Exchanged> => {
    const startedAt = Date.now()
    const response = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: accessToken }),
    })
    const body = (await response.json()) as { jwt?: string; code?: string }
    return { status: response.status, code: body.code, jwt: body.jwt, startedAt }
  }
  const whoamiStatus = async (jwt: string) =>
    (await apiWithJwt(tollgate, jwt).get('/whoami')).status

  /** A service account and one token on it, for one round. */
  const tokenFor = async (label: string) => {
    const account = await admin.post('/service-accounts', {
      name: label,
      roles: [],
      scopes: ['data:read'],
    })
    expect(account.status).toBe(201)
    const token = await admin.post('/access-tokens', {
      name: 't',
      service_account_id: account.body.id,
    })
    expect(token.status).toBe(201)
    return {
      accountId: account.body.id as string,
      tokenId: token.body.id as string,
      secret: token.body.token as string,
    }
  }

  beforeAll(async () => {
    tollgate = await startTollgate({ MAX_ACTIVE_TOKENS_PER_OWNER: String(CAP) })
    admin = await apiAs(tollgate, tollgate.adminToken)
  })
  afterAll(() => tollgate.close())

  it('exchange vs revoke: every JWT minted in the race is refused once the revoke answers', async () => {
    const minted = await rounds(async (round) => {
      const { tokenId, secret } = await tokenFor(`revoke-${round}`)

      const exchanges = Array.from({ length: 6 }, () => exchange(secret))
      const revoked = await admin.delete(`/access-tokens/${tokenId}`)
      const revokedAt = Date.now()
      const answers = await Promise.all(exchanges)
      const after = await exchange(secret)

      expect(revoked.status).toBe(200)
      expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 401)).toEqual([])
      expect(answers.filter((a) => a.status === 401).every((a) => a.code === 'invalid_token')).toBe(
        true,
      )
      for (const { jwt } of answers.filter((a) => a.jwt !== undefined)) {
        expect(await whoamiStatus(jwt as string)).toBe(401)
      }
      expect(after).toMatchObject({ status: 401, code: 'invalid_token' })
      expect(after.startedAt).toBeGreaterThanOrEqual(revokedAt)
      return answers.filter((a) => a.status === 200).length
    })

    // The race was run: some exchanges were answered before the revoke committed.
    expect(minted.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0)
  })

  it('exchange vs regenerate: old-secret JWTs refused, the new secret and its JWTs accepted', async () => {
    const minted = await rounds(async (round) => {
      const { tokenId, secret } = await tokenFor(`regenerate-${round}`)

      const exchanges = Array.from({ length: 6 }, () => exchange(secret))
      const regenerated = await admin.post(`/access-tokens/${tokenId}/regenerate`)
      const answers = await Promise.all(exchanges)
      const fresh = regenerated.body.token as string

      expect(regenerated.status).toBe(200)
      expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 401)).toEqual([])
      for (const { jwt } of answers.filter((a) => a.jwt !== undefined)) {
        expect(await whoamiStatus(jwt as string)).toBe(401)
      }
      expect((await exchange(secret)).status).toBe(401)
      const renewed = await exchange(fresh)
      expect(renewed.status).toBe(200)
      expect(await whoamiStatus(renewed.jwt as string)).toBe(200)
      return answers.filter((a) => a.status === 200).length
    })

    expect(minted.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0)
  })

  it('concurrent PATCH with one ETag: exactly one wins, the others get 412, nothing is lost', async () => {
    await rounds(async (round) => {
      const { accountId, tokenId } = await tokenFor(`patch-${round}`)
      for (const path of [`/access-tokens/${tokenId}`, `/service-accounts/${accountId}`]) {
        const before = await admin.get(path)
        const etag = before.headers.get('etag') as string

        const answers = await Promise.all(
          Array.from({ length: 5 }, (_, i) => admin.patch(path, { description: `d${i}` }, etag)),
        )

        const winners = answers.filter((a) => a.status === 200)
        expect(winners, path).toHaveLength(1)
        for (const loser of answers.filter((a) => a.status !== 200)) {
          expect(loser.status, path).toBe(412)
          expect(loser.body.code).toBe('precondition_failed')
        }
        const after = await admin.get(path)
        expect(after.body.description).toBe(winners[0]?.body.description)
        expect(after.headers.get('etag')).toBe(winners[0]?.headers.get('etag'))
        expect(after.headers.get('etag')).not.toBe(etag)
      }
    })
  })

  it(`creates against the cap of ${CAP}: exactly ${CAP} succeed, the rest are 409, and so it stays`, async () => {
    await rounds(async (round) => {
      const account = await admin.post('/service-accounts', {
        name: `cap-${round}`,
        roles: [],
        scopes: ['data:read'],
      })
      const owner = account.body.id as string

      const answers = await Promise.all(
        Array.from({ length: 4 * CAP }, (_, i) =>
          admin.post('/access-tokens', { name: `t${i}`, service_account_id: owner }),
        ),
      )

      const statuses = answers.map((a) => a.status).sort()
      expect(statuses).toEqual([
        ...Array.from({ length: CAP }, () => 201),
        ...Array.from({ length: 3 * CAP }, () => 409),
      ])
      expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'conflict')).toBe(
        true,
      )
      const listed = await admin.get(`/access-tokens?owner=${owner}&status=active`)
      expect((listed.body.items as Json[]).map((t) => t.id).sort()).toEqual(
        answers
          .filter((a) => a.status === 201)
          .map((a) => a.body.id)
          .sort(),
      )
    })
  })

  it('creates with one name at once, tokens and accounts alike: exactly one succeeds', async () => {
    await rounds(async (round) => {
      const accounts = await Promise.all(
        Array.from({ length: 5 }, () =>
          admin.post('/service-accounts', { name: `twin-${round}`, roles: [], scopes: ['a:b'] }),
        ),
      )
      const account = accounts.find((a) => a.status === 201)

      const tokens = await Promise.all(
        Array.from({ length: 5 }, () =>
          admin.post('/access-tokens', { name: 'same', service_account_id: account?.body.id }),
        ),
      )

      expect(accounts.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409])
      expect(tokens.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409])
    })
  })
})
