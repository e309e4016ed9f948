import {
  generateAccessToken,
  newTokenId,
  type TokenKind,
} from '../../functions/core/access-token.js'
import { type OwnerRef, ownerTag } from '../../functions/core/owners.js'
import type { AccessTokenRecord, OwnerRecord } from '../../functions/core/records.js'
import { hashAccessToken } from '../../functions/core/token-hash.js'
import type { MemoryStore } from './fakes.js'

const HOUR_MS = 3_600_000

/** An owner item as the use cases would have written it; stored in `store`. */
export const seedOwner = (
  store: MemoryStore,
  ref: OwnerRef,
  overrides: Partial<OwnerRecord> = {},
): OwnerRecord => {
  const owner: OwnerRecord = {
    ref,
    status: 'active',
    account:
      ref.type === 'service_account'
        ? { name: ref.id, description: '', createdAt: 0, createdBy: 'test', version: 1 }
        : undefined,
    ceiling: undefined,
    tokens: [],
    otv: 1,
    version: 1,
    lastRevocation: undefined,
    deletedAt: undefined,
    ...overrides,
  }
  store.owners.set(ownerTag(ref.id), owner)
  return owner
}

/**
 * A token record and its secret as create-token would make them, stored in
 * `store` and listed in its owner's item (made if absent) while active.
 */
export const seedToken = (
  store: MemoryStore,
  options: { readonly pepper: Buffer; readonly now: number },
  overrides: Partial<AccessTokenRecord> & { kind?: TokenKind } = {},
): { secret: string; record: AccessTokenRecord } => {
  const kind = overrides.kind ?? 'service'
  const owner: OwnerRef =
    overrides.owner ??
    (kind === 'service'
      ? { type: 'service_account', id: 'sa_1' }
      : { type: 'user', id: 'user:dev:alice' })
  const token = generateAccessToken(kind, overrides.id ?? newTokenId(ownerTag(owner.id)))
  const record: AccessTokenRecord = {
    id: token.id,
    name: `token-${token.id}`,
    description: '',
    kind,
    owner,
    scopes: ['datasets:read', 'datasets:write', 'tokens:read'],
    roles: ['reader'],
    createdAt: options.now,
    createdBy: 'test',
    expiresAt: options.now + 24 * HOUR_MS,
    lastUsedAt: null,
    status: 'active',
    revokedAt: null,
    revokedBy: null,
    tokenHint: token.hint,
    secretHash: hashAccessToken(options.pepper, token.value),
    pepperVersion: '1',
    version: 1,
    generation: 1,
    ...overrides,
  }
  store.tokens.set(record.id, record)
  const item = store.owners.get(ownerTag(owner.id)) ?? seedOwner(store, owner)
  if (record.status === 'active' && !item.tokens.some((t) => t.id === record.id)) {
    store.owners.set(ownerTag(owner.id), {
      ...item,
      tokens: [...item.tokens, { id: record.id, name: record.name, expiresAt: record.expiresAt }],
    })
  }
  return { secret: token.value, record }
}
