import { type Caller, holdsScope, type RequestContext } from '../caller.js'
import { auditEvent, denyEntry, newEventId } from '../changes.js'
import type { Config } from '../config.js'
import { TollgateError } from '../errors.js'
import { description, isSubset, permissionNames, resourceName } from '../names.js'
import { nextOwner } from '../owner-tokens.js'
import { newServiceAccountId, type OwnerRef, parseOwnerId } from '../owners.js'
import type { Clock, OwnerReader, TokenReader, UnitOfWork, WriteIntent } from '../ports.js'
import { checkIfMatch, type IfMatch } from '../preconditions.js'
import {
  EVERY_GENERATION,
  type OwnerRecord,
  type ServiceAccount,
  serviceAccountOf,
} from '../records.js'
import {
  adminRefusal,
  holdsAdmin,
  holdsAllOf,
  refuseDerivedCredential,
  requireAdmin,
  storableScopes,
} from '../rights.js'
import { commitExplained, retryOnConflict } from './retry-on-conflict.js'
import { accountHoldings } from './token-access.js'

export interface ServiceAccountDependencies {
  readonly store: OwnerReader & Pick<TokenReader, 'getTokens'> & UnitOfWork
  readonly clock: Clock
  readonly config: Pick<Config, 'maxJwtDurationSeconds'>
}

export interface ServiceAccountFields {
  readonly name: string
  readonly description?: string | undefined
  readonly roles: readonly string[]
  readonly scopes: readonly string[]
}

/**
 * Creates a service account (`tollgate:admin`): its owner item, holding its
 * ceiling and (empty) token list, and the reservation of its unique name.
 */
export const createServiceAccount = async (
  deps: ServiceAccountDependencies,
  context: RequestContext,
  fields: ServiceAccountFields,
): Promise<ServiceAccount> => {
  refuseDerivedCredential(context.caller, 'change service accounts')
  requireAdmin(context.caller, 'create service accounts')
  const now = deps.clock.now()
  const owner: OwnerRecord = {
    ref: { type: 'service_account', id: newServiceAccountId() },
    status: 'active',
    account: {
      name: resourceName('name', fields.name),
      description: description(fields.description ?? ''),
      createdAt: now,
      createdBy: context.caller.sub,
      version: 1,
    },
    ceiling: {
      roles: permissionNames('roles', fields.roles),
      scopes: storableScopes('scopes', fields.scopes),
    },
    tokens: [],
    otv: 1,
    version: 1,
    lastRevocation: undefined,
    deletedAt: undefined,
  }
  const account = serviceAccountOf(owner) as ServiceAccount
  await commitExplained(
    deps.store,
    [
      { kind: 'createOwner', owner },
      { kind: 'reserveAccountName', name: account.name, accountId: account.id },
      audit(context, account.id, 'service_account.created', viewFields(account), now),
    ],
    {
      reserveAccountName: NAME_TAKEN,
      createOwner: 'A service account with this id exists; try again.',
    },
  )
  return account
}

const NAME_TAKEN = 'A service account with this name already exists.'

export interface UpdateServiceAccountRequest extends Partial<ServiceAccountFields> {
  readonly id: string
  readonly ifMatch: IfMatch
}

/**
 * Changes a service account (`PATCH`, If-Match on the account's ETag).
 * Widening roles or scopes needs `tollgate:admin`, and never widens existing
 * tokens (each keeps its own). Any other change needs `tollgate:admin` or a
 * JWT holding all the account holds. Narrowing bumps `otv`, so JWTs minted
 * before are denied, and every token is capped at the new ceiling at its
 * next exchange.
 */
export const updateServiceAccount = async (
  deps: ServiceAccountDependencies,
  context: RequestContext,
  request: UpdateServiceAccountRequest,
): Promise<ServiceAccount> => {
  refuseDerivedCredential(context.caller, 'change service accounts')
  return retryOnConflict(async () => {
    const now = deps.clock.now()
    const { owner, account } = await readAccount(deps, request.id)
    const roles =
      request.roles === undefined ? account.roles : permissionNames('roles', request.roles)
    const scopes =
      request.scopes === undefined ? account.scopes : storableScopes('scopes', request.scopes)
    const widening = !isSubset(roles, account.roles) || !isSubset(scopes, account.scopes)
    await authorizeAccountChange(deps, context.caller, owner, widening)
    checkIfMatch(request.ifMatch, account.version)
    const narrowing = !isSubset(account.roles, roles) || !isSubset(account.scopes, scopes)
    const name = request.name === undefined ? account.name : resourceName('name', request.name)
    const text =
      request.description === undefined ? account.description : description(request.description)
    const updatedOwner = nextOwner(owner, {
      account: {
        ...(owner.account as NonNullable<OwnerRecord['account']>),
        name,
        description: text,
        version: account.version + 1,
      },
      ceiling: { roles, scopes },
      otv: narrowing ? owner.otv + 1 : owner.otv,
    })
    const updated = serviceAccountOf(updatedOwner) as ServiceAccount
    const changes = Object.fromEntries(
      Object.entries(viewFields(updated)).filter(
        ([field, value]) => JSON.stringify(value) !== JSON.stringify(viewFields(account)[field]),
      ),
    )
    if (Object.keys(changes).length === 0) return account
    const intents: WriteIntent[] = [
      { kind: 'updateOwner', owner: updatedOwner, expectedVersion: owner.version },
    ]
    if (name !== account.name) {
      intents.push(
        { kind: 'releaseAccountName', name: account.name, accountId: account.id },
        { kind: 'reserveAccountName', name, accountId: account.id },
      )
    }
    if (narrowing) intents.push(denyOwner(deps, account.id, updatedOwner.otv, now))
    intents.push(audit(context, account.id, 'service_account.updated', changes, now))
    await commitExplained(deps.store, intents, { reserveAccountName: NAME_TAKEN })
    return updated
  })
}

/**
 * Deletes a service account: every one of its tokens becomes unusable at
 * once through its owner item (no write per token), its JWTs are denied,
 * and its name is free again. The item stays, marked deleted, for audit.
 */
export const deleteServiceAccount = async (
  deps: ServiceAccountDependencies,
  context: RequestContext,
  id: string,
): Promise<void> => {
  refuseDerivedCredential(context.caller, 'change service accounts')
  return retryOnConflict(async () => {
    const now = deps.clock.now()
    const { owner, account } = await readAccount(deps, id)
    await authorizeAccountChange(deps, context.caller, owner, false)
    const eventId = newEventId()
    await deps.store.commit([
      {
        kind: 'updateOwner',
        owner: nextOwner(owner, {
          status: 'deleted',
          tokens: [],
          otv: owner.otv + 1,
          deletedAt: now,
          lastRevocation: { at: now, by: context.caller.sub, eventId },
        }),
        expectedVersion: owner.version,
      },
      { kind: 'releaseAccountName', name: account.name, accountId: account.id },
      denyOwner(deps, account.id, EVERY_GENERATION, now),
      audit(context, account.id, 'service_account.deleted', { status: 'deleted' }, now, eventId),
    ])
  })
}

/** An active service account, or `not_found`. */
export const readAccount = async (
  deps: Pick<ServiceAccountDependencies, 'store'>,
  id: string,
): Promise<{ owner: OwnerRecord; account: ServiceAccount }> => {
  const ref: OwnerRef | undefined = parseOwnerId(id)
  const owner = ref?.type === 'service_account' ? await deps.store.getOwner(ref) : undefined
  const account = owner === undefined ? undefined : serviceAccountOf(owner)
  if (owner === undefined || account === undefined) {
    throw new TollgateError('not_found', 'No such service account.')
  }
  return { owner, account }
}

/**
 * Who may change or delete a service account: `tollgate:admin`, or (never to
 * widen it) a JWT holding everything the account holds, so nobody weakens
 * a principal holding more than they do. A refusal is `not_found` unless
 * the caller is the account or holds `service-accounts:read`.
 */
const authorizeAccountChange = async (
  deps: Pick<ServiceAccountDependencies, 'store'>,
  caller: Caller,
  owner: OwnerRecord,
  widening: boolean,
): Promise<void> => {
  const holdings = holdsAdmin(caller) ? [] : await accountHoldings(deps.store, owner, [])
  const refused = accountChangeRefusal(caller, owner, widening, holdings)
  if (refused !== undefined) throw refused
}

/**
 * `authorizeAccountChange` as a pure decision, given what the account holds
 * (`holdingsOf` its ceiling and usable tokens; ignored for `tollgate:admin`).
 */
export const accountChangeRefusal = (
  caller: Caller,
  owner: Pick<OwnerRecord, 'ref'>,
  widening: boolean,
  holdings: readonly string[],
): TollgateError | undefined => {
  if (holdsAdmin(caller)) return undefined
  const visible = caller.sub === owner.ref.id || holdsScope(caller, 'service-accounts:read')
  if (!visible) return new TollgateError('not_found', 'No such service account.')
  if (widening) return adminRefusal(caller, "widen a service account's roles or scopes")
  if (!holdsAllOf(caller, holdings)) {
    return new TollgateError(
      'forbidden',
      'The service account holds scopes your JWT does not; only a caller holding all of them (or tollgate:admin) can change or delete it.',
    )
  }
  return undefined
}

const viewFields = (account: ServiceAccount): Record<string, unknown> => ({
  name: account.name,
  description: account.description,
  roles: account.roles,
  scopes: account.scopes,
})

const denyOwner = (
  deps: ServiceAccountDependencies,
  sub: string,
  minGeneration: number,
  now: number,
): WriteIntent => ({
  kind: 'deny',
  entry: denyEntry({ kind: 'owner', sub }, minGeneration, now, deps.config.maxJwtDurationSeconds),
})

const audit = (
  context: RequestContext,
  id: string,
  action: string,
  changes: Record<string, unknown>,
  now: number,
  eventId?: string,
): WriteIntent => ({
  kind: 'audit',
  event: auditEvent(context, { type: 'service_account', id }, action, changes, now, eventId),
})
