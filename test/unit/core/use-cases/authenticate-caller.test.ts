import { describe, expect, it } from 'vitest'
import { authenticateCaller } from '../../../../functions/core/use-cases/authenticate-caller.js'
import {
  regenerateToken,
  revokeToken,
  updateToken,
} from '../../../../functions/core/use-cases/change-token.js'
import { createToken } from '../../../../functions/core/use-cases/create-token.js'
import { exchangeToken } from '../../../../functions/core/use-cases/exchange-token.js'
import { revokeOwnerTokens } from '../../../../functions/core/use-cases/revoke-owner-tokens.js'
import {
  createServiceAccount,
  deleteServiceAccount,
  updateServiceAccount,
} from '../../../../functions/core/use-cases/service-accounts.js'
import { rejectionOf } from '../../../support/errors.js'
import { fakeDependencies, testSigner } from '../../../support/fakes.js'
import { callers, contextOf, managementWorld } from '../../../support/management.js'

const admin = contextOf(callers.admin())

const withCaller = async () => {
  const world = managementWorld()
  const { signer, publicKey } = testSigner('RS256')
  const jwk = {
    ...publicKey.export({ format: 'jwk' }),
    kid: 'test-RS256',
    alg: 'RS256',
    use: 'sig' as const,
  }
  const deps = fakeDependencies({
    ...world.deps,
    signer,
    keySet: { publicKeys: async () => [jwk] },
  })
  const account = await createServiceAccount(deps, admin, {
    name: 'etl',
    roles: ['reader'],
    scopes: ['datasets:read', 'tokens:read'],
  })
  const { record, secret } = await createToken(deps, admin, {
    name: 'ci',
    serviceAccountId: account.id,
  })
  const mint = async (accessToken = secret, durationSeconds?: number) =>
    `Bearer ${(await exchangeToken(deps, { accessToken, durationSeconds })).jwt}`
  return { ...world, deps, account, token: record, secret, mint }
}

describe('authenticateCaller', () => {
  it('establishes the caller from a JWT whose token and owner are unchanged', async () => {
    const { deps, mint, account, token } = await withCaller()

    const caller = await authenticateCaller(deps, await mint())

    expect(caller).toEqual({
      sub: account.id,
      kind: 'service',
      roles: ['reader'],
      scopes: ['datasets:read', 'tokens:read'],
      atid: token.id,
      jti: expect.any(String),
    })
  })

  it('refuses a JWT revoked by its jti until it expires, and forgets the mark after', async () => {
    const { deps, mint, store, clock } = await withCaller()
    const authorization = await mint()
    const jti = JSON.parse(Buffer.from(authorization.split('.')[1] ?? '', 'base64url').toString())
      .jti as string
    await store.commit([{ kind: 'markJwtRevoked', jti, expiresAt: clock.now() + 60_000 }])

    expect((await rejectionOf(authenticateCaller(deps, authorization))).code).toBe('invalid_token')
    // Another JWT of the same token is not touched by it.
    expect((await authenticateCaller(deps, await mint())).atid).toBeDefined()
    // Past its mark (the JWT's exp), the mark refuses nothing: the JWT's own exp does.
    store.revokedJwts.set(jti, clock.now() - 1)
    expect((await authenticateCaller(deps, authorization)).jti).toBe(jti)
  })

  it.each([
    ['nothing', undefined],
    ['an empty header', ''],
    ['Basic credentials', 'Basic dG9sbGdhdGU6eA=='],
    ['a bare JWT', 'eyJ.eyJ.sig'],
    ['garbage', 'Bearer garbage'],
  ])('refuses %s with invalid_token', async (_name, header) => {
    const { deps } = await withCaller()

    expect((await rejectionOf(authenticateCaller(deps, header))).code).toBe('invalid_token')
  })

  it.each([
    [
      'its token is revoked',
      async (w: Awaited<ReturnType<typeof withCaller>>) => {
        await revokeToken(w.deps, admin, w.token.id)
      },
    ],
    [
      'its token is regenerated',
      async (w: Awaited<ReturnType<typeof withCaller>>) => {
        await regenerateToken(w.deps, admin, w.token.id)
      },
    ],
    [
      'its token is narrowed',
      async (w: Awaited<ReturnType<typeof withCaller>>) => {
        await updateToken(w.deps, admin, {
          tokenId: w.token.id,
          ifMatch: '*',
          scopes: ['tokens:read'],
        })
      },
    ],
    [
      'every token of its owner is revoked',
      async (w: Awaited<ReturnType<typeof withCaller>>) => {
        await revokeOwnerTokens(w.deps, admin, w.account.id)
      },
    ],
    [
      'its account is narrowed',
      async (w: Awaited<ReturnType<typeof withCaller>>) => {
        await updateServiceAccount(w.deps, admin, { id: w.account.id, ifMatch: '*', roles: [] })
      },
    ],
    [
      'its account is deleted',
      async (w: Awaited<ReturnType<typeof withCaller>>) => {
        await deleteServiceAccount(w.deps, admin, w.account.id)
      },
    ],
  ])('refuses a JWT minted before %s, at once', async (_name, change) => {
    const world = await withCaller()
    const authorization = await world.mint()

    await change(world)
    const error = await rejectionOf(authenticateCaller(world.deps, authorization))

    expect(error.code).toBe('invalid_token')
  })

  it('accepts a JWT from the new secret after a regenerate, minted in the same second', async () => {
    const world = await withCaller()
    const old = await world.mint()
    const { secret } = await regenerateToken(world.deps, admin, world.token.id)

    const fresh = await world.mint(secret)

    expect((await authenticateCaller(world.deps, fresh)).atid).toBe(world.token.id)
    expect((await rejectionOf(authenticateCaller(world.deps, old))).code).toBe('invalid_token')
  })

  it('refuses an expired token’s JWT while the JWT itself still verifies (clock skew)', async () => {
    const world = await withCaller()
    const { secret } = await createToken(world.deps, admin, {
      name: 'short',
      serviceAccountId: world.account.id,
      expiresInSeconds: 120,
    })
    const authorization = await world.mint(secret, 120)

    // The verifier forgives 60 s of skew past exp; the token itself is over.
    world.clock.advance(150_000)
    await world.deps.verifier.verify(authorization.slice(7))

    expect((await rejectionOf(authenticateCaller(world.deps, authorization))).code).toBe(
      'invalid_token',
    )
  })

  it('names an access token sent as the bearer, and says to exchange it first', async () => {
    const { deps, secret } = await withCaller()

    const error = await rejectionOf(authenticateCaller(deps, `Bearer ${secret}`))

    expect(error.code).toBe('invalid_token')
    expect(error.message).toMatch(/^The bearer credential is an access token, not a JWT\./)
    expect(error.message).toContain('POST /access-tokens/jwt')
    expect(error.message).not.toContain(secret.slice(4))
  })

  it('turns a store outage into unavailable, never invalid_token', async () => {
    const world = await withCaller()
    const authorization = await world.mint()
    world.store.getTokenWithOwner = async () => {
      throw Object.assign(new Error('down'), { name: 'ServiceUnavailable' })
    }

    const error = await authenticateCaller(world.deps, authorization).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(Error)
    expect((error as { code?: string }).code).not.toBe('invalid_token')
  })
})
