import { TOKEN_ID_LENGTH } from '../access-token.js'
import { BASE62_PATTERN } from '../base62.js'
import { type Caller, holdsScope } from '../caller.js'
import { TollgateError } from '../errors.js'
import { isSameOwner } from '../owners.js'
import type { TokenReader } from '../ports.js'
import type { AccessTokenRecord, OwnerRecord } from '../records.js'
import { holdingsOf, holdsAdmin, holdsAllOf, refusal } from '../rights.js'

const TOKEN_ID = new RegExp(`^${BASE62_PATTERN}{${TOKEN_ID_LENGTH}}$`)

export interface TokenAndOwner {
  readonly token: AccessTokenRecord
  /** The token's own owner item; undefined if it is gone (the token then reads revoked). */
  readonly owner: OwnerRecord | undefined
}

/**
 * What a caller does to a token:
 * - `read`: see it and its audit trail;
 * - `change`: rename, redescribe, narrow or revoke it;
 * - `regenerate`: give it a new secret, which the caller receives.
 */
export type TokenOperation = 'read' | 'change' | 'regenerate'

/**
 * Reads a token the caller may act on this way, with its owner item, in one
 * strongly consistent round trip (plus, for a non-admin changing a service
 * account's token, one read of that account's usable tokens).
 *
 * Who may act on whom (docs/design.md#who-may-act-on-whom):
 * - read: the token's owner, or a JWT with `tokens:read`;
 * - change: a person their own personal tokens (also from a personal-token
 *   JWT); with `tokens:write`, another person's only with `tollgate:admin`,
 *   a service account's only with `tollgate:admin` or a JWT that holds all
 *   the account holds, so nobody weakens a principal holding more;
 * - regenerate: a person their own personal tokens, signed in directly; a
 *   service account's with `tollgate:admin`; nobody else's, admins included.
 *
 * A refusal is `not_found` unless the caller owns the token or holds
 * `tokens:read`, then `forbidden`.
 */
export const readTokenFor = async (
  store: TokenReader,
  caller: Caller,
  tokenId: string,
  operation: TokenOperation,
): Promise<TokenAndOwner> => {
  const found = TOKEN_ID.test(tokenId) ? await store.getTokenWithOwner(tokenId) : undefined
  const token = found?.token
  if (token === undefined) throw new TollgateError('not_found', 'No such access token.')
  const owner =
    found?.owner !== undefined && isSameOwner(found.owner.ref, token.owner)
      ? found.owner
      : undefined
  const ownsIt = token.owner.id === caller.sub
  const visible = ownsIt || holdsScope(caller, 'tokens:read')
  if (operation === 'read') {
    if (!visible) throw new TollgateError('not_found', 'No such access token.')
    return { token, owner }
  }
  const why = await whyNot(store, caller, token, owner, operation)
  if (why !== undefined) throw refusal(visible, 'access token', why)
  return { token, owner }
}

/** Why the caller may not change or regenerate this token, or undefined if it may. */
const whyNot = async (
  store: TokenReader,
  caller: Caller,
  token: AccessTokenRecord,
  owner: OwnerRecord | undefined,
  operation: 'change' | 'regenerate',
): Promise<string | undefined> => {
  const holdings = needsAccountHoldings(caller, token, operation)
    ? await accountHoldings(store, owner, [token])
    : []
  return tokenRefusalReason(caller, token, operation, holdings)
}

/**
 * Whether deciding needs what the token's service account holds: a caller
 * without `tollgate:admin` changing a service account's token, which it may
 * only when its JWT holds all of that.
 */
export const needsAccountHoldings = (
  caller: Caller,
  token: Pick<AccessTokenRecord, 'owner'>,
  operation: TokenOperation,
): boolean =>
  operation === 'change' &&
  token.owner.type === 'service_account' &&
  caller.kind !== 'personal' &&
  holdsScope(caller, 'tokens:write') &&
  !holdsAdmin(caller)

/**
 * What a service account holds (`holdingsOf`): its ceiling and its usable
 * tokens, reading those of its tokens not already at hand.
 */
export const accountHoldings = async (
  store: Pick<TokenReader, 'getTokens'>,
  owner: OwnerRecord | undefined,
  known: readonly AccessTokenRecord[],
): Promise<readonly string[]> => {
  const knownIds = new Set(known.map((token) => token.id))
  const others = (owner?.tokens ?? []).map((entry) => entry.id).filter((id) => !knownIds.has(id))
  const tokens = others.length === 0 ? [] : await store.getTokens(others)
  return holdingsOf(owner, [...known, ...tokens])
}

/**
 * Why the caller may not change or regenerate this token, or undefined if
 * it may: the rules of `readTokenFor`, as a pure decision. `holdings` is
 * what the token's service account holds where `needsAccountHoldings` says
 * it counts (else ignored).
 */
export const tokenRefusalReason = (
  caller: Caller,
  token: Pick<AccessTokenRecord, 'owner'>,
  operation: 'change' | 'regenerate',
  holdings: readonly string[],
): string | undefined => {
  const ownsIt = token.owner.id === caller.sub
  const personal = token.owner.type === 'user'
  if (operation === 'regenerate') {
    if (personal) {
      return ownsIt && caller.kind === 'person'
        ? undefined
        : 'Only its owner, signed in with their identity provider, can regenerate a personal token.'
    }
    return holdsAdmin(caller)
      ? undefined
      : "Regenerating a service account's token needs tollgate:admin."
  }
  if (personal && ownsIt) return undefined
  if (caller.kind === 'personal') {
    return 'A JWT from a personal token can change only its owner’s personal tokens.'
  }
  if (!holdsScope(caller, 'tokens:write')) return 'Changing this token needs tokens:write.'
  if (personal) {
    return holdsAdmin(caller)
      ? undefined
      : "Changing another person's personal token needs tollgate:admin."
  }
  if (holdsAdmin(caller)) return undefined
  return holdsAllOf(caller, holdings)
    ? undefined
    : 'The service account holds scopes your JWT does not; only a caller holding all of them (or tollgate:admin) can change its tokens.'
}
