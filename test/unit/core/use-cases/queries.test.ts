import { describe, expect, it } from 'vitest'
import type { RequestContext } from '../../../../functions/core/caller.js'
import { revokeToken } from '../../../../functions/core/use-cases/change-token.js'
import { createToken } from '../../../../functions/core/use-cases/create-token.js'
import {
  getToken,
  listServiceAccountEvents,
  listServiceAccounts,
  listTokenEvents,
  listTokens,
  type TokenFilter,
} from '../../../../functions/core/use-cases/queries.js'
import {
  createServiceAccount,
  deleteServiceAccount,
} from '../../../../functions/core/use-cases/service-accounts.js'
import { rejectionOf } from '../../../support/errors.js'
import { callers, contextOf, managementWorld } from '../../../support/management.js'

const admin = contextOf(callers.admin())
const alice = contextOf(callers.person('alice'))

/** The cursor with one character changed, well inside it (always a different cursor). */
const flipped = (cursor: string): string =>
  `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`

const world = async () => {
  const w = managementWorld()
  const etl = await createServiceAccount(w.deps, admin, { name: 'etl', roles: [], scopes: ['a:b'] })
  const bi = await createServiceAccount(w.deps, admin, { name: 'bi', roles: [], scopes: ['a:b'] })
  const ids: string[] = []
  for (let i = 0; i < 7; i++) {
    w.clock.advance(1000)
    const owner = i % 2 === 0 ? etl.id : bi.id
    ids.push(
      (await createToken(w.deps, admin, { name: `t${i}`, serviceAccountId: owner })).record.id,
    )
  }
  w.clock.advance(1000)
  const personal = await createToken(w.deps, alice, { name: 'laptop' })
  return { ...w, etl, bi, ids, personal: personal.record }
}

const everyPage = async (
  deps: Parameters<typeof listTokens>[0],
  context: RequestContext,
  filter: TokenFilter,
  limit: number,
) => {
  const seen: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = await listTokens(deps, context, filter, { limit, cursor })
    seen.push(...page.items.map((item) => item.record.id))
    cursor = page.nextCursor ?? undefined
    pages++
  } while (cursor !== undefined && pages < 100)
  return seen
}

describe('listTokens', () => {
  it('visits every token exactly once across pages, newest first', async () => {
    const { deps, ids, personal } = await world()

    const seen = await everyPage(deps, admin, {}, 3)

    expect(seen).toEqual([personal.id, ...[...ids].reverse()])
  })

  it('filters by owner through the owner index, and by name', async () => {
    const { deps, etl, ids } = await world()

    const byOwner = await everyPage(deps, admin, { owner: etl.id }, 2)
    const byName = await everyPage(deps, admin, { name: 't3' }, 100)

    expect(byOwner).toEqual([ids[6], ids[4], ids[2], ids[0]])
    expect(byName).toEqual([ids[3]])
  })

  it('derives status with the owner item and filters on it; pages may come up short', async () => {
    const { deps, ids, etl } = await world()
    await revokeToken(deps, admin, ids[1] as string)
    await deleteServiceAccount(deps, admin, etl.id)

    const revoked = await everyPage(deps, admin, { status: 'revoked' }, 2)
    const active = await everyPage(deps, admin, { status: 'active' }, 2)

    expect(revoked.sort()).toEqual([ids[0], ids[1], ids[2], ids[4], ids[6]].sort())
    expect(active).toHaveLength(3)
  })

  it('binds a cursor to the caller and the filters', async () => {
    const { deps } = await world()
    const first = await listTokens(deps, admin, { owner: undefined }, { limit: 2 })
    const cursor = first.nextCursor ?? ''
    const other = contextOf(callers.admin('sa_other_admin'))

    const foreign = await rejectionOf(listTokens(deps, other, {}, { limit: 2, cursor }))
    const refiltered = await rejectionOf(
      listTokens(deps, admin, { name: 't1' }, { limit: 2, cursor }),
    )
    const tampered = await rejectionOf(
      listTokens(deps, admin, {}, { limit: 2, cursor: flipped(cursor) }),
    )

    expect([foreign.code, refiltered.code, tampered.code]).toEqual([
      'invalid_request',
      'invalid_request',
      'invalid_request',
    ])
    expect(cursor).not.toContain('TOKEN')
  })

  it('lets a person without tokens:read list only their own tokens', async () => {
    const { deps, personal, etl } = await world()

    const own = await everyPage(deps, alice, {}, 10)
    const foreign = await rejectionOf(listTokens(deps, alice, { owner: etl.id }, { limit: 10 }))
    const bob = await everyPage(deps, contextOf(callers.person('bob')), {}, 10)

    expect(own).toEqual([personal.id])
    expect(foreign.code).toBe('insufficient_scope')
    expect(bob).toEqual([])
  })

  it('refuses a malformed owner filter', async () => {
    const { deps } = await world()

    expect(
      (await rejectionOf(listTokens(deps, admin, { owner: 'alice' }, { limit: 5 }))).code,
    ).toBe('invalid_request')
  })
})

describe('getToken', () => {
  it('shows a token to its owner and to holders of tokens:read, not_found to others', async () => {
    const { deps, personal, ids } = await world()
    const reader = contextOf(callers.service(['tokens:read']))

    expect((await getToken(deps, alice, personal.id)).record.id).toBe(personal.id)
    expect((await getToken(deps, reader, ids[0] as string)).status).toBe('active')
    expect((await rejectionOf(getToken(deps, alice, ids[0] as string))).code).toBe('not_found')
  })
})

describe('listServiceAccounts', () => {
  it('lists active accounts, newest first, without deleted ones', async () => {
    const { deps, etl, bi } = await world()
    await deleteServiceAccount(deps, admin, etl.id)

    const page = await listServiceAccounts(deps, admin, { limit: 10 })

    expect(page.items.map((a) => a.id)).toEqual([bi.id])
    expect(page.nextCursor).toBeNull()
  })
})

describe('audit trails', () => {
  it('lists a token’s events newest first, only for callers who may see it', async () => {
    const { deps, personal, clock } = await world()
    clock.advance(1000)
    await revokeToken(deps, alice, personal.id)

    const page = await listTokenEvents(deps, alice, personal.id, { limit: 10 })
    const foreign = await rejectionOf(
      listTokenEvents(deps, contextOf(callers.person('bob')), personal.id, { limit: 10 }),
    )

    expect(page.items.map((e) => e.action)).toEqual(['token.revoked', 'token.created'])
    expect(page.items[0]).toMatchObject({ actor: 'user:dev:alice', requestId: 'req-1' })
    expect(foreign.code).toBe('not_found')
  })

  it('keeps a deleted account’s trail readable', async () => {
    const { deps, etl, clock } = await world()
    clock.advance(1000)
    await deleteServiceAccount(deps, admin, etl.id)

    const page = await listServiceAccountEvents(deps, admin, etl.id, { limit: 20 })

    expect(page.items[0]?.action).toBe('service_account.deleted')
    expect(page.items.at(-1)?.action).toBe('service_account.created')
  })
})
