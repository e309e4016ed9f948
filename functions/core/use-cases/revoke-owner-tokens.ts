import type { RequestContext } from '../caller.js'
import { auditEvent, denyEntry, newEventId } from '../changes.js'
import type { Config } from '../config.js'
import { TollgateError } from '../errors.js'
import { nextOwner, usableTokens } from '../owner-tokens.js'
import { parseOwnerId } from '../owners.js'
import type { Clock, OwnerReader, UnitOfWork } from '../ports.js'
import { requireAdmin } from '../rights.js'
import { retryOnConflict } from './retry-on-conflict.js'

export interface RevokeOwnerTokensDependencies {
  readonly store: OwnerReader & UnitOfWork
  readonly clock: Clock
  readonly config: Pick<Config, 'maxJwtDurationSeconds'>
}

/**
 * Revokes every token of an owner at once (`POST /access-tokens/revoke`, `tollgate:admin`).
 *
 * Primary course:
 * 1. Read the owner item.
 * 2. Empty its usable list and bump `otv`, so every token reads `revoked` and
 *    every JWT minted before is denied by `{sub, min_otv}`; one small
 *    transaction whatever the number of tokens.
 * 3. Answer how many tokens were usable.
 */
export const revokeOwnerTokens = async (
  deps: RevokeOwnerTokensDependencies,
  context: RequestContext,
  ownerId: string,
): Promise<{ readonly owner: string; readonly revoked: number }> => {
  requireAdmin(context.caller, 'revoke every token of an owner')
  const ref = parseOwnerId(ownerId)
  if (ref === undefined) {
    throw new TollgateError(
      'invalid_request',
      'owner must be a service account id or user:<issuer>:<sub>.',
    )
  }
  return retryOnConflict(async () => {
    const now = deps.clock.now()
    const owner = await deps.store.getOwner(ref)
    if (owner === undefined || owner.status !== 'active') {
      if (ref.type === 'service_account')
        throw new TollgateError('not_found', 'No such service account.')
      // A person with no owner item has never held a token: there is nothing to revoke.
      return { owner: ref.id, revoked: 0 }
    }
    const revoked = usableTokens(owner, now).length
    const eventId = newEventId()
    const otv = owner.otv + 1
    const subject =
      ref.type === 'service_account'
        ? ({ type: 'service_account', id: ref.id } as const)
        : ({ type: 'user', id: ref.id } as const)
    await deps.store.commit([
      {
        kind: 'updateOwner',
        owner: nextOwner(owner, {
          tokens: [],
          otv,
          lastRevocation: { at: now, by: context.caller.sub, eventId },
        }),
        expectedVersion: owner.version,
      },
      {
        kind: 'deny',
        entry: denyEntry(
          { kind: 'owner', sub: ref.id },
          otv,
          now,
          deps.config.maxJwtDurationSeconds,
        ),
      },
      {
        kind: 'audit',
        event: auditEvent(context, subject, 'tokens.revoked_all', { revoked, otv }, now, eventId),
      },
    ])
    return { owner: ref.id, revoked }
  })
}
