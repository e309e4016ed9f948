import { describe, expect, it } from 'vitest'
import { ACCESS_TOKEN_PATTERN, parseAccessToken } from '../../../../functions/core/access-token.js'
import { ownerTag, ownerTagOfTokenId } from '../../../../functions/core/owners.js'
import { revokeToken } from '../../../../functions/core/use-cases/change-token.js'
import { createToken } from '../../../../functions/core/use-cases/create-token.js'
import { createServiceAccount } from '../../../../functions/core/use-cases/service-accounts.js'
import { rejectionOf } from '../../../support/errors.js'
import { callers, contextOf, managementWorld } from '../../../support/management.js'

const DAY_MS = 86_400_000
const admin = contextOf(callers.admin())

const withAccount = async (env: Record<string, string> = {}) => {
  const world = managementWorld(env)
  const account = await createServiceAccount(world.deps, admin, {
    name: 'etl',
    roles: ['reader', 'writer'],
    scopes: ['datasets:read', 'datasets:write'],
  })
  const create = (request: Partial<Parameters<typeof createToken>[2]> = {}, context = admin) =>
    createToken(world.deps, context, { name: 'ci', serviceAccountId: account.id, ...request })
  return { ...world, account, create }
}

describe('createToken for a service account', () => {
  it('mints a token listed in the owner item, with the account ceiling by default', async () => {
    // Prepare
    const { create, store, account, clock, config } = await withAccount()

    // Act
    const { record, secret, owner } = await create()

    // Assess
    expect(secret).toMatch(ACCESS_TOKEN_PATTERN)
    expect(parseAccessToken(secret)).toMatchObject({ kind: 'service', id: record.id })
    expect(ownerTagOfTokenId(record.id)).toBe(ownerTag(account.id))
    expect(record).toMatchObject({
      name: 'ci',
      owner: { type: 'service_account', id: account.id },
      roles: ['reader', 'writer'],
      scopes: ['datasets:read', 'datasets:write'],
      expiresAt: clock.now() + config.defaultTokenTtlSeconds * 1000,
      status: 'active',
      version: 1,
      generation: 1,
      createdBy: 'sa_admin',
    })
    expect(owner.tokens).toEqual([{ id: record.id, name: 'ci', expiresAt: record.expiresAt }])
    expect(store.tokens.get(record.id)).toEqual(record)
  })

  it('audits the creation on the token and on its account, without the secret', async () => {
    // Prepare
    const { create, store, account } = await withAccount()

    // Act
    const { record, secret } = await create()

    // Assess
    const events = store.audit.filter((e) => e.action === 'token.created')
    expect(events.map((e) => e.subject)).toEqual([
      { type: 'token', id: record.id },
      { type: 'service_account', id: account.id },
    ])
    expect(events[0]).toMatchObject({
      actor: 'sa_admin',
      sourceAtid: 'atid_admin',
      requestId: 'req-1',
    })
    expect(JSON.stringify(store.audit)).not.toContain(secret.slice(4 + 22, -6))
    expect(JSON.stringify(store.audit)).not.toContain(record.secretHash)
  })

  it('narrows roles and scopes on request, within the ceiling', async () => {
    const { create } = await withAccount()

    const { record } = await create({ scopes: ['datasets:read'], roles: ['reader'] })

    expect(record).toMatchObject({ scopes: ['datasets:read'], roles: ['reader'] })
  })

  it.each([
    ['a scope', { scopes: ['datasets:read', 'datasets:admin'] }],
    ['a role', { roles: ['admin'] }],
  ])('refuses %s beyond the account ceiling with insufficient_scope', async (_name, request) => {
    const { create, store } = await withAccount()

    const error = await rejectionOf(create(request))

    expect(error.code).toBe('insufficient_scope')
    expect(store.tokens.size).toBe(0)
  })

  it('needs tollgate:admin: the admin role alone is no scope', async () => {
    const { create } = await withAccount()
    const operator = contextOf(callers.service(['tokens:write']))
    const roleOnly = contextOf({ ...callers.service(['tokens:write']), roles: ['admin'] })

    expect((await rejectionOf(create({}, operator))).code).toBe('insufficient_scope')
    expect((await rejectionOf(create({}, roleOnly))).code).toBe('insufficient_scope')
  })

  it('is refused to a JWT from a personal token, even an admin’s', async () => {
    const { create } = await withAccount()
    const leaked = contextOf({ ...callers.personal('alice'), roles: ['admin'] })

    expect((await rejectionOf(create({}, leaked))).code).toBe('forbidden')
  })

  it('answers not_found for an unknown or deleted account', async () => {
    const { create } = await withAccount()

    const error = await rejectionOf(create({ serviceAccountId: 'sa_0000000000000000000000' }))

    expect(error.code).toBe('not_found')
  })

  it.each(['', ' leading', 'a'.repeat(65), 'semi;colon', 'new\nline'])(
    'refuses the name %j with invalid_request',
    async (name) => {
      const { create } = await withAccount()

      expect((await rejectionOf(create({ name }))).code).toBe('invalid_request')
    },
  )

  it('refuses role or scope names outside the design pattern', async () => {
    const { create } = await withAccount()

    expect((await rejectionOf(create({ scopes: ['Datasets:Read'] }))).code).toBe('invalid_request')
    expect((await rejectionOf(create({ roles: ['a,b'] }))).code).toBe('invalid_request')
  })
})

describe('createToken expiry policy', () => {
  it('takes expires_in_seconds within [60, MAX_TOKEN_TTL_SECONDS]', async () => {
    const { create, clock } = await withAccount({
      MAX_TOKEN_TTL_SECONDS: '3600',
      DEFAULT_TOKEN_TTL_SECONDS: '600',
    })

    const { record } = await create({ expiresInSeconds: 3600 })

    expect(record.expiresAt).toBe(clock.now() + 3600 * 1000)
  })

  it.each([59, 3601, 1.5, -1])('refuses %s seconds with invalid_request', async (seconds) => {
    const { create } = await withAccount({
      MAX_TOKEN_TTL_SECONDS: '3600',
      DEFAULT_TOKEN_TTL_SECONDS: '600',
    })

    expect((await rejectionOf(create({ expiresInSeconds: seconds }))).code).toBe('invalid_request')
  })

  it('refuses a token that never expires unless ALLOW_NON_EXPIRING_TOKENS', async () => {
    const strict = await withAccount()
    const lenient = await withAccount({ ALLOW_NON_EXPIRING_TOKENS: 'true' })

    const refused = await rejectionOf(strict.create({ expiresInSeconds: null }))
    const { record } = await lenient.create({ expiresInSeconds: null })

    expect(refused.code).toBe('invalid_request')
    expect(record.expiresAt).toBeNull()
  })
})

describe('createToken, the per-owner cap and names', () => {
  it('allows MAX_ACTIVE_TOKENS_PER_OWNER usable tokens and refuses one more with conflict', async () => {
    const { create, store } = await withAccount({ MAX_ACTIVE_TOKENS_PER_OWNER: '2' })
    await create({ name: 'a' })
    await create({ name: 'b' })

    const error = await rejectionOf(create({ name: 'c' }))

    expect(error.code).toBe('conflict')
    expect(error.message).toContain('maximum')
    expect(store.tokens.size).toBe(2)
  })

  it('frees the slot and the name of a revoked token at once', async () => {
    const { create, deps } = await withAccount({ MAX_ACTIVE_TOKENS_PER_OWNER: '1' })
    const first = await create({ name: 'deploy' })
    await revokeToken(deps, admin, first.record.id)

    const second = await create({ name: 'deploy' })

    expect(second.record.name).toBe('deploy')
    expect(second.owner.tokens.map((t) => t.id)).toEqual([second.record.id])
  })

  it('frees the slot and the name of an expired token without anyone revoking it', async () => {
    const { create, clock } = await withAccount({ MAX_ACTIVE_TOKENS_PER_OWNER: '1' })
    await create({ name: 'deploy', expiresInSeconds: 3600 })
    expect((await rejectionOf(create({ name: 'other' }))).code).toBe('conflict')

    clock.advance(3600 * 1000)
    const again = await create({ name: 'deploy' })

    expect(again.owner.tokens).toHaveLength(1)
  })

  it('refuses a second usable token with the same name', async () => {
    const { create } = await withAccount()
    await create({ name: 'deploy' })

    const error = await rejectionOf(create({ name: 'deploy' }))

    expect(error.code).toBe('conflict')
    expect(error.message).toContain('name')
  })

  it('lets two accounts use the same token name', async () => {
    const { create, deps } = await withAccount()
    const other = await createServiceAccount(deps, admin, { name: 'bi', roles: [], scopes: [] })
    await create({ name: 'deploy' })

    await expect(create({ name: 'deploy', serviceAccountId: other.id })).resolves.toBeDefined()
  })

  it('holds the cap under 10 parallel creates: one succeeds, nine get conflict', async () => {
    const { create, store } = await withAccount({ MAX_ACTIVE_TOKENS_PER_OWNER: '1' })

    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => create({ name: `t${i}` })),
    )

    const fulfilled = results.filter((r) => r.status === 'fulfilled')
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [r.reason.code] : []))
    expect(fulfilled).toHaveLength(1)
    expect(codes).toEqual(Array(9).fill('conflict'))
    expect(store.tokens.size).toBe(1)
  })

  it('retries a lost version race instead of failing', async () => {
    const { create, store, account } = await withAccount()
    let raced = false
    store.beforeCommit = () => {
      if (raced) return
      raced = true
      // Another writer bumps the owner item between our read and our commit.
      const tag = ownerTag(account.id)
      const owner = store.owners.get(tag)
      if (owner !== undefined) store.owners.set(tag, { ...owner, version: owner.version + 1 })
    }

    const { record } = await create()

    expect(store.tokens.get(record.id)).toBeDefined()
  })
})

describe('createToken for a person (personal tokens)', () => {
  const alice = contextOf(callers.person('alice', ['analyst'], ['datasets:read', 'reports:read']))

  it('makes a tgp_ token owned by the person, creating their owner item', async () => {
    const { deps, store } = managementWorld()

    const { record, secret, owner } = await createToken(deps, alice, { name: 'laptop' })

    expect(secret.startsWith('tgp_')).toBe(true)
    expect(record).toMatchObject({
      kind: 'personal',
      owner: { type: 'user', id: 'user:dev:alice' },
      roles: ['analyst'],
      scopes: ['datasets:read', 'reports:read'],
    })
    expect(owner).toMatchObject({ ref: { type: 'user', id: 'user:dev:alice' }, otv: 1 })
    expect(await store.getOwner(owner.ref)).toEqual(owner)
  })

  it('never grants a person more than their own roles and scopes', async () => {
    const { deps } = managementWorld()

    const scope = await rejectionOf(
      createToken(deps, alice, { name: 'x', scopes: ['tokens:write'] }),
    )
    const role = await rejectionOf(createToken(deps, alice, { name: 'x', roles: ['admin'] }))

    expect([scope.code, role.code]).toEqual(['insufficient_scope', 'insufficient_scope'])
  })

  it('caps a personal token at MAX_PERSONAL_TOKEN_TTL_SECONDS, default included', async () => {
    const { deps, clock } = managementWorld({ MAX_PERSONAL_TOKEN_TTL_SECONDS: '86400' })

    const { record } = await createToken(deps, alice, { name: 'laptop' })
    const longer = await rejectionOf(
      createToken(deps, alice, { name: 'x', expiresInSeconds: 2 * 86_400 }),
    )
    const never = await rejectionOf(createToken(deps, alice, { name: 'y', expiresInSeconds: null }))

    expect(record.expiresAt).toBe(clock.now() + DAY_MS)
    expect(longer.code).toBe('invalid_request')
    expect(never.code).toBe('invalid_request')
  })

  it('bounds an admin person by the scopes they hold, and never stores tollgate:admin', async () => {
    const { deps } = managementWorld()
    const root = contextOf(
      callers.person('root', ['admin'], ['datasets:read', 'tokens:read', 'tollgate:admin']),
    )

    const { record } = await createToken(deps, root, { name: 'x' })
    const beyond = await rejectionOf(
      createToken(deps, root, { name: 'y', scopes: ['anything:at_all'] }),
    )
    const reserved = await rejectionOf(
      createToken(deps, root, { name: 'z', scopes: ['tollgate:admin'] }),
    )

    expect(record.scopes).toEqual(['datasets:read', 'tokens:read'])
    expect(beyond.code).toBe('insufficient_scope')
    expect(reserved.code).toBe('invalid_request')
  })

  it('is refused to a JWT from a personal token (no self-minting of long-lived credentials)', async () => {
    const { deps } = managementWorld()

    const error = await rejectionOf(
      createToken(deps, contextOf(callers.personal('alice')), { name: 'x' }),
    )

    expect(error.code).toBe('forbidden')
  })

  it('asks a service caller for service_account_id: services hold no personal tokens', async () => {
    const { deps } = managementWorld()

    const error = await rejectionOf(createToken(deps, admin, { name: 'x' }))

    expect(error.code).toBe('invalid_request')
  })
})
