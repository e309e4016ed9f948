import { describe, expect, it } from 'vitest'
import { EVERY_GENERATION } from '../../../../functions/core/records.js'
import { tokenState } from '../../../../functions/core/token-state.js'
import { createToken } from '../../../../functions/core/use-cases/create-token.js'
import { exchangeToken } from '../../../../functions/core/use-cases/exchange-token.js'
import { revokeOwnerTokens } from '../../../../functions/core/use-cases/revoke-owner-tokens.js'
import {
  createServiceAccount,
  deleteServiceAccount,
  readAccount,
  updateServiceAccount,
} from '../../../../functions/core/use-cases/service-accounts.js'
import { rejectionOf } from '../../../support/errors.js'
import { testSigner } from '../../../support/fakes.js'
import { callers, contextOf, managementWorld } from '../../../support/management.js'

const admin = contextOf(callers.admin())
/** A non-admin whose JWT holds all that the `etl` account below holds. */
const operator = contextOf(
  callers.service([
    'service-accounts:read',
    'service-accounts:write',
    'tokens:write',
    'datasets:read',
    'datasets:write',
  ]),
)
const { signer } = testSigner('ES256')

const withAccount = async () => {
  const world = managementWorld()
  const account = await createServiceAccount(world.deps, admin, {
    name: 'etl',
    description: 'nightly loads',
    roles: ['reader', 'writer'],
    scopes: ['datasets:read', 'datasets:write'],
  })
  const { record, secret } = await createToken(world.deps, admin, {
    name: 'ci',
    serviceAccountId: account.id,
  })
  const exchange = (scope?: string) =>
    exchangeToken({ ...world.deps, signer }, { accessToken: secret, scope })
  return { ...world, account, token: record, secret, exchange }
}

describe('createServiceAccount', () => {
  it('creates the owner item and reserves the name, for admins', async () => {
    const { account, store } = await withAccount()

    expect(account).toMatchObject({
      id: expect.stringMatching(/^sa_[0-9A-Za-z]{22}$/),
      name: 'etl',
      description: 'nightly loads',
      roles: ['reader', 'writer'],
      scopes: ['datasets:read', 'datasets:write'],
      createdBy: 'sa_admin',
      version: 1,
    })
    expect(store.accountNames.get('etl')).toBe(account.id)
    expect(store.audit[0]).toMatchObject({ action: 'service_account.created', actor: 'sa_admin' })
  })

  it('refuses a taken name with conflict', async () => {
    const { deps } = await withAccount()

    const error = await rejectionOf(
      createServiceAccount(deps, admin, { name: 'etl', roles: [], scopes: [] }),
    )

    expect(error.code).toBe('conflict')
  })

  it('is for admins, and never through a personal token', async () => {
    const { deps } = managementWorld()
    const fields = { name: 'x', roles: [], scopes: [] }

    expect((await rejectionOf(createServiceAccount(deps, operator, fields))).code).toBe(
      'insufficient_scope',
    )
    const leaked = contextOf({ ...callers.personal('root'), roles: ['admin'] })
    expect((await rejectionOf(createServiceAccount(deps, leaked, fields))).code).toBe('forbidden')
  })
})

describe('updateServiceAccount', () => {
  it('needs the account ETag, not the owner item version', async () => {
    const { deps, account } = await withAccount()

    // A token was created since: the owner item moved on, the account did not.
    const updated = await updateServiceAccount(deps, admin, {
      id: account.id,
      ifMatch: [1],
      description: 'x',
    })
    const stale = await rejectionOf(
      updateServiceAccount(deps, admin, { id: account.id, ifMatch: [1], description: 'y' }),
    )

    expect(updated).toMatchObject({ description: 'x', version: 2 })
    expect(stale.code).toBe('precondition_failed')
  })

  it('narrowing bumps otv, denies older JWTs and caps existing tokens at the new ceiling', async () => {
    const { deps, account, exchange, store } = await withAccount()
    const before = await exchange()

    await updateServiceAccount(deps, operator, {
      id: account.id,
      ifMatch: [1],
      scopes: ['datasets:read'],
    })
    const after = await exchange()
    const beyond = await rejectionOf(exchange('datasets:write'))

    expect(before.claims).toMatchObject({ scope: 'datasets:read datasets:write', otv: 1 })
    expect(after.claims).toMatchObject({ scope: 'datasets:read', otv: 2 })
    expect(beyond.code).toBe('insufficient_scope')
    expect(store.denied).toEqual([
      expect.objectContaining({ kind: 'owner', sub: account.id, minGeneration: 2 }),
    ])
  })

  it('widening is for admins and never widens existing tokens', async () => {
    const { deps, account, exchange, token } = await withAccount()
    const fields = {
      id: account.id,
      ifMatch: [1],
      scopes: ['datasets:read', 'datasets:write', 'datasets:admin'],
    }

    const refused = await rejectionOf(updateServiceAccount(deps, operator, fields))
    const widened = await updateServiceAccount(deps, admin, fields)
    const result = await exchange()

    expect(refused.code).toBe('insufficient_scope')
    expect(widened.scopes).toContain('datasets:admin')
    expect(result.claims.scope).toBe(token.scopes.join(' '))
    expect((await rejectionOf(exchange('datasets:admin'))).code).toBe('insufficient_scope')
  })

  it('renames, freeing the old name and refusing a taken one', async () => {
    const { deps, account, store } = await withAccount()
    await createServiceAccount(deps, admin, { name: 'bi', roles: [], scopes: [] })

    const taken = await rejectionOf(
      updateServiceAccount(deps, admin, { id: account.id, ifMatch: [1], name: 'bi' }),
    )
    await updateServiceAccount(deps, admin, { id: account.id, ifMatch: [1], name: 'etl-2' })

    expect(taken.code).toBe('conflict')
    expect(store.accountNames.has('etl')).toBe(false)
    expect(store.accountNames.get('etl-2')).toBe(account.id)
  })
})

describe('deleteServiceAccount', () => {
  it('makes every token unusable at once, denies its JWTs, frees the name, keeps the audit', async () => {
    const { deps, account, exchange, store, token, clock } = await withAccount()
    await createToken(deps, admin, { name: 'second', serviceAccountId: account.id })

    await deleteServiceAccount(deps, operator, account.id)

    expect((await rejectionOf(exchange())).code).toBe('invalid_token')
    expect((await rejectionOf(readAccount(deps, account.id))).code).toBe('not_found')
    expect(store.accountNames.has('etl')).toBe(false)
    expect(store.denied).toEqual([
      expect.objectContaining({ kind: 'owner', sub: account.id, minGeneration: EVERY_GENERATION }),
    ])
    const owner = await store.getOwner({ type: 'service_account', id: account.id })
    expect(tokenState(token, owner, clock.now())).toMatchObject({
      status: 'revoked',
      revokedBy: 'sa_ops',
    })
    // The token records were not rewritten: one small transaction whatever their number.
    expect(store.tokens.get(token.id)?.status).toBe('active')
  })

  it('lets a new account take the name of a deleted one', async () => {
    const { deps, account } = await withAccount()
    await deleteServiceAccount(deps, admin, account.id)

    await expect(
      createServiceAccount(deps, admin, { name: 'etl', roles: [], scopes: [] }),
    ).resolves.toBeDefined()
  })
})

describe('revokeOwnerTokens', () => {
  it('revokes every token of an account in one transaction, and new ones work again', async () => {
    const { deps, account, exchange, store } = await withAccount()
    await createToken(deps, admin, { name: 'second', serviceAccountId: account.id })

    const result = await revokeOwnerTokens(deps, admin, account.id)

    expect(result).toEqual({ owner: account.id, revoked: 2 })
    expect((await rejectionOf(exchange())).code).toBe('invalid_token')
    expect(store.denied.at(-1)).toMatchObject({ kind: 'owner', sub: account.id, minGeneration: 2 })
    const fresh = await createToken(deps, admin, { name: 'ci', serviceAccountId: account.id })
    const minted = await exchangeToken({ ...deps, signer }, { accessToken: fresh.secret })
    expect(minted.claims.otv).toBe(2)
  })

  it('revokes every personal token of a person', async () => {
    const { deps } = managementWorld()
    const alice = contextOf(callers.person('alice'))
    await createToken(deps, alice, { name: 'a' })
    await createToken(deps, alice, { name: 'b' })

    expect(await revokeOwnerTokens(deps, admin, 'user:dev:alice')).toEqual({
      owner: 'user:dev:alice',
      revoked: 2,
    })
    expect(await revokeOwnerTokens(deps, admin, 'user:dev:nobody')).toEqual({
      owner: 'user:dev:nobody',
      revoked: 0,
    })
  })

  it('needs tollgate:admin; a bad owner id is invalid_request', async () => {
    const { deps, account } = await withAccount()

    expect((await rejectionOf(revokeOwnerTokens(deps, operator, account.id))).code).toBe(
      'insufficient_scope',
    )
    expect((await rejectionOf(revokeOwnerTokens(deps, admin, 'alice'))).code).toBe(
      'invalid_request',
    )
  })
})
