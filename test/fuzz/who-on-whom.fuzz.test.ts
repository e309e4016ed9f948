import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Caller, RequestContext } from '../../functions/core/caller.js'
import { SERVICE_FAULTS, TollgateError } from '../../functions/core/errors.js'
import { authorizeRoute } from '../../functions/core/permissions.js'
import { holdingsOf } from '../../functions/core/rights.js'
import { ROUTES, routeKey, TOLLGATE_ADMIN_SCOPE } from '../../functions/core/routes.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import {
  regenerateToken,
  revokeToken,
  updateToken,
} from '../../functions/core/use-cases/change-token.js'
import { createToken } from '../../functions/core/use-cases/create-token.js'
import { exchangeToken } from '../../functions/core/use-cases/exchange-token.js'
import { revokeOwnerTokens } from '../../functions/core/use-cases/revoke-owner-tokens.js'
import {
  createServiceAccount,
  deleteServiceAccount,
  updateServiceAccount,
} from '../../functions/core/use-cases/service-accounts.js'
import { testSigner } from '../support/fakes.js'
import { fuzzRuns } from '../support/http-fuzz.js'
import { callers, contextOf, managementWorld } from '../support/management.js'

/**
 * docs/design.md#who-may-act-on-whom, as a property: whatever sequence of
 * management calls a non-admin makes (a helper account, a person with a
 * helpdesk role, that person's personal-token JWT, or an admin JWT narrowed
 * at the exchange), it never ends holding another owner's secret or a
 * scope it did not hold, and never changes a principal holding more than it.
 * A federated JWT (an outside workload's) changes nothing at all.
 */

const POOL = [
  'tokens:read',
  'tokens:write',
  'service-accounts:read',
  'service-accounts:write',
  'datasets:read',
  'datasets:write',
] as const
const { signer } = testSigner('ES256')

const subsetOf = <T>(items: readonly T[]) => fc.subarray([...items])

type Operation =
  | { readonly kind: 'createPersonal'; readonly scopes: string[] }
  | { readonly kind: 'createForAccount'; readonly target: number; readonly scopes: string[] }
  | { readonly kind: 'regenerate'; readonly target: number }
  | { readonly kind: 'narrow'; readonly target: number; readonly keep: string[] }
  | { readonly kind: 'revoke'; readonly target: number }
  | {
      readonly kind: 'updateAccount'
      readonly target: number
      readonly roles: string[] | undefined
      readonly scopes: string[] | undefined
    }
  | { readonly kind: 'deleteAccount'; readonly target: number }
  | { readonly kind: 'revokeAll'; readonly target: number }
  | { readonly kind: 'createAccount'; readonly roles: string[]; readonly scopes: string[] }

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('createPersonal' as const), scopes: subsetOf(POOL) }),
  fc.record({
    kind: fc.constant('createForAccount' as const),
    target: fc.nat(),
    scopes: subsetOf(POOL),
  }),
  fc.record({ kind: fc.constant('regenerate' as const), target: fc.nat() }),
  fc.record({ kind: fc.constant('narrow' as const), target: fc.nat(), keep: subsetOf(POOL) }),
  fc.record({ kind: fc.constant('revoke' as const), target: fc.nat() }),
  fc.record({
    kind: fc.constant('updateAccount' as const),
    target: fc.nat(),
    roles: fc.option(subsetOf(['admin', 'reader']), { nil: undefined }),
    scopes: fc.option(subsetOf(POOL), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('deleteAccount' as const), target: fc.nat() }),
  fc.record({ kind: fc.constant('revokeAll' as const), target: fc.nat() }),
  fc.record({
    kind: fc.constant('createAccount' as const),
    roles: subsetOf(['admin', 'reader']),
    scopes: subsetOf(POOL),
  }),
)

/** Which non-admin acts: 0 a helper account, 1 a helpdesk person, 2 their personal token, 3 a narrowed admin. */
const scenario = fc.record({
  attacker: fc.integer({ min: 0, max: 3 }),
  scopes: subsetOf(POOL),
  operations: fc.array(operation, { minLength: 1, maxLength: 8 }),
})

const world = async (attackerScopes: readonly string[]) => {
  const w = managementWorld()
  const root = await bootstrapAdmin(w.deps, { name: 'root', asFirstAdmin: true })
  const admin = contextOf(callers.admin(root.account.id))
  const ada = contextOf(
    callers.person('ada', ['admin'], [...POOL.slice(0, 4), TOLLGATE_ADMIN_SCOPE]),
  )
  await createToken(w.deps, ada, { name: 'laptop', scopes: ['tokens:read'] })
  const bob = contextOf(callers.person('bob', [], ['datasets:read']))
  await createToken(w.deps, bob, { name: 'laptop' })
  const etl = await createServiceAccount(w.deps, admin, {
    name: 'etl',
    roles: ['reader'],
    scopes: ['datasets:read', 'datasets:write'],
  })
  await createToken(w.deps, admin, { name: 'one', serviceAccountId: etl.id })
  await createToken(w.deps, admin, {
    name: 'two',
    serviceAccountId: etl.id,
    scopes: ['datasets:read'],
  })
  const helper = await createServiceAccount(w.deps, admin, {
    name: 'helper',
    roles: [],
    scopes: [...attackerScopes],
  })
  await createToken(w.deps, admin, { name: 'cron', serviceAccountId: helper.id })
  const mallory = contextOf(callers.person('mallory', ['helpdesk'], attackerScopes))
  await createToken(w.deps, mallory, { name: 'laptop' })
  const principals = [
    { type: 'service_account', id: root.account.id },
    { type: 'service_account', id: etl.id },
    { type: 'service_account', id: helper.id },
    { type: 'user', id: 'user:dev:ada' },
    { type: 'user', id: 'user:dev:bob' },
    { type: 'user', id: 'user:dev:mallory' },
  ] as const
  const attackers: Caller[] = [
    callers.service(attackerScopes, helper.id),
    mallory.caller,
    callers.personal('mallory', attackerScopes),
    {
      ...callers.service(
        attackerScopes.filter((s) => s.includes(':') && !s.startsWith('datasets')),
        root.account.id,
      ),
    },
  ]
  return { ...w, principals, attackers }
}

type World = Awaited<ReturnType<typeof world>>

/** A principal's owner item and token records, but for the use hint. */
const snapshot = async (w: World, principal: World['principals'][number]) => {
  const owner = await w.store.getOwner(principal)
  const tokens = [...w.store.tokens.values()]
    .filter((token) => token.owner.id === principal.id)
    .map((token) => ({ ...token, lastUsedAt: null }))
  return { owner, tokens }
}

const tokenIds = (w: World) => [...w.store.tokens.keys()].sort()
const pick = <T>(items: readonly T[], index: number): T => items[index % items.length] as T

/** The route each operation is, so the handler's scope check runs first, as over HTTP. */
const ROUTE_OF: Record<Operation['kind'], string> = {
  createPersonal: 'POST /access-tokens',
  createForAccount: 'POST /access-tokens',
  regenerate: 'POST /access-tokens/{id}/regenerate',
  narrow: 'PATCH /access-tokens/{id}',
  revoke: 'DELETE /access-tokens/{id}',
  updateAccount: 'PATCH /service-accounts/{id}',
  deleteAccount: 'DELETE /service-accounts/{id}',
  revokeAll: 'POST /access-tokens/revoke',
  createAccount: 'POST /service-accounts',
}

const run = async (
  w: World,
  context: RequestContext,
  op: Operation,
): Promise<string | undefined> => {
  const route = ROUTES.find((r) => routeKey(r) === ROUTE_OF[op.kind])
  if (route === undefined) throw new Error(op.kind)
  authorizeRoute(route, context.caller)
  const principal = 'target' in op ? pick(w.principals, op.target) : undefined
  const tokenId = 'target' in op ? pick(tokenIds(w), op.target) : ''
  switch (op.kind) {
    case 'createPersonal':
      return (await createToken(w.deps, context, { name: 'mine', scopes: op.scopes })).secret
    case 'createForAccount':
      return (
        await createToken(w.deps, context, {
          name: 'theirs',
          serviceAccountId: principal?.id,
          scopes: op.scopes,
        })
      ).secret
    case 'regenerate':
      return (await regenerateToken(w.deps, context, tokenId)).secret
    case 'narrow':
      await updateToken(w.deps, context, { tokenId, ifMatch: '*', scopes: op.keep })
      return undefined
    case 'revoke':
      await revokeToken(w.deps, context, tokenId)
      return undefined
    case 'updateAccount':
      await updateServiceAccount(w.deps, context, {
        id: principal?.id ?? '',
        ifMatch: '*',
        roles: op.roles,
        scopes: op.scopes,
      })
      return undefined
    case 'deleteAccount':
      await deleteServiceAccount(w.deps, context, principal?.id ?? '')
      return undefined
    case 'revokeAll':
      await revokeOwnerTokens(w.deps, context, principal?.id ?? '')
      return undefined
    case 'createAccount':
      await createServiceAccount(w.deps, context, {
        name: 'mine',
        roles: op.roles,
        scopes: op.scopes,
      })
      return undefined
  }
}

describe('who may act on whom, over generated call sequences', () => {
  it('leaves a non-admin without others’ secrets or new scopes, and admins whole', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ attacker, scopes, operations }) => {
        const w = await world(scopes)
        const caller = pick(w.attackers, attacker)
        const context = contextOf(caller)
        const self = caller.kind === 'service' ? caller.sub : 'user:dev:mallory'
        const accounts = () => w.store.accountNames.size
        const accountsBefore = accounts()

        for (const op of operations) {
          const before = new Map<string, Awaited<ReturnType<typeof snapshot>>>()
          for (const p of w.principals) before.set(p.id, await snapshot(w, p))
          let secret: string | undefined
          try {
            secret = await run(w, context, op)
          } catch (error) {
            if (!(error instanceof TollgateError) || SERVICE_FAULTS.has(error.code)) throw error
          }

          if (secret !== undefined) {
            // A secret only ever for the caller itself, a person's own personal token.
            const { claims } = await exchangeToken({ ...w.deps, signer }, { accessToken: secret })
            expect(claims.sub).toBe(self)
            expect(claims.token_type).toBe('personal')
            for (const scope of claims.scope.split(' ').filter((s) => s !== '')) {
              expect(caller.scopes).toContain(scope)
            }
            expect(claims.scope.split(' ')).not.toContain(TOLLGATE_ADMIN_SCOPE)
          }
          for (const p of w.principals) {
            const was = before.get(p.id)
            const now = await snapshot(w, p)
            const holdings = holdingsOf(was?.owner, was?.tokens ?? [])
            const holdsMore = holdings.some((scope) => !caller.scopes.includes(scope))
            const someoneElse = p.type === 'user' && p.id !== self
            if (holdsMore || someoneElse) {
              // Nobody weakens (or touches) a principal holding more, nor another person.
              expect(now, `${op.kind} on ${p.id}`).toEqual(was)
            } else {
              // What the caller may change, it may only narrow: nothing widens.
              const ceiling = now.owner?.ceiling
              for (const scope of ceiling?.scopes ?? []) {
                expect(was?.owner?.ceiling?.scopes).toContain(scope)
              }
              for (const role of ceiling?.roles ?? []) {
                expect(was?.owner?.ceiling?.roles).toContain(role)
              }
            }
          }
        }
        // No account appears: creating one needs tollgate:admin.
        expect(accounts()).toBeLessThanOrEqual(accountsBefore)
      }),
      { numRuns: fuzzRuns(60) },
    )
  })

  it('lets a federated JWT change nothing at all, whatever scopes its policy gave', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          scopes: subsetOf(POOL),
          account: fc.nat(),
          operations: fc.array(operation, { minLength: 1, maxLength: 8 }),
        }),
        async ({ scopes, account, operations }) => {
          const w = await world(scopes)
          // An outside workload's JWT for one of the accounts (DESIGN: no management write at all).
          const accounts = w.principals.filter((p) => p.type === 'service_account')
          const context = contextOf(callers.federated(scopes, pick(accounts, account).id))
          const everything = async () => Promise.all(w.principals.map((p) => snapshot(w, p)))
          const before = await everything()
          const namesBefore = w.store.accountNames.size

          for (const op of operations) {
            const outcome = await run(w, context, op).then(
              (secret) => ({ secret }),
              (error: unknown) => ({ error }),
            )
            expect(outcome, op.kind).toMatchObject({ error: { code: 'forbidden' } })
          }
          expect(await everything()).toEqual(before)
          expect(w.store.accountNames.size).toBe(namesBefore)
        },
      ),
      { numRuns: fuzzRuns(30) },
    )
  })
})
