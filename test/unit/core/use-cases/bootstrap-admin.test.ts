import { describe, expect, it } from 'vitest'
import { ACCESS_TOKEN_PATTERN, parseAccessToken } from '../../../../functions/core/access-token.js'
import { ADMIN_ROLE } from '../../../../functions/core/caller.js'
import { parseConfig } from '../../../../functions/core/config.js'
import { TOLLGATE_SCOPES } from '../../../../functions/core/routes.js'
import { bootstrapAdmin } from '../../../../functions/core/use-cases/bootstrap-admin.js'
import { exchangeToken } from '../../../../functions/core/use-cases/exchange-token.js'
import { rejectionOf } from '../../../support/errors.js'
import { fixedClock, fixedSecrets, MemoryStore, testSigner } from '../../../support/fakes.js'

const config = parseConfig({})
const { signer } = testSigner('ES256')

const setup = () => {
  const store = new MemoryStore()
  const clock = fixedClock()
  const deps = { store, clock, secrets: fixedSecrets(), config }
  return { store, clock, deps }
}

describe('bootstrapAdmin', () => {
  it('creates an admin service account holding every management scope', async () => {
    // Prepare
    const { deps, store, clock } = setup()

    // Act
    const { account } = await bootstrapAdmin(deps, { name: 'admin', asFirstAdmin: true })

    // Assess
    expect(account).toMatchObject({
      name: 'admin',
      roles: [ADMIN_ROLE],
      scopes: [...TOLLGATE_SCOPES],
      createdAt: clock.now(),
    })
    expect(account.id).toMatch(/^sa_[0-9A-Za-z]{22}$/)
    expect(await store.getOwner({ type: 'service_account', id: account.id })).toMatchObject({
      status: 'active',
      ceiling: { roles: [ADMIN_ROLE], scopes: [...TOLLGATE_SCOPES] },
      otv: 1,
    })
    expect(store.accountNames.get('admin')).toBe(account.id)
    expect(store.bootstrapped).toBe(true)
  })

  it('gives the account an active service token with the default lifetime', async () => {
    // Prepare
    const { deps, store, clock } = setup()

    // Act
    const { account, token, secret } = await bootstrapAdmin(deps, {
      name: 'admin',
      asFirstAdmin: true,
    })

    // Assess
    expect(secret).toMatch(ACCESS_TOKEN_PATTERN)
    expect(parseAccessToken(secret)).toMatchObject({ kind: 'service', id: token.id })
    expect(token).toMatchObject({
      kind: 'service',
      owner: { type: 'service_account', id: account.id },
      scopes: [...TOLLGATE_SCOPES],
      roles: [ADMIN_ROLE],
      status: 'active',
      expiresAt: clock.now() + config.defaultTokenTtlSeconds * 1000,
      lastUsedAt: null,
      tokenHint: `tgs_…${secret.slice(-4)}`,
      version: 1,
      generation: 1,
    })
    expect(store.tokens.get(token.id)).toEqual(token)
    const owner = await store.getOwner({ type: 'service_account', id: account.id })
    expect(owner?.tokens).toEqual([{ id: token.id, name: 'bootstrap', expiresAt: token.expiresAt }])
  })

  it('returns a secret that exchanges for a JWT', async () => {
    // Prepare
    const { deps } = setup()
    const { secret, token } = await bootstrapAdmin(deps, { name: 'admin', asFirstAdmin: true })

    // Act
    const result = await exchangeToken({ ...deps, signer }, { accessToken: secret })

    // Assess
    expect(result.claims.atid).toBe(token.id)
    expect(result.scope).toBe([...TOLLGATE_SCOPES, 'tollgate:admin'].join(' '))
  })

  it('refuses to bootstrap a second first admin with conflict', async () => {
    // Prepare
    const { deps } = setup()
    await bootstrapAdmin(deps, { name: 'admin', asFirstAdmin: true })

    // Act
    const error = await rejectionOf(bootstrapAdmin(deps, { name: 'admin-2', asFirstAdmin: true }))

    // Assess
    expect(error.code).toBe('conflict')
  })

  it('still mints further admins outside the first-admin path', async () => {
    // Prepare
    const { deps, store } = setup()
    await bootstrapAdmin(deps, { name: 'admin', asFirstAdmin: true })

    // Act
    await bootstrapAdmin(deps, { name: 'admin-2', asFirstAdmin: false })

    // Assess
    expect((await store.listServiceAccounts({ limit: 10, after: undefined })).items).toHaveLength(2)
  })

  it('never stores the secret, only its keyed hash', async () => {
    // Prepare
    const { deps, store } = setup()

    // Act
    const { secret, token } = await bootstrapAdmin(deps, { name: 'admin', asFirstAdmin: true })

    // Assess
    const stored = JSON.stringify({
      tokens: [...store.tokens.entries()],
      owners: [...store.owners.entries()],
      audit: store.audit,
    })
    expect(stored).not.toContain(secret)
    expect(stored).not.toContain(secret.slice(4 + token.id.length, -6))
    expect(token.secretHash).not.toContain(secret.slice(4 + token.id.length, -6))
  })

  it('refuses a name another account holds, writing nothing', async () => {
    // Prepare
    const { deps, store } = setup()
    await bootstrapAdmin(deps, { name: 'ops', asFirstAdmin: false })

    // Act
    const error = await rejectionOf(bootstrapAdmin(deps, { name: 'ops', asFirstAdmin: false }))

    // Assess
    expect(error.code).toBe('conflict')
    expect(store.tokens.size).toBe(1)
  })

  it('audits what it made, as bootstrap', async () => {
    // Prepare
    const { deps, store } = setup()

    // Act
    const { account, token } = await bootstrapAdmin(deps, { name: 'admin', asFirstAdmin: true })

    // Assess
    expect(store.audit.map((e) => [e.subject, e.action, e.actor])).toEqual([
      [{ type: 'service_account', id: account.id }, 'bootstrap', 'bootstrap'],
      [{ type: 'token', id: token.id }, 'bootstrap', 'bootstrap'],
    ])
  })

  it('makes a new token id and secret each time', async () => {
    // Prepare
    const { deps } = setup()

    // Act
    const a = await bootstrapAdmin(deps, { name: 'a', asFirstAdmin: false })
    const b = await bootstrapAdmin(deps, { name: 'b', asFirstAdmin: false })

    // Assess
    expect(a.token.id).not.toBe(b.token.id)
    expect(a.secret).not.toBe(b.secret)
    expect(a.account.id).not.toBe(b.account.id)
  })
})
