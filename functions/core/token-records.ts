import type { NewAccessToken } from './access-token.js'
import type { OwnerRef } from './owners.js'
import type { Pepper } from './ports.js'
import type { AccessTokenRecord } from './records.js'
import { hashAccessToken } from './token-hash.js'

/**
 * The record of a newly minted token: active, unused, generation 1, and only
 * the keyed hash of its secret, with the pepper version that made it.
 *
 * @example
 * const record = newTokenRecord(secret, pepper, { name, description, owner, scopes, roles,
 *   createdAt: now, createdBy: caller.sub, expiresAt })
 */
export const newTokenRecord = (
  secret: NewAccessToken,
  pepper: Pepper,
  fields: Pick<
    AccessTokenRecord,
    'name' | 'description' | 'scopes' | 'roles' | 'createdAt' | 'createdBy' | 'expiresAt'
  > & { readonly owner: OwnerRef },
): AccessTokenRecord => ({
  id: secret.id,
  kind: secret.kind,
  ...fields,
  lastUsedAt: null,
  status: 'active',
  revokedAt: null,
  revokedBy: null,
  tokenHint: secret.hint,
  secretHash: hashAccessToken(pepper.key, secret.value),
  pepperVersion: pepper.version,
  version: 1,
  generation: 1,
})
