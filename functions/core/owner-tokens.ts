import { TollgateError } from './errors.js'
import type { OwnerRecord, UsableToken } from './records.js'

/**
 * The owner item's list of usable tokens: what the per-owner cap and name
 * uniqueness count. An expired token is pruned on every write, so it frees
 * its slot and its name without anyone revoking it.
 */
export const usableTokens = (owner: Pick<OwnerRecord, 'tokens'>, now: number): UsableToken[] =>
  owner.tokens.filter((token) => token.expiresAt === null || token.expiresAt > now)

/** The next state of an owner item: same fields, one version later. */
export const nextOwner = (owner: OwnerRecord, changes: Partial<OwnerRecord>): OwnerRecord => ({
  ...owner,
  ...changes,
  version: owner.version + 1,
})

/**
 * Adds a token to the owner's usable list, or throws `conflict` when the
 * owner is at its cap or another usable token has the name.
 */
export const withTokenAdded = (
  owner: OwnerRecord,
  token: UsableToken,
  maxActiveTokens: number,
  now: number,
): OwnerRecord => {
  const usable = usableTokens(owner, now)
  assertNameFree(usable, token.name)
  if (usable.length >= maxActiveTokens) {
    throw new TollgateError(
      'conflict',
      `The owner already holds the maximum of ${maxActiveTokens} active access tokens.`,
    )
  }
  return nextOwner(owner, { tokens: [...usable, token] })
}

export const withTokenRemoved = (owner: OwnerRecord, tokenId: string, now: number): OwnerRecord =>
  nextOwner(owner, { tokens: usableTokens(owner, now).filter((token) => token.id !== tokenId) })

export const withTokenRenamed = (
  owner: OwnerRecord,
  tokenId: string,
  name: string,
  now: number,
): OwnerRecord => {
  const usable = usableTokens(owner, now)
  assertNameFree(
    usable.filter((token) => token.id !== tokenId),
    name,
  )
  return nextOwner(owner, {
    tokens: usable.map((token) => (token.id === tokenId ? { ...token, name } : token)),
  })
}

const assertNameFree = (usable: readonly UsableToken[], name: string): void => {
  if (usable.some((token) => token.name === name)) {
    throw new TollgateError(
      'conflict',
      'The owner already has a usable access token with this name.',
    )
  }
}
