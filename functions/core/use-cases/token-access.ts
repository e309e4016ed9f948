import { TOKEN_ID_LENGTH } from '../access-token.js'
import { BASE62_PATTERN } from '../base62.js'
import { type Caller, holdsScope, isPerson } from '../caller.js'
import { TollgateError } from '../errors.js'
import { isSameOwner } from '../owners.js'
import type { TokenReader } from '../ports.js'
import type { AccessTokenRecord, OwnerRecord } from '../records.js'

const TOKEN_ID = new RegExp(`^${BASE62_PATTERN}{${TOKEN_ID_LENGTH}}$`)

export interface TokenAndOwner {
  readonly token: AccessTokenRecord
  /** The token's own owner item; undefined if it is gone (the token then reads revoked). */
  readonly owner: OwnerRecord | undefined
}

/**
 * Whether the caller may see or change this token: any token with the
 * route's scope (`admin` holds them all); otherwise a person only their own.
 */
export const mayAccessToken = (
  caller: Caller,
  token: Pick<AccessTokenRecord, 'owner'>,
  scope: string,
): boolean =>
  holdsScope(caller, scope) ||
  (isPerson(caller) && token.owner.type === 'user' && token.owner.id === caller.sub)

/**
 * Reads a token the caller may access, with its owner item, in one
 * strongly consistent round trip. Anything else is `not_found`: a caller
 * learns nothing about tokens that are not theirs to see.
 */
export const readAccessibleToken = async (
  store: TokenReader,
  caller: Caller,
  tokenId: string,
  scope: string,
): Promise<TokenAndOwner> => {
  const found = TOKEN_ID.test(tokenId) ? await store.getTokenWithOwner(tokenId) : undefined
  const token = found?.token
  if (token === undefined || !mayAccessToken(caller, token, scope)) {
    throw new TollgateError('not_found', 'No such access token.')
  }
  const owner = found?.owner
  return {
    token,
    owner: owner !== undefined && isSameOwner(owner.ref, token.owner) ? owner : undefined,
  }
}
