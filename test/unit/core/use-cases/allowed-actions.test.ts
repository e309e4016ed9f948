import { describe, expect, it } from 'vitest'
import type { Caller } from '../../../../functions/core/caller.js'
import { callerActions } from '../../../../functions/core/use-cases/allowed-actions.js'
import {
  regenerateToken,
  revokeToken,
  updateToken,
} from '../../../../functions/core/use-cases/change-token.js'
import { createToken } from '../../../../functions/core/use-cases/create-token.js'
import {
  getServiceAccount,
  getToken,
  listServiceAccounts,
  listTokens,
} from '../../../../functions/core/use-cases/queries.js'
import {
  createServiceAccount,
  deleteServiceAccount,
  updateServiceAccount,
} from '../../../../functions/core/use-cases/service-accounts.js'
import { callers, contextOf, managementWorld } from '../../../support/management.js'

const admin = contextOf(callers.admin())
const alice = callers.person('alice', [], ['datasets:read'])

/** The same world, fresh for each attempt: a service account with a token, and alice's personal token. */
const world = async () => {
  const built = managementWorld()
  const account = await createServiceAccount(built.deps, admin, {
    name: 'etl',
    roles: [],
    scopes: ['datasets:read', 'datasets:write'],
  })
  const service = await createToken(built.deps, admin, {
    name: 'ci',
    serviceAccountId: account.id,
  })
  const personal = await createToken(built.deps, contextOf(alice), { name: 'laptop' })
  return {
    ...built,
    account,
    serviceTokenId: service.record.id,
    personalTokenId: personal.record.id,
  }
}

/** Who asks: every kind of caller, and third parties holding just enough, or not quite. */
const CALLERS: Readonly<Record<string, Caller>> = {
  admin: callers.admin(),
  'writer holding all the account holds': callers.service([
    'tokens:read',
    'tokens:write',
    'service-accounts:read',
    'service-accounts:write',
    'datasets:read',
    'datasets:write',
  ]),
  'writer holding less than the account': callers.service([
    'tokens:read',
    'tokens:write',
    'service-accounts:read',
    'service-accounts:write',
    'datasets:read',
  ]),
  'reader only': callers.service(['tokens:read', 'service-accounts:read']),
  'alice, signed in': alice,
  'alice, through her personal token': callers.personal('alice', ['tokens:read', 'tokens:write']),
  'bob, signed in': callers.person('bob'),
  'a federated JWT with every scope': callers.federated([
    'tokens:read',
    'tokens:write',
    'service-accounts:read',
    'service-accounts:write',
  ]),
}

const succeeds = (attempt: Promise<unknown>): Promise<boolean> =>
  attempt.then(
    () => true,
    () => false,
  )

describe('allowed_actions of a token', () => {
  for (const [who, caller] of Object.entries(CALLERS)) {
    for (const target of ['serviceTokenId', 'personalTokenId'] as const) {
      it(`offers ${who} exactly what succeeds on the ${target === 'serviceTokenId' ? "service account's" : "alice's personal"} token`, async () => {
        const seen = await world()
        const context = contextOf(caller)
        const view = await getToken(seen.deps, context, seen[target]).catch(() => undefined)
        const attempts = {
          update: async () => {
            const fresh = await world()
            return succeeds(
              updateToken(fresh.deps, context, {
                tokenId: fresh[target],
                ifMatch: '*',
                description: 'changed',
              }),
            )
          },
          revoke: async () => {
            const fresh = await world()
            return succeeds(revokeToken(fresh.deps, context, fresh[target]))
          },
          regenerate: async () => {
            const fresh = await world()
            return succeeds(regenerateToken(fresh.deps, context, fresh[target]))
          },
        }
        const expected: string[] = []
        for (const [action, attempt] of Object.entries(attempts)) {
          if (await attempt()) expected.push(action)
        }
        // Only readers are offered anything; and what they are offered is what works.
        expect(view?.allowedActions ?? []).toEqual(view === undefined ? [] : expected)
        if (view === undefined) expect(expected).toEqual([])
      })
    }
  }

  it('offers nothing on a revoked token, and lists carry the same actions as a read', async () => {
    const seen = await world()
    await revokeToken(seen.deps, admin, seen.personalTokenId)
    const context = contextOf(callers.admin())

    const page = await listTokens(seen.deps, context, {}, { limit: 10 })

    const byId = new Map(page.items.map((item) => [item.record.id, item.allowedActions]))
    expect(byId.get(seen.personalTokenId)).toEqual([])
    expect(byId.get(seen.serviceTokenId)).toEqual(
      (await getToken(seen.deps, context, seen.serviceTokenId)).allowedActions,
    )
  })
})

describe('allowed_actions of a service account', () => {
  for (const [who, caller] of Object.entries(CALLERS)) {
    it(`offers ${who} exactly what succeeds`, async () => {
      const seen = await world()
      const context = contextOf(caller)
      const view = await getServiceAccount(seen.deps, context, seen.account.id)
      const attempts = {
        update: async () => {
          const fresh = await world()
          return succeeds(
            updateServiceAccount(fresh.deps, context, {
              id: fresh.account.id,
              ifMatch: '*',
              description: 'changed',
            }),
          )
        },
        delete: async () => {
          const fresh = await world()
          return succeeds(deleteServiceAccount(fresh.deps, context, fresh.account.id))
        },
        create_token: async () => {
          const fresh = await world()
          return succeeds(
            createToken(fresh.deps, context, { name: 'new', serviceAccountId: fresh.account.id }),
          )
        },
      }
      const expected: string[] = []
      for (const [action, attempt] of Object.entries(attempts)) {
        if (await attempt()) expected.push(action)
      }
      // The route table's scopes come first in the handler; the use cases alone are laxer.
      const routeAllows = (scope: string) =>
        caller.kind !== 'federated' && caller.scopes.includes(scope)
      const offered = expected.filter((action) =>
        action === 'create_token'
          ? routeAllows('tokens:write')
          : routeAllows('service-accounts:write'),
      )
      expect(view.allowedActions).toEqual(offered)
      const page = await listServiceAccounts(seen.deps, context, { limit: 10 })
      expect(page.items.find((item) => item.id === seen.account.id)?.allowedActions).toEqual(
        view.allowedActions,
      )
    })
  }
})

describe('callerActions', () => {
  for (const [who, caller] of Object.entries(CALLERS)) {
    it(`offers ${who} the creations that succeed`, async () => {
      const fresh = managementWorld()
      const context = contextOf(caller)
      const personal = await succeeds(createToken(fresh.deps, context, { name: 'mine' }))
      const account = await succeeds(
        createServiceAccount(fresh.deps, context, { name: 'svc', roles: [], scopes: [] }),
      )

      const offered = callerActions(caller)

      expect(offered.includes('create_personal_token')).toBe(
        personal && caller.kind !== 'federated',
      )
      expect(offered.includes('create_service_account')).toBe(
        account && caller.kind !== 'federated',
      )
    })
  }

  it('never offers a personal-token session a way to create tokens', () => {
    expect(callerActions(callers.personal('alice', ['tokens:read', 'tokens:write']))).toEqual([])
  })
})
