import { generateAccessToken, newTokenId } from '../access-token.js'
import { ADMIN_ROLE, type RequestContext } from '../caller.js'
import { auditEvent } from '../changes.js'
import type { Config } from '../config.js'
import { TollgateError } from '../errors.js'
import { resourceName } from '../names.js'
import { newServiceAccountId, ownerTag } from '../owners.js'
import type { Clock, OwnerReader, Secrets, UnitOfWork, WriteIntent } from '../ports.js'
import {
  type AccessTokenRecord,
  type OwnerRecord,
  type ServiceAccount,
  serviceAccountOf,
} from '../records.js'
import { TOLLGATE_SCOPES } from '../routes.js'
import { newTokenRecord } from '../token-records.js'
import { commitExplained, retryOnConflict } from './retry-on-conflict.js'

/** Who the audit trail names for what bootstrap did: no caller exists yet. */
const bootstrapContext = (requestId: string | null): RequestContext => ({
  caller: {
    sub: 'bootstrap',
    kind: 'service',
    roles: [ADMIN_ROLE],
    scopes: [],
    atid: null,
    jti: null,
  },
  requestId,
})

/** The audit action of an admin minted on the recovery input (`{"recover": true}`). */
export const RECOVERY_ACTION = 'bootstrap.recovery'

/** What a second bootstrap is told: nothing was created, and how to get an admin anyway. */
export const ALREADY_BOOTSTRAPPED =
  'Tollgate is already bootstrapped: its first admin was minted once, and nothing was created now. ' +
  'If every admin token is lost, mint a new admin with the recovery input {"recover": true}; ' +
  'it is audited as a recovery.'

export interface BootstrapDependencies {
  readonly store: OwnerReader & UnitOfWork
  readonly secrets: Secrets
  readonly clock: Clock
  readonly config: Pick<Config, 'defaultTokenTtlSeconds'>
}

export interface BootstrapResult {
  readonly account: ServiceAccount
  readonly token: AccessTokenRecord
  /** The access token itself: shown once, stored nowhere. */
  readonly secret: string
}

/**
 * Mints an admin service account and its first access token straight into the store.
 *
 * Primary course:
 * 1. Make the account (role `admin`, every management scope), its owner item
 *    listing one token, and that token.
 * 2. Store them in one transaction with the name reservation and audit
 *    records; with `asFirstAdmin` the transaction also claims the table's one
 *    bootstrap marker, so a restart never mints twice.
 * 3. Return the secret for the caller to show once.
 */
export const bootstrapAdmin = async (
  deps: BootstrapDependencies,
  request: {
    readonly name: string
    readonly asFirstAdmin: boolean
    /** Audited as `bootstrap.recovery` rather than `bootstrap`. */
    readonly recovery?: boolean
    /** The invocation that asked (a Lambda request id), for the audit trail. */
    readonly requestId?: string | null
  },
): Promise<BootstrapResult> => {
  const context = bootstrapContext(request.requestId ?? null)
  const action = request.recovery === true ? RECOVERY_ACTION : 'bootstrap'
  const now = deps.clock.now()
  const pepper = await deps.secrets.currentPepper()
  const accountId = newServiceAccountId()
  const secret = generateAccessToken('service', newTokenId(ownerTag(accountId)))
  const expiresAt = now + deps.config.defaultTokenTtlSeconds * 1000
  const roles = [ADMIN_ROLE]
  const scopes = [...TOLLGATE_SCOPES]
  const owner: OwnerRecord = {
    ref: { type: 'service_account', id: accountId },
    status: 'active',
    account: {
      name: resourceName('name', request.name),
      description: 'Administrator created by bootstrap',
      createdAt: now,
      createdBy: context.caller.sub,
      version: 1,
    },
    ceiling: { roles, scopes },
    tokens: [{ id: secret.id, name: 'bootstrap', expiresAt }],
    otv: 1,
    version: 1,
    lastRevocation: undefined,
    deletedAt: undefined,
  }
  const token = newTokenRecord(secret, pepper, {
    name: 'bootstrap',
    description: 'First token of a bootstrap administrator',
    owner: owner.ref,
    scopes,
    roles,
    createdAt: now,
    createdBy: context.caller.sub,
    expiresAt,
  })
  const account = serviceAccountOf(owner) as ServiceAccount
  const audit = (
    subject: 'token' | 'service_account',
    id: string,
    changes: Record<string, unknown>,
  ): WriteIntent => ({
    kind: 'audit',
    event: auditEvent(context, { type: subject, id }, action, changes, now),
  })
  // The claim first: when another bootstrap won, its failed condition is the one a refusal names.
  const intents: WriteIntent[] = [
    ...(request.asFirstAdmin ? [{ kind: 'claimBootstrap', accountId, at: now } as const] : []),
    { kind: 'createOwner', owner },
    { kind: 'reserveAccountName', name: account.name, accountId },
    { kind: 'createToken', token },
    audit('service_account', accountId, { name: account.name, roles, scopes }),
    audit('token', token.id, {
      name: token.name,
      owner: accountId,
      expires_at: new Date(expiresAt).toISOString(),
    }),
  ]
  await commitExplained(deps.store, intents, {
    reserveAccountName: 'A service account with this name already exists.',
    claimBootstrap: ALREADY_BOOTSTRAPPED,
  })
  return { account, token, secret: secret.value }
}

/**
 * The bootstrap function's use case: the first admin of a table, once, or a
 * recovery admin on request.
 *
 * Primary course:
 * 1. Read the bootstrap marker (strongly consistent).
 * 2. Unclaimed: mint the admin and claim the marker in one transaction.
 *
 * Alternate courses:
 * - Claimed, no `recover`: refuse (`conflict`), writing nothing.
 * - Claimed, `recover`: mint an admin without touching the marker, audited
 *   as `bootstrap.recovery`.
 * - Another bootstrap claimed the marker first: its transaction won, this
 *   one wrote nothing and is refused; a transaction conflict reads the
 *   marker again and decides again.
 *
 * @example
 * const admin = await bootstrapOnce(deps, { name: 'admin', recover: false, requestId })
 */
export const bootstrapOnce = (
  deps: BootstrapDependencies,
  request: { readonly name: string; readonly recover: boolean; readonly requestId: string | null },
): Promise<BootstrapResult & { readonly recovery: boolean }> =>
  retryOnConflict(async () => {
    const bootstrapped = await deps.store.isBootstrapped()
    if (bootstrapped && !request.recover) throw new TollgateError('conflict', ALREADY_BOOTSTRAPPED)
    const admin = await bootstrapAdmin(deps, {
      name: request.name,
      asFirstAdmin: !bootstrapped,
      recovery: request.recover,
      requestId: request.requestId,
    })
    return { ...admin, recovery: request.recover }
  })
