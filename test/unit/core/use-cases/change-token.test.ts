import { describe, expect, it } from 'vitest'
import { EVERY_GENERATION } from '../../../../functions/core/records.js'
import {
  regenerateToken,
  revokeToken,
  updateToken,
} from '../../../../functions/core/use-cases/change-token.js'
import { createToken } from '../../../../functions/core/use-cases/create-token.js'
import { exchangeToken } from '../../../../functions/core/use-cases/exchange-token.js'
import { createServiceAccount } from '../../../../functions/core/use-cases/service-accounts.js'
import { rejectionOf } from '../../../support/errors.js'
import { testSigner } from '../../../support/fakes.js'
import { callers, contextOf, managementWorld } from '../../../support/management.js'

const admin = contextOf(callers.admin())
const { signer } = testSigner('ES256')

const withToken = async (env: Record<string, string> = {}) => {
  const world = managementWorld(env)
  const account = await createServiceAccount(world.deps, admin, {
    name: 'etl',
    roles: ['reader', 'writer'],
    scopes: ['datasets:read', 'datasets:write'],
  })
  const created = await createToken(world.deps, admin, { name: 'ci', serviceAccountId: account.id })
  const exchange = (accessToken: string) =>
    exchangeToken({ ...world.deps, signer }, { accessToken })
  return { ...world, account, token: created.record, secret: created.secret, exchange }
}

describe('updateToken', () => {
  it('renames and redescribes under If-Match, keeping the generation', async () => {
    const { deps, token, store } = await withToken()

    const state = await updateToken(deps, admin, {
      tokenId: token.id,
      ifMatch: [1],
      name: 'ci-main',
      description: 'main branch',
    })

    expect(state.record).toMatchObject({
      name: 'ci-main',
      description: 'main branch',
      version: 2,
      generation: 1,
    })
    const owner = store.owners.get(token.id.slice(0, 11))
    expect(owner?.tokens.map((t) => t.name)).toEqual(['ci-main'])
  })

  it('refuses a stale If-Match with precondition_failed and changes nothing', async () => {
    const { deps, token, store } = await withToken()

    const error = await rejectionOf(
      updateToken(deps, admin, { tokenId: token.id, ifMatch: [7], name: 'x' }),
    )

    expect(error.code).toBe('precondition_failed')
    expect(store.tokens.get(token.id)?.name).toBe('ci')
  })

  it('takes * as any current version (RFC 9110)', async () => {
    const { deps, token } = await withToken()

    const state = await updateToken(deps, admin, { tokenId: token.id, ifMatch: '*', name: 'x' })

    expect(state.record.name).toBe('x')
  })

  it('narrows scopes: bumps the generation and denies the older JWTs', async () => {
    const { deps, token, store, clock, config } = await withToken()

    const state = await updateToken(deps, admin, {
      tokenId: token.id,
      ifMatch: [1],
      scopes: ['datasets:read'],
    })

    expect(state.record).toMatchObject({ scopes: ['datasets:read'], generation: 2 })
    expect(store.denied).toEqual([
      expect.objectContaining({
        kind: 'token',
        atid: token.id,
        minGeneration: 2,
        expiresAt: clock.now() + (config.maxJwtDurationSeconds + 60) * 1000,
      }),
    ])
  })

  it('refuses to widen a token: that needs a new token', async () => {
    const { deps, token } = await withToken()
    await updateToken(deps, admin, { tokenId: token.id, ifMatch: [1], scopes: ['datasets:read'] })

    const error = await rejectionOf(
      updateToken(deps, admin, {
        tokenId: token.id,
        ifMatch: [2],
        scopes: ['datasets:read', 'datasets:write'],
      }),
    )

    expect(error.code).toBe('invalid_request')
  })

  it('refuses a name another usable token of the owner holds', async () => {
    const { deps, token, account } = await withToken()
    await createToken(deps, admin, { name: 'other', serviceAccountId: account.id })

    const error = await rejectionOf(
      updateToken(deps, admin, { tokenId: token.id, ifMatch: [1], name: 'other' }),
    )

    expect(error.code).toBe('conflict')
  })

  it('refuses to change a revoked token', async () => {
    const { deps, token } = await withToken()
    await revokeToken(deps, admin, token.id)

    const error = await rejectionOf(
      updateToken(deps, admin, { tokenId: token.id, ifMatch: '*', name: 'x' }),
    )

    expect(error.code).toBe('conflict')
  })

  it('lets one of two concurrent PATCHes with the same ETag win; the other gets 412', async () => {
    const { deps, token } = await withToken()

    const results = await Promise.allSettled([
      updateToken(deps, admin, { tokenId: token.id, ifMatch: [1], description: 'a' }),
      updateToken(deps, admin, { tokenId: token.id, ifMatch: [1], description: 'b' }),
    ])

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(rejected.reason.code).toBe('precondition_failed')
  })
})

describe('revokeToken', () => {
  it('keeps the record, frees its slot, denies every JWT and refuses the secret at once', async () => {
    const { deps, token, secret, store, exchange } = await withToken()

    const state = await revokeToken(deps, admin, token.id)

    expect(state).toMatchObject({ status: 'revoked', revokedBy: 'sa_admin' })
    expect(store.tokens.get(token.id)).toMatchObject({ status: 'revoked', version: 2 })
    expect(store.owners.get(token.id.slice(0, 11))?.tokens).toEqual([])
    expect(store.denied).toEqual([
      expect.objectContaining({ kind: 'token', atid: token.id, minGeneration: EVERY_GENERATION }),
    ])
    expect((await rejectionOf(exchange(secret))).code).toBe('invalid_token')
    expect(store.audit.at(-1)).toMatchObject({
      action: 'token.revoked',
      subject: { type: 'token', id: token.id },
    })
  })

  it('changes nothing when revoked twice', async () => {
    const { deps, token, store } = await withToken()
    await revokeToken(deps, admin, token.id)
    const writes = store.audit.length

    const state = await revokeToken(deps, admin, token.id)

    expect(state.status).toBe('revoked')
    expect(store.audit).toHaveLength(writes)
  })

  it('answers not_found to a caller who may not see the token', async () => {
    const { deps, token } = await withToken()

    const error = await rejectionOf(
      revokeToken(deps, contextOf(callers.person('mallory')), token.id),
    )

    expect(error.code).toBe('not_found')
  })

  it('answers not_found for a malformed id without reading', async () => {
    const { deps, store } = await withToken()
    let reads = 0
    const original = store.getTokenWithOwner.bind(store)
    store.getTokenWithOwner = async (id) => {
      reads++
      return original(id)
    }

    const error = await rejectionOf(revokeToken(deps, admin, '../../etc/passwd'))

    expect(error.code).toBe('not_found')
    expect(reads).toBe(0)
  })
})

describe('regenerateToken', () => {
  it('issues a new secret with the same id and expiry; the old one is refused at once', async () => {
    const { deps, token, secret, exchange, store } = await withToken()

    const { state, secret: fresh } = await regenerateToken(deps, admin, token.id)

    expect(fresh).not.toBe(secret)
    expect(fresh.slice(4, 26)).toBe(token.id)
    expect(state.record).toMatchObject({
      id: token.id,
      expiresAt: token.expiresAt,
      generation: 2,
      version: 2,
    })
    expect((await rejectionOf(exchange(secret))).code).toBe('invalid_token')
    expect((await exchange(fresh)).claims).toMatchObject({ atid: token.id, atv: 2 })
    expect(store.denied.at(-1)).toMatchObject({ kind: 'token', atid: token.id, minGeneration: 2 })
  })

  it('needs tollgate:admin on service accounts’ tokens: 403 to a reader, 404 to anyone else', async () => {
    const { deps, token } = await withToken()

    const reader = await rejectionOf(
      regenerateToken(deps, contextOf(callers.service(['tokens:read', 'tokens:write'])), token.id),
    )
    const stranger = await rejectionOf(
      regenerateToken(deps, contextOf(callers.service(['tokens:write'])), token.id),
    )

    expect(reader.code).toBe('forbidden')
    expect(stranger.code).toBe('not_found')
  })

  it('is refused to a JWT from a personal token', async () => {
    const { deps } = managementWorld()
    const alice = contextOf(callers.person('alice'))
    const { record } = await createToken(deps, alice, { name: 'laptop' })

    const error = await rejectionOf(
      regenerateToken(deps, contextOf(callers.personal('alice')), record.id),
    )
    const own = await regenerateToken(deps, alice, record.id)

    expect(error.code).toBe('forbidden')
    expect(own.state.record.generation).toBe(2)
  })

  it('refuses a revoked token with conflict', async () => {
    const { deps, token } = await withToken()
    await revokeToken(deps, admin, token.id)

    expect((await rejectionOf(regenerateToken(deps, admin, token.id))).code).toBe('conflict')
  })
})

describe('a person’s own tokens', () => {
  it('may be listed, narrowed and revoked through a personal token, but not another person’s', async () => {
    const { deps } = managementWorld()
    const alice = contextOf(callers.person('alice', [], ['datasets:read', 'reports:read']))
    const bob = contextOf(callers.person('bob'))
    const { record } = await createToken(deps, alice, { name: 'laptop' })
    const viaToken = contextOf(callers.personal('alice'))

    const narrowed = await updateToken(deps, viaToken, {
      tokenId: record.id,
      ifMatch: [1],
      scopes: ['datasets:read'],
    })
    const foreign = await rejectionOf(revokeToken(deps, bob, record.id))
    const revoked = await revokeToken(deps, viaToken, record.id)

    expect(narrowed.record.scopes).toEqual(['datasets:read'])
    expect(foreign.code).toBe('not_found')
    expect(revoked.status).toBe('revoked')
  })
})
