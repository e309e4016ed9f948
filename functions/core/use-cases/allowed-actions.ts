import type { Caller } from '../caller.js'
import type { TollgateError } from '../errors.js'
import { isSameOwner } from '../owners.js'
import { routeRefusal } from '../permissions.js'
import type { TokenReader } from '../ports.js'
import type { OwnerRecord, ServiceAccount } from '../records.js'
import { adminRefusal, derivedCredentialRefusal, holdsAdmin } from '../rights.js'
import { ROUTES, type RouteKey, routeKey } from '../routes.js'
import type { TokenState } from '../token-state.js'
import { personalTokenRefusal, serviceAccountTokenRefusal } from './create-token.js'
import { accountChangeRefusal } from './service-accounts.js'
import {
  accountHoldings,
  needsAccountHoldings,
  type TokenOperation,
  tokenRefusalReason,
} from './token-access.js'

/**
 * What a caller may do to what it reads (`allowed_actions`), decided by the
 * very checks the write routes run: the route's scopes (`routeRefusal`),
 * then the use case's own rule of who may act on whom. A UI shows only
 * these; the server still decides every call.
 */

export type TokenAction = 'update' | 'revoke' | 'regenerate'
export type ServiceAccountAction = 'update' | 'delete' | 'create_token'
export type CallerAction = 'create_personal_token' | 'create_service_account'

const ROUTE_BY_KEY = new Map(ROUTES.map((route) => [routeKey(route) as string, route]))
const routeAllows = (key: RouteKey, caller: Caller): boolean => {
  const route = ROUTE_BY_KEY.get(key)
  return route !== undefined && routeRefusal(route, caller) === undefined
}
const none = (...refusals: readonly (TollgateError | undefined)[]): boolean =>
  refusals.every((refused) => refused === undefined)

const TOKEN_ACTIONS: readonly {
  readonly action: TokenAction
  readonly route: RouteKey
  readonly operation: Exclude<TokenOperation, 'read'>
}[] = [
  { action: 'update', route: 'PATCH /access-tokens/{id}', operation: 'change' },
  { action: 'revoke', route: 'DELETE /access-tokens/{id}', operation: 'change' },
  { action: 'regenerate', route: 'POST /access-tokens/{id}/regenerate', operation: 'regenerate' },
]

/** A token the caller reads, with its own owner item (undefined if gone). */
export interface TokenWithOwner {
  readonly state: TokenState
  readonly owner: OwnerRecord | undefined
}

/**
 * The actions on each token, by token id. Only a usable token changes; the
 * holdings of a service account are read once per account, and only for a
 * caller whom they concern (`needsAccountHoldings`).
 */
export const tokenActions = async (
  store: Pick<TokenReader, 'getTokens'>,
  caller: Caller,
  tokens: readonly TokenWithOwner[],
): Promise<ReadonlyMap<string, readonly TokenAction[]>> => {
  const holdingsByOwner = new Map<string, Promise<readonly string[]>>()
  const holdingsOf = ({ state, owner }: TokenWithOwner): Promise<readonly string[]> => {
    if (!needsAccountHoldings(caller, state.record, 'change')) return Promise.resolve([])
    const key = state.record.owner.id
    let held = holdingsByOwner.get(key)
    if (held === undefined) {
      const known = tokens
        .filter((other) => isSameOwner(other.state.record.owner, state.record.owner))
        .map((other) => other.state.record)
      held = accountHoldings(store, owner, known)
      holdingsByOwner.set(key, held)
    }
    return held
  }
  const entries = await Promise.all(
    tokens.map(async (token): Promise<readonly [string, readonly TokenAction[]]> => {
      const { state, owner } = token
      if (state.status !== 'active' || owner === undefined) return [state.record.id, []]
      const holdings = await holdingsOf(token)
      const allowed = TOKEN_ACTIONS.filter(
        ({ route, operation }) =>
          routeAllows(route, caller) &&
          (operation !== 'regenerate' ||
            derivedCredentialRefusal(caller, 'regenerate access tokens') === undefined) &&
          tokenRefusalReason(caller, state.record, operation, holdings) === undefined,
      ).map(({ action }) => action)
      return [state.record.id, allowed]
    }),
  )
  return new Map(entries)
}

/** An active service account the caller reads, with its owner item. */
export interface AccountWithOwner {
  readonly account: ServiceAccount
  readonly owner: OwnerRecord
}

/** The actions on each service account, by account id. */
export const serviceAccountActions = async (
  store: Pick<TokenReader, 'getTokens'>,
  caller: Caller,
  accounts: readonly AccountWithOwner[],
): Promise<ReadonlyMap<string, readonly ServiceAccountAction[]>> => {
  const update = routeAllows('PATCH /service-accounts/{id}', caller)
  const remove = routeAllows('DELETE /service-accounts/{id}', caller)
  const mayChange =
    (update || remove) && none(derivedCredentialRefusal(caller, 'change service accounts'))
  const createToken =
    routeAllows('POST /access-tokens', caller) &&
    none(
      derivedCredentialRefusal(caller, 'create access tokens'),
      serviceAccountTokenRefusal(caller),
    )
  const entries = await Promise.all(
    accounts.map(async ({ account, owner }) => {
      const holdings =
        mayChange && !holdsAdmin(caller) ? await accountHoldings(store, owner, []) : []
      const change = mayChange && none(accountChangeRefusal(caller, owner, false, holdings))
      const allowed: ServiceAccountAction[] = []
      if (change && update) allowed.push('update')
      if (change && remove) allowed.push('delete')
      if (createToken) allowed.push('create_token')
      return [account.id, allowed] as const
    }),
  )
  return new Map(entries)
}

/** What the caller may create: what a UI offers before anything is read. */
export const callerActions = (caller: Caller): readonly CallerAction[] => {
  const actions: CallerAction[] = []
  if (
    routeAllows('POST /access-tokens', caller) &&
    none(derivedCredentialRefusal(caller, 'create access tokens'), personalTokenRefusal(caller))
  ) {
    actions.push('create_personal_token')
  }
  if (
    routeAllows('POST /service-accounts', caller) &&
    none(
      derivedCredentialRefusal(caller, 'change service accounts'),
      adminRefusal(caller, 'create service accounts'),
    )
  ) {
    actions.push('create_service_account')
  }
  return actions
}
