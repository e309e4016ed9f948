import { generateAccessToken, newTokenId } from '../access-token.js'
import { ADMIN_ROLE, type RequestContext } from '../caller.js'
import { auditEvent } from '../changes.js'
import type { Config } from '../config.js'
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
import { commitExplained } from './retry-on-conflict.js'

/** Who the audit trail names for what bootstrap did: no caller exists yet. */
const BOOTSTRAP_CONTEXT: RequestContext = {
  caller: {
    sub: 'bootstrap',
    kind: 'service',
    roles: [ADMIN_ROLE],
    scopes: [],
    atid: null,
    jti: null,
  },
  requestId: null,
}

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
  request: { readonly name: string; readonly asFirstAdmin: boolean },
): Promise<BootstrapResult> => {
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
      createdBy: BOOTSTRAP_CONTEXT.caller.sub,
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
    createdBy: BOOTSTRAP_CONTEXT.caller.sub,
    expiresAt,
  })
  const account = serviceAccountOf(owner) as ServiceAccount
  const audit = (
    subject: 'token' | 'service_account',
    id: string,
    changes: Record<string, unknown>,
  ): WriteIntent => ({
    kind: 'audit',
    event: auditEvent(BOOTSTRAP_CONTEXT, { type: subject, id }, 'bootstrap', changes, now),
  })
  const intents: WriteIntent[] = [
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
  if (request.asFirstAdmin) intents.push({ kind: 'claimBootstrap', accountId, at: now })
  await commitExplained(deps.store, intents, {
    reserveAccountName: 'A service account with this name already exists.',
    claimBootstrap: 'Tollgate is already bootstrapped.',
  })
  return { account, token, secret: secret.value }
}
