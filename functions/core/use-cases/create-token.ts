import { generateAccessToken, newTokenId } from '../access-token.js'
import { type Caller, holdsScope, type RequestContext } from '../caller.js'
import { auditEvent } from '../changes.js'
import type { Config } from '../config.js'
import { TollgateError } from '../errors.js'
import { description, missingFrom, permissionNames, resourceName } from '../names.js'
import { withTokenAdded } from '../owner-tokens.js'
import { type OwnerRef, ownerTag } from '../owners.js'
import type { Clock, OwnerReader, Secrets, UnitOfWork, WriteIntent } from '../ports.js'
import type { AccessTokenRecord, AuditSubject, OwnerRecord } from '../records.js'
import { adminRefusal, refuseDerivedCredential, storableScopes } from '../rights.js'
import { TOLLGATE_ADMIN_SCOPE } from '../routes.js'
import { newTokenRecord } from '../token-records.js'
import { retryOnConflict } from './retry-on-conflict.js'

const MIN_TTL_SECONDS = 60

export interface CreateTokenDependencies {
  readonly store: OwnerReader & UnitOfWork
  readonly secrets: Secrets
  readonly clock: Clock
  readonly config: Pick<
    Config,
    | 'defaultTokenTtlSeconds'
    | 'maxTokenTtlSeconds'
    | 'allowNonExpiringTokens'
    | 'maxActiveTokensPerOwner'
    | 'maxPersonalTokenTtlSeconds'
  >
}

export interface CreateTokenRequest {
  readonly name: string
  readonly description?: string | undefined
  /** Absent: a personal token of the calling person. */
  readonly serviceAccountId?: string | undefined
  readonly scopes?: readonly string[] | undefined
  readonly roles?: readonly string[] | undefined
  /** Absent: the default life; null: never expires (where allowed). */
  readonly expiresInSeconds?: number | null | undefined
}

export interface CreatedToken {
  readonly record: AccessTokenRecord
  readonly owner: OwnerRecord
  /** The access token itself: in this answer only, stored nowhere. */
  readonly secret: string
}

/**
 * Creates an access token for a service account (`tollgate:admin`) or a
 * personal token for the calling person, signed in with their identity
 * provider: secrets only for yourself, or by an admin.
 *
 * Primary course:
 * 1. Decide whose token it is and that the caller may create it.
 * 2. Read the owner item; bound roles, scopes and life by the owner's ceiling
 *    (a service account) or the caller's own (a person) and by policy.
 * 3. Add the token to the owner's usable list (cap, unique name), and write
 *    token, owner item and audit records in one transaction; a lost version
 *    race re-reads and decides again.
 */
export const createToken = async (
  deps: CreateTokenDependencies,
  context: RequestContext,
  request: CreateTokenRequest,
): Promise<CreatedToken> => {
  const { caller } = context
  refuseDerivedCredential(caller, 'create access tokens')
  const ownerRef = tokenOwner(caller, request.serviceAccountId)
  const name = resourceName('name', request.name)
  const text = description(request.description ?? '')
  const pepper = await deps.secrets.currentPepper()

  return retryOnConflict(async () => {
    const now = deps.clock.now()
    const existing = await deps.store.getOwner(ownerRef)
    if (ownerRef.type === 'service_account' && existing?.status !== 'active') {
      throw new TollgateError('not_found', 'No such service account.')
    }
    const bounds = grantBounds(caller, existing)
    const roles = withinBounds('roles', request.roles ?? bounds.roles, bounds.roles)
    const scopes = withinBounds('scopes', request.scopes ?? bounds.scopes, bounds.scopes)
    const expiresAt = expiryOf(deps.config, ownerRef.type, request.expiresInSeconds, now)

    const secret = generateAccessToken(
      ownerRef.type === 'user' ? 'personal' : 'service',
      newTokenId(ownerTag(ownerRef.id)),
    )
    const record = newTokenRecord(secret, pepper, {
      name,
      description: text,
      owner: ownerRef,
      scopes,
      roles,
      createdAt: now,
      createdBy: caller.sub,
      expiresAt,
    })
    const owner = withTokenAdded(
      existing ?? newPersonOwner(ownerRef),
      { id: record.id, name, expiresAt },
      deps.config.maxActiveTokensPerOwner,
      now,
    )
    const changes = { name, scopes, roles, expires_at: isoOrNull(expiresAt), owner: ownerRef.id }
    const audit = (subject: AuditSubject, extra: Record<string, unknown> = {}): WriteIntent => ({
      kind: 'audit',
      event: auditEvent(context, subject, 'token.created', { ...changes, ...extra }, now),
    })
    const intents: WriteIntent[] = [
      { kind: 'createToken', token: record },
      existing === undefined
        ? { kind: 'createOwner', owner }
        : { kind: 'updateOwner', owner, expectedVersion: existing.version },
      audit({ type: 'token', id: record.id }),
    ]
    if (ownerRef.type === 'service_account') {
      intents.push(audit({ type: 'service_account', id: ownerRef.id }, { token_id: record.id }))
    }
    // A lost race to create the owner item re-reads it on the retry. (Should another
    // owner ever hold this tag's slot, every retry fails and the caller gets a 503.)
    await deps.store.commit(intents)
    return { record, owner, secret: secret.value }
  })
}

const tokenOwner = (caller: Caller, serviceAccountId: string | undefined): OwnerRef => {
  const refused =
    serviceAccountId === undefined
      ? personalTokenRefusal(caller)
      : serviceAccountTokenRefusal(caller)
  if (refused !== undefined) throw refused
  return serviceAccountId === undefined
    ? { type: 'user', id: caller.sub }
    : { type: 'service_account', id: serviceAccountId }
}

/** Why the caller may not create a service account's token (secrets only by an admin). */
export const serviceAccountTokenRefusal = (caller: Caller): TollgateError | undefined => {
  const refused = adminRefusal(caller, "create a service account's tokens")
  if (refused !== undefined) return refused
  return holdsScope(caller, 'tokens:write')
    ? undefined
    : new TollgateError('insufficient_scope', 'Creating this token needs tokens:write.')
}

/** Why the caller may not create a personal token of their own (only people hold them). */
export const personalTokenRefusal = (caller: Caller): TollgateError | undefined =>
  caller.kind === 'person'
    ? undefined
    : new TollgateError(
        'invalid_request',
        'service_account_id is required: only people hold personal tokens.',
      )

/**
 * What the new token may hold at most: the account's ceiling, or what the
 * person holds now. `tollgate:admin` is never stored: a service token gets it
 * from the `admin` role at the exchange, a personal token never.
 */
const grantBounds = (
  caller: Caller,
  owner: OwnerRecord | undefined,
): { readonly roles: readonly string[]; readonly scopes: readonly string[] } => {
  if (owner?.ceiling !== undefined) return owner.ceiling
  return {
    roles: caller.roles,
    scopes: caller.scopes.filter((scope) => scope !== TOLLGATE_ADMIN_SCOPE),
  }
}

const withinBounds = (
  field: 'roles' | 'scopes',
  requested: readonly string[],
  bound: readonly string[],
): readonly string[] => {
  const names =
    field === 'scopes' ? storableScopes(field, requested) : permissionNames(field, requested)
  const missing = missingFrom(names, bound)
  if (missing.length > 0) {
    throw new TollgateError(
      'insufficient_scope',
      `The ${field} must stay within the owner's; not held: ${missing.join(' ')}.`,
    )
  }
  return names
}

const expiryOf = (
  config: CreateTokenDependencies['config'],
  ownerType: OwnerRef['type'],
  expiresInSeconds: number | null | undefined,
  now: number,
): number | null => {
  const personal = ownerType === 'user'
  const max = personal ? config.maxPersonalTokenTtlSeconds : config.maxTokenTtlSeconds
  if (expiresInSeconds === null) {
    if (personal || !config.allowNonExpiringTokens) {
      throw new TollgateError(
        'invalid_request',
        personal
          ? 'Personal tokens always expire.'
          : 'Tokens that never expire are not allowed here (ALLOW_NON_EXPIRING_TOKENS).',
      )
    }
    return null
  }
  const seconds = expiresInSeconds ?? Math.min(config.defaultTokenTtlSeconds, max)
  if (!Number.isSafeInteger(seconds) || seconds < MIN_TTL_SECONDS || seconds > max) {
    throw new TollgateError(
      'invalid_request',
      `expires_in_seconds must be an integer between ${MIN_TTL_SECONDS} and ${max}.`,
    )
  }
  return now + seconds * 1000
}

const isoOrNull = (ms: number | null): string | null =>
  ms === null ? null : new Date(ms).toISOString()

const newPersonOwner = (ref: OwnerRef): OwnerRecord => ({
  ref,
  status: 'active',
  account: undefined,
  ceiling: undefined,
  tokens: [],
  otv: 1,
  // withTokenAdded makes it version 1, the version a new item is written with.
  version: 0,
  lastRevocation: undefined,
  deletedAt: undefined,
})
