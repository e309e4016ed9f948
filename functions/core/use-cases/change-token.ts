import { generateAccessToken } from '../access-token.js'
import type { RequestContext } from '../caller.js'
import { auditEvent, denyEntry } from '../changes.js'
import type { Config } from '../config.js'
import { TollgateError } from '../errors.js'
import { description, isSubset, permissionNames, resourceName } from '../names.js'
import { nextOwner, withTokenRemoved, withTokenRenamed } from '../owner-tokens.js'
import { isSameOwner } from '../owners.js'
import type { Clock, Secrets, TokenReader, UnitOfWork, WriteIntent } from '../ports.js'
import { checkIfMatch, type IfMatch } from '../preconditions.js'
import { type AccessTokenRecord, EVERY_GENERATION, type OwnerRecord } from '../records.js'
import { refuseDerivedCredential, storableScopes } from '../rights.js'
import { hashAccessToken } from '../token-hash.js'
import { type TokenState, tokenState } from '../token-state.js'
import { retryOnConflict } from './retry-on-conflict.js'
import { readTokenFor, type TokenOperation } from './token-access.js'

export interface ChangeTokenDependencies {
  readonly store: TokenReader & UnitOfWork
  readonly secrets: Secrets
  readonly clock: Clock
  readonly config: Pick<Config, 'maxJwtDurationSeconds'>
}

export interface UpdateTokenRequest {
  readonly tokenId: string
  readonly ifMatch: IfMatch
  readonly name?: string | undefined
  readonly description?: string | undefined
  readonly scopes?: readonly string[] | undefined
  readonly roles?: readonly string[] | undefined
}

/**
 * Renames, redescribes or narrows a token (`PATCH`, If-Match required).
 *
 * Primary course:
 * 1. Read the token the caller may change, with its owner, and check If-Match.
 * 2. Scopes and roles may only shrink; shrinking bumps the generation and
 *    denies the older JWTs, since they carry what the token no longer grants.
 * 3. A new name must be free among the owner's usable tokens (owner item).
 */
export const updateToken = async (
  deps: ChangeTokenDependencies,
  context: RequestContext,
  request: UpdateTokenRequest,
): Promise<TokenState> =>
  retryOnConflict(async () => {
    const { token, owner, now } = await readUsable(deps, context, request.tokenId, 'change')
    checkIfMatch(request.ifMatch, token.version)
    const scopes = narrowed('scopes', request.scopes, token.scopes)
    const roles = narrowed('roles', request.roles, token.roles)
    const name = request.name === undefined ? token.name : resourceName('name', request.name)
    const narrowing = scopes.length < token.scopes.length || roles.length < token.roles.length
    const updated: AccessTokenRecord = {
      ...token,
      name,
      description:
        request.description === undefined ? token.description : description(request.description),
      scopes,
      roles,
      version: token.version + 1,
      generation: narrowing ? token.generation + 1 : token.generation,
    }
    const changes = changedFields(token, updated, ['name', 'description', 'scopes', 'roles'])
    if (Object.keys(changes).length === 0) return tokenState(token, owner, now)
    const intents: WriteIntent[] = [
      { kind: 'updateToken', token: updated, expectedVersion: token.version },
    ]
    if (name !== token.name) {
      const renamed = withTokenRenamed(owner, token.id, name, now)
      intents.push({ kind: 'updateOwner', owner: renamed, expectedVersion: owner.version })
    }
    if (narrowing) intents.push(denyOlder(deps, token.id, updated.generation, now))
    intents.push(audit(context, token.id, 'token.updated', changes, now))
    await deps.store.commit(intents)
    return tokenState(updated, owner, now)
  })

/**
 * Revokes a token (`DELETE`): it keeps its record for audit, leaves its
 * owner's usable list (freeing its slot and name), and its JWTs are denied.
 * Revoking a token that is no longer usable changes nothing.
 */
export const revokeToken = (
  deps: ChangeTokenDependencies,
  context: RequestContext,
  tokenId: string,
): Promise<TokenState> =>
  revokeRead(deps, context, () => readForChange(deps, context, tokenId, 'change'))

/**
 * Revokes the very token the caller authenticated with (RFC 7009: a client
 * revokes what was issued to it), the way `revokeToken` does, with no scope
 * needed: holding the secret is the right to give it up.
 */
export const revokeOwnToken = (
  deps: ChangeTokenDependencies,
  context: RequestContext,
  tokenId: string,
): Promise<TokenState> =>
  revokeRead(deps, context, async () => {
    if (context.caller.atid !== tokenId) {
      throw new TollgateError('forbidden', 'A client can revoke only its own access token.')
    }
    const now = deps.clock.now()
    const found = await deps.store.getTokenWithOwner(tokenId)
    if (found.token === undefined) throw new TollgateError('not_found', 'No such access token.')
    const owner =
      found.owner !== undefined && isSameOwner(found.owner.ref, found.token.owner)
        ? found.owner
        : undefined
    return { token: found.token, owner, state: tokenState(found.token, owner, now), now }
  })

const revokeRead = (
  deps: ChangeTokenDependencies,
  context: RequestContext,
  read: () => Promise<{
    token: AccessTokenRecord
    owner: OwnerRecord | undefined
    state: TokenState
    now: number
  }>,
): Promise<TokenState> =>
  retryOnConflict(async () => {
    const { token, owner, state, now } = await read()
    if (state.status !== 'active' || owner === undefined) return state
    const revoked: AccessTokenRecord = {
      ...token,
      status: 'revoked',
      revokedAt: now,
      revokedBy: context.caller.sub,
      version: token.version + 1,
    }
    await deps.store.commit([
      { kind: 'updateToken', token: revoked, expectedVersion: token.version },
      {
        kind: 'updateOwner',
        owner: withTokenRemoved(owner, token.id, now),
        expectedVersion: owner.version,
      },
      denyOlder(deps, token.id, EVERY_GENERATION, now),
      audit(context, token.id, 'token.revoked', { status: 'revoked' }, now),
    ])
    return tokenState(revoked, withTokenRemoved(owner, token.id, now), now)
  })

/**
 * Gives a token a new secret with the same id and expiry (`regenerate`). The
 * old secret is refused from the commit on, and JWTs minted from it are
 * denied by generation: one minted in the same second from the new secret is not.
 */
export const regenerateToken = async (
  deps: ChangeTokenDependencies,
  context: RequestContext,
  tokenId: string,
): Promise<{ readonly state: TokenState; readonly secret: string }> => {
  refuseDerivedCredential(context.caller, 'regenerate access tokens')
  const pepper = await deps.secrets.currentPepper()
  return retryOnConflict(async () => {
    const { token, owner, now } = await readUsable(deps, context, tokenId, 'regenerate')
    const secret = generateAccessToken(token.kind, token.id)
    const regenerated: AccessTokenRecord = {
      ...token,
      tokenHint: secret.hint,
      secretHash: hashAccessToken(pepper.key, secret.value),
      pepperVersion: pepper.version,
      version: token.version + 1,
      generation: token.generation + 1,
    }
    await deps.store.commit([
      { kind: 'updateToken', token: regenerated, expectedVersion: token.version },
      // The owner's version guards against an owner-wide revoke racing this one.
      { kind: 'updateOwner', owner: nextOwner(owner, {}), expectedVersion: owner.version },
      denyOlder(deps, token.id, regenerated.generation, now),
      audit(context, token.id, 'token.regenerated', { generation: regenerated.generation }, now),
    ])
    return { state: tokenState(regenerated, owner, now), secret: secret.value }
  })
}

/** A token the caller may act on this way, with its owner item and its state now. */
const readForChange = async (
  deps: ChangeTokenDependencies,
  context: RequestContext,
  tokenId: string,
  operation: TokenOperation,
) => {
  const now = deps.clock.now()
  const { token, owner } = await readTokenFor(deps.store, context.caller, tokenId, operation)
  return { token, owner, state: tokenState(token, owner, now), now }
}

/** A token that is usable now, with its owner item; changing anything else is a conflict. */
const readUsable = async (
  deps: ChangeTokenDependencies,
  context: RequestContext,
  tokenId: string,
  operation: TokenOperation,
): Promise<{ token: AccessTokenRecord; owner: OwnerRecord; now: number }> => {
  const { token, owner, state, now } = await readForChange(deps, context, tokenId, operation)
  if (state.status !== 'active' || owner === undefined) {
    throw new TollgateError('conflict', `The access token is ${state.status}; it cannot change.`)
  }
  return { token, owner, now }
}

const narrowed = (
  field: 'scopes' | 'roles',
  requested: readonly string[] | undefined,
  current: readonly string[],
): readonly string[] => {
  if (requested === undefined) return current
  const names =
    field === 'scopes' ? storableScopes(field, requested) : permissionNames(field, requested)
  if (!isSubset(names, current)) {
    throw new TollgateError(
      'invalid_request',
      `${field} can only be narrowed; a token that needs more needs a new token.`,
    )
  }
  return current.filter((name) => names.includes(name))
}

const changedFields = <T extends object>(
  before: T,
  after: T,
  fields: readonly (keyof T & string)[],
): Record<string, unknown> => {
  const changes: Record<string, unknown> = {}
  for (const field of fields) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field]))
      changes[field] = after[field]
  }
  return changes
}

const denyOlder = (
  deps: ChangeTokenDependencies,
  atid: string,
  minGeneration: number,
  now: number,
): WriteIntent => ({
  kind: 'deny',
  entry: denyEntry({ kind: 'token', atid }, minGeneration, now, deps.config.maxJwtDurationSeconds),
})

const audit = (
  context: RequestContext,
  tokenId: string,
  action: string,
  changes: Record<string, unknown>,
  now: number,
): WriteIntent => ({
  kind: 'audit',
  event: auditEvent(context, { type: 'token', id: tokenId }, action, changes, now),
})
