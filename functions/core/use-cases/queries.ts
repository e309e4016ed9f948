import { holdsScope, isPerson, type RequestContext } from '../caller.js'
import { type CursorBinding, cursorKey, openCursor, sealCursor } from '../cursor.js'
import { TollgateError } from '../errors.js'
import { isSameOwner, type OwnerRef, parseOwnerId } from '../owners.js'
import type { Clock, Secrets, Store } from '../ports.js'
import type {
  AuditEvent,
  AuditSubject,
  OwnerRecord,
  ServiceAccount,
  TokenStatus,
} from '../records.js'
import { serviceAccountOf } from '../records.js'
import { type TokenState, tokenState } from '../token-state.js'
import { isTrustPolicyId, type TrustPolicy } from '../trust-policy.js'
import {
  type AccountWithOwner,
  type ServiceAccountAction,
  serviceAccountActions,
  type TokenAction,
  type TokenWithOwner,
  tokenActions,
} from './allowed-actions.js'
import { readAccount } from './service-accounts.js'
import { readTokenFor } from './token-access.js'

export interface QueryDependencies {
  readonly store: Store
  readonly secrets: Secrets
  readonly clock: Clock
}

export interface PageQuery {
  readonly limit: number
  readonly cursor?: string | undefined
}

export interface ListPage<T> {
  readonly items: readonly T[]
  /** Opaque, sealed and bound to the caller and filters; null on the last page. */
  readonly nextCursor: string | null
}

/** A token as its reader sees it: its state, and what this reader may do to it. */
export interface TokenView extends TokenState {
  readonly allowedActions: readonly TokenAction[]
}

/** A service account as its reader sees it, with what this reader may do to it. */
export interface ServiceAccountView extends ServiceAccount {
  readonly allowedActions: readonly ServiceAccountAction[]
}

/** One token the caller may see, with its derived status. */
export const getToken = async (
  deps: QueryDependencies,
  context: RequestContext,
  tokenId: string,
): Promise<TokenView> => {
  const { token, owner } = await readTokenFor(deps.store, context.caller, tokenId, 'read')
  const [view] = await tokenViews(deps, context, [
    { state: tokenState(token, owner, deps.clock.now()), owner },
  ])
  return view as TokenView
}

const tokenViews = async (
  deps: QueryDependencies,
  context: RequestContext,
  tokens: readonly TokenWithOwner[],
): Promise<TokenView[]> => {
  const actions = await tokenActions(deps.store, context.caller, tokens)
  return tokens.map(({ state }) => ({
    ...state,
    allowedActions: actions.get(state.record.id) ?? [],
  }))
}

/** One active service account, with what the caller may do to it. */
export const getServiceAccount = async (
  deps: QueryDependencies,
  context: RequestContext,
  accountId: string,
): Promise<ServiceAccountView> => {
  const { owner, account } = await readAccount(deps, accountId)
  const [view] = await accountViews(deps, context, [{ owner, account }])
  return view as ServiceAccountView
}

const accountViews = async (
  deps: QueryDependencies,
  context: RequestContext,
  accounts: readonly AccountWithOwner[],
): Promise<ServiceAccountView[]> => {
  const actions = await serviceAccountActions(deps.store, context.caller, accounts)
  return accounts.map(({ account }) => ({
    ...account,
    allowedActions: actions.get(account.id) ?? [],
  }))
}

export interface TokenFilter {
  readonly owner?: string | undefined
  readonly name?: string | undefined
  readonly status?: TokenStatus | undefined
}

/**
 * Lists tokens, newest first. With `tokens:read` across owners
 * or for one (`owner`), through an index, never a scan; a person without it
 * lists their own. Status is derived with each token's owner item, so a page
 * may hold fewer than `limit` items while more follow.
 */
export const listTokens = async (
  deps: QueryDependencies,
  context: RequestContext,
  filter: TokenFilter,
  page: PageQuery,
): Promise<ListPage<TokenView>> => {
  const { caller } = context
  let owner: OwnerRef | undefined
  if (filter.owner !== undefined) {
    owner = parseOwnerId(filter.owner)
    if (owner === undefined) {
      throw new TollgateError(
        'invalid_request',
        'owner must be a service account id or user:<issuer>:<sub>.',
      )
    }
  }
  if (!holdsScope(caller, 'tokens:read')) {
    // The route let this caller in as a person managing their own tokens.
    const self: OwnerRef = { type: 'user', id: caller.sub }
    if (!isPerson(caller) || (owner !== undefined && !isSameOwner(owner, self))) {
      throw new TollgateError(
        'insufficient_scope',
        'Listing tokens other than your own needs tokens:read.',
      )
    }
    owner = self
  }
  const binding: CursorBinding = {
    caller: caller.sub,
    query: { route: 'tokens', owner: owner?.id, name: filter.name, status: filter.status },
  }
  return paged(deps, binding, page, async (after) => {
    const found = await deps.store.listTokens(
      { owner, name: filter.name },
      { limit: page.limit, after },
    )
    const owners = await deps.store.getOwners(
      distinctOwners(found.items.map((token) => token.owner)),
    )
    const now = deps.clock.now()
    const shown = found.items
      .map((token) => {
        const owner = owners.find((o) => isSameOwner(o.ref, token.owner))
        return { state: tokenState(token, owner, now), owner }
      })
      .filter(({ state }) => filter.status === undefined || state.status === filter.status)
    return { items: await tokenViews(deps, context, shown), next: found.next }
  })
}

/** Active service accounts, newest first. */
export const listServiceAccounts = (
  deps: QueryDependencies,
  context: RequestContext,
  page: PageQuery,
): Promise<ListPage<ServiceAccountView>> =>
  paged(
    deps,
    { caller: context.caller.sub, query: { route: 'service-accounts' } },
    page,
    async (after) => {
      const found = await deps.store.listServiceAccounts({ limit: page.limit, after })
      const accounts = found.items.flatMap((owner) => {
        const account = serviceAccountOf(owner)
        return account === undefined ? [] : [{ owner, account }]
      })
      return { items: await accountViews(deps, context, accounts), next: found.next }
    },
  )

/** A token's audit trail, newest first; only for a token the caller may see. */
export const listTokenEvents = async (
  deps: QueryDependencies,
  context: RequestContext,
  tokenId: string,
  page: PageQuery,
): Promise<ListPage<AuditEvent>> => {
  await readTokenFor(deps.store, context.caller, tokenId, 'read')
  return listEvents(deps, context, { type: 'token', id: tokenId }, page)
}

/** A service account's audit trail, newest first, also once it is deleted. */
export const listServiceAccountEvents = async (
  deps: QueryDependencies,
  context: RequestContext,
  accountId: string,
  page: PageQuery,
): Promise<ListPage<AuditEvent>> => {
  const ref = parseOwnerId(accountId)
  const owner: OwnerRecord | undefined =
    ref?.type === 'service_account' ? await deps.store.getOwner(ref) : undefined
  if (owner?.account === undefined) throw new TollgateError('not_found', 'No such service account.')
  return listEvents(deps, context, { type: 'service_account', id: accountId }, page)
}

/** Every trust policy, by id (the route needs `tollgate:admin`). */
export const listTrustPolicies = (
  deps: QueryDependencies,
  context: RequestContext,
  page: PageQuery,
): Promise<ListPage<TrustPolicy>> =>
  paged(deps, { caller: context.caller.sub, query: { route: 'trust-policies' } }, page, (after) =>
    deps.store.listTrustPolicies({ limit: page.limit, after }),
  )

/**
 * A trust policy's audit trail, newest first, also once it is deleted (its
 * last record says who deleted it); `not_found` for an id that never had one.
 */
export const listTrustPolicyEvents = async (
  deps: QueryDependencies,
  context: RequestContext,
  policyId: string,
  page: PageQuery,
): Promise<ListPage<AuditEvent>> => {
  if (!isTrustPolicyId(policyId)) throw new TollgateError('not_found', 'No such trust policy.')
  const found = await listEvents(deps, context, { type: 'trust_policy', id: policyId }, page)
  if (found.items.length === 0 && page.cursor === undefined) {
    throw new TollgateError('not_found', 'No such trust policy.')
  }
  return found
}

const listEvents = (
  deps: QueryDependencies,
  context: RequestContext,
  subject: AuditSubject,
  page: PageQuery,
): Promise<ListPage<AuditEvent>> =>
  paged(
    deps,
    { caller: context.caller.sub, query: { route: `events:${subject.type}:${subject.id}` } },
    page,
    (after) => deps.store.listEvents(subject, { limit: page.limit, after }),
  )

/** Opens the cursor, reads one page, seals where the next one starts. */
const paged = async <T>(
  deps: QueryDependencies,
  binding: CursorBinding,
  page: PageQuery,
  read: (after: unknown) => Promise<{ readonly items: readonly T[]; readonly next: unknown }>,
): Promise<ListPage<T>> => {
  const key = cursorKey((await deps.secrets.currentPepper()).key)
  const after = page.cursor === undefined ? undefined : openCursor(key, binding, page.cursor)
  const found = await read(after)
  return {
    items: found.items,
    nextCursor: found.next === undefined ? null : sealCursor(key, binding, found.next),
  }
}

const distinctOwners = (owners: readonly OwnerRef[]): OwnerRef[] => {
  const seen = new Map<string, OwnerRef>()
  for (const owner of owners) seen.set(owner.id, owner)
  return [...seen.values()]
}
