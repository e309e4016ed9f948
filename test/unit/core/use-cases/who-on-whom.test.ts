import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../../functions/core/config.js'
import { authorizeRoute } from '../../../../functions/core/permissions.js'
import { ROUTES, routeKey } from '../../../../functions/core/routes.js'
import { callerOfClaims } from '../../../../functions/core/use-cases/authenticate-caller.js'
import { bootstrapAdmin } from '../../../../functions/core/use-cases/bootstrap-admin.js'
import {
  regenerateToken,
  revokeToken,
  updateToken,
} from '../../../../functions/core/use-cases/change-token.js'
import { createToken } from '../../../../functions/core/use-cases/create-token.js'
import { exchangeToken } from '../../../../functions/core/use-cases/exchange-token.js'
import { getToken } from '../../../../functions/core/use-cases/queries.js'
import { revokeOwnerTokens } from '../../../../functions/core/use-cases/revoke-owner-tokens.js'
import {
  createServiceAccount,
  deleteServiceAccount,
  updateServiceAccount,
} from '../../../../functions/core/use-cases/service-accounts.js'
import { errorOf, rejectionOf } from '../../../support/errors.js'
import { testSigner } from '../../../support/fakes.js'
import { callers, contextOf, managementWorld } from '../../../support/management.js'

/**
 * The attacker's tests (docs/design.md#who-may-act-on-whom): each uses a third
 * party with just enough scope, a narrowed admin JWT, a personal-token JWT or
 * another person — never only the owner or an admin.
 */

const { signer } = testSigner('ES256')

/** The caller a JWT establishes, as authenticateCaller builds it. */
const callerOf = callerOfClaims

const route = (key: string) => {
  const found = ROUTES.find((r) => routeKey(r) === key)
  if (found === undefined) throw new Error(key)
  return found
}

/** A table with a bootstrap admin, a person admin's personal token and a helper account. */
const world = async () => {
  const w = managementWorld()
  const mint = (accessToken: string, scope?: string) =>
    exchangeToken({ ...w.deps, signer }, { accessToken, scope })
  const boot = await bootstrapAdmin(w.deps, { name: 'root', asFirstAdmin: true })
  const admin = contextOf(callerOf((await mint(boot.secret)).claims))
  const adminPerson = contextOf(callers.person('ada', ['admin'], ['tokens:read', 'tollgate:admin']))
  const adaToken = await createToken(w.deps, adminPerson, { name: 'laptop' })
  /** A helper account with `tokens:write` and no role: the janitor of the finding. */
  const janitorAccount = await createServiceAccount(w.deps, admin, {
    name: 'janitor',
    roles: [],
    scopes: ['tokens:write', 'tokens:read', 'service-accounts:write', 'service-accounts:read'],
  })
  const janitorToken = await createToken(w.deps, admin, {
    name: 'cron',
    serviceAccountId: janitorAccount.id,
  })
  const janitor = contextOf(callerOf((await mint(janitorToken.secret)).claims))
  return { ...w, mint, boot, admin, adminPerson, adaToken, janitorAccount, janitor }
}

describe('finding 1: no takeover of another owner’s secret', () => {
  it('refuses a janitor with tokens:write regenerating an admin’s personal token', async () => {
    const { deps, janitor, adaToken } = await world()

    const error = await rejectionOf(regenerateToken(deps, janitor, adaToken.record.id))

    expect(error.code).toBe('forbidden')
  })

  it('answers 404 to a caller who cannot even read the token', async () => {
    const { deps, adaToken } = await world()
    const writer = contextOf(callers.service(['tokens:write'], 'sa_writer'))

    expect((await rejectionOf(regenerateToken(deps, writer, adaToken.record.id))).code).toBe(
      'not_found',
    )
  })

  it('refuses a person whose role maps to tokens:write on another person’s token', async () => {
    const { deps, adaToken } = await world()
    const mallory = contextOf(callers.person('mallory', ['helpdesk'], ['tokens:write']))

    const regenerate = await rejectionOf(regenerateToken(deps, mallory, adaToken.record.id))
    const revoke = await rejectionOf(revokeToken(deps, mallory, adaToken.record.id))

    expect(regenerate.code).toBe('not_found')
    expect(revoke.code).toBe('not_found')
  })

  it('refuses even an admin regenerating another person’s token; the owner may', async () => {
    const { deps, admin, adminPerson, adaToken } = await world()

    const error = await rejectionOf(regenerateToken(deps, admin, adaToken.record.id))
    const own = await regenerateToken(deps, adminPerson, adaToken.record.id)

    expect(error.code).toBe('forbidden')
    expect(own.secret).toMatch(/^tgp_/)
  })

  it('refuses a personal-token JWT regenerating or creating, even its owner’s', async () => {
    const { deps, adaToken } = await world()
    const fromLaptop = contextOf({ ...callers.personal('ada', ['tokens:read']), roles: ['admin'] })

    expect((await rejectionOf(regenerateToken(deps, fromLaptop, adaToken.record.id))).code).toBe(
      'forbidden',
    )
    expect((await rejectionOf(createToken(deps, fromLaptop, { name: 'more' }))).code).toBe(
      'forbidden',
    )
  })
})

describe('finding 2: a narrowed admin JWT is narrowed', () => {
  it('drops tollgate:admin and the admin role claim when the exchange asks for less', async () => {
    const { mint, boot } = await world()

    const { claims } = await mint(boot.secret, 'tokens:read')

    expect(claims.scope).toBe('tokens:read')
    expect(claims.roles).not.toContain('admin')
  })

  it('creates no account, mints no token and revokes no owner with that JWT', async () => {
    const { deps, mint, boot, janitorAccount, adaToken } = await world()
    const reader = contextOf(callerOf((await mint(boot.secret, 'tokens:read')).claims))

    const account = await rejectionOf(
      createServiceAccount(deps, reader, { name: 'evil', roles: ['admin'], scopes: [] }),
    )
    const token = await rejectionOf(
      createToken(deps, reader, { name: 'evil', serviceAccountId: janitorAccount.id }),
    )
    const revokeAll = await rejectionOf(revokeOwnerTokens(deps, reader, adaToken.owner.ref.id))

    expect([account.code, token.code, revokeAll.code]).toEqual([
      'insufficient_scope',
      'insufficient_scope',
      'insufficient_scope',
    ])
    for (const key of ['POST /service-accounts', 'POST /access-tokens/revoke']) {
      expect(errorOf(() => authorizeRoute(route(key), reader.caller)).code).toBe(
        'insufficient_scope',
      )
    }
  })

  it('keeps tollgate:admin for an admin token exchanged whole (data made before still works)', async () => {
    const { deps, admin, janitorAccount } = await world()

    const created = await createToken(deps, admin, {
      name: 'second',
      serviceAccountId: janitorAccount.id,
    })

    expect(admin.caller.scopes).toContain('tollgate:admin')
    expect(created.secret).toMatch(/^tgs_/)
  })

  it('never gives a personal token tollgate:admin, whatever its roles', async () => {
    const { mint, adaToken } = await world()

    const { claims } = await mint(adaToken.secret)

    expect(claims.scope.split(' ')).not.toContain('tollgate:admin')
    expect(claims.roles).not.toContain('admin')
  })
})

describe('finding 3: no lockout of admins by a helper', () => {
  it('refuses a non-admin stripping the roles of, or deleting, an admin account', async () => {
    const { deps, janitor, boot } = await world()

    const strip = await rejectionOf(
      updateServiceAccount(deps, janitor, { id: boot.account.id, ifMatch: '*', roles: [] }),
    )
    const remove = await rejectionOf(deleteServiceAccount(deps, janitor, boot.account.id))

    expect(strip.code).toBe('forbidden')
    expect(remove.code).toBe('forbidden')
  })

  it('refuses a non-admin narrowing or revoking an admin’s token, or another person’s', async () => {
    const { deps, janitor, boot, adaToken } = await world()

    const narrow = await rejectionOf(
      updateToken(deps, janitor, { tokenId: boot.token.id, ifMatch: '*', scopes: [] }),
    )
    const revoke = await rejectionOf(revokeToken(deps, janitor, boot.token.id))
    const revokePerson = await rejectionOf(revokeToken(deps, janitor, adaToken.record.id))

    expect([narrow.code, revoke.code, revokePerson.code]).toEqual([
      'forbidden',
      'forbidden',
      'forbidden',
    ])
  })

  it('lets a non-admin change an account when its JWT holds all that account holds', async () => {
    const { deps, admin, janitor } = await world()
    const etl = await createServiceAccount(deps, admin, {
      name: 'etl',
      roles: [],
      scopes: ['tokens:read'],
    })
    const token = await createToken(deps, admin, { name: 'ci', serviceAccountId: etl.id })

    const narrowed = await updateServiceAccount(deps, janitor, {
      id: etl.id,
      ifMatch: '*',
      scopes: [],
    })
    const revoked = await revokeToken(deps, janitor, token.record.id)

    expect(narrowed.scopes).toEqual([])
    expect(revoked.status).toBe('revoked')
  })

  it('counts a token’s own scopes that a narrower ceiling only hides', async () => {
    const { deps, admin } = await world()
    const etl = await createServiceAccount(deps, admin, {
      name: 'etl',
      roles: [],
      scopes: ['datasets:read', 'datasets:write'],
    })
    await createToken(deps, admin, { name: 'ci', serviceAccountId: etl.id })
    await updateServiceAccount(deps, admin, { id: etl.id, ifMatch: '*', scopes: ['datasets:read'] })
    const helper = contextOf(
      callers.service(['service-accounts:read', 'service-accounts:write', 'datasets:read']),
    )

    const error = await rejectionOf(deleteServiceAccount(deps, helper, etl.id))

    expect(error.code).toBe('forbidden')
  })

  it('answers 404 to a non-admin that cannot read accounts', async () => {
    const { deps, boot } = await world()
    const writer = contextOf(callers.service(['service-accounts:write'], 'sa_writer'))

    expect((await rejectionOf(deleteServiceAccount(deps, writer, boot.account.id))).code).toBe(
      'not_found',
    )
  })

  it('needs tollgate:admin to widen, even for a caller holding the new scopes', async () => {
    const { deps, janitor, janitorAccount } = await world()

    const error = await rejectionOf(
      updateServiceAccount(deps, janitor, {
        id: janitorAccount.id,
        ifMatch: '*',
        roles: ['admin'],
      }),
    )

    expect(error.code).toBe('insufficient_scope')
  })
})

describe('self-service and the reserved scope', () => {
  it('lets a personal-token JWT read, narrow and revoke its owner’s personal tokens', async () => {
    const { deps, adaToken } = await world()
    const fromLaptop = contextOf(callers.personal('ada'))

    const read = await getToken(deps, fromLaptop, adaToken.record.id)
    const narrowed = await updateToken(deps, fromLaptop, {
      tokenId: adaToken.record.id,
      ifMatch: '*',
      scopes: [],
    })
    const revoked = await revokeToken(deps, fromLaptop, adaToken.record.id)

    expect(read.record.id).toBe(adaToken.record.id)
    expect(narrowed.record.scopes).toEqual([])
    expect(revoked.status).toBe('revoked')
  })

  it('refuses a personal-token JWT on anyone else’s token, whatever its scopes', async () => {
    const { deps, janitorAccount, admin } = await world()
    const other = await createToken(deps, admin, {
      name: 'other',
      serviceAccountId: janitorAccount.id,
    })
    const fromLaptop = contextOf(callers.personal('bob', ['tokens:read', 'tokens:write']))

    expect((await rejectionOf(revokeToken(deps, fromLaptop, other.record.id))).code).toBe(
      'forbidden',
    )
  })

  it('lets an admin revoke another person’s token, never regenerate it', async () => {
    const { deps, admin, adaToken } = await world()

    const revoked = await revokeToken(deps, admin, adaToken.record.id)

    expect(revoked.status).toBe('revoked')
  })

  it('refuses tollgate:admin as a stored scope, in ROUTE_SCOPES and in ROLE_SCOPES', async () => {
    const { deps, admin, janitorAccount } = await world()

    const account = await rejectionOf(
      createServiceAccount(deps, admin, { name: 'x', roles: [], scopes: ['tollgate:admin'] }),
    )
    const widen = await rejectionOf(
      updateServiceAccount(deps, admin, {
        id: janitorAccount.id,
        ifMatch: '*',
        scopes: ['tollgate:admin'],
      }),
    )

    expect(account.code).toBe('invalid_request')
    expect(widen.code).toBe('invalid_request')
    expect(() => parseConfig({ ROUTE_SCOPES: '{"GET /x": "tollgate:admin"}' })).toThrow(
      /ROUTE_SCOPES/,
    )
    expect(() => parseConfig({ ROLE_SCOPES: '{"ops": ["tollgate:admin"]}' })).toThrow(/ROLE_SCOPES/)
  })
})
