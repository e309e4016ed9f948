import type { AccessTokenRecord, ServiceAccountRecord } from '../core/records.js'
import { itemKeys, ownerKey } from './token-table.js'

/** How long a token record stays for audit after it can no longer be used. */
const RETENTION_SECONDS = 400 * 86_400

type Item = Record<string, unknown>

/**
 * Storage form of a token: snake_case, and a TTL only once it can stop being
 * usable. Absent values are left out rather than stored as NULL, so that
 * conditions like `attribute_not_exists(last_used_at)` mean what they say.
 */
export const tokenToItem = (token: AccessTokenRecord): Item => {
  const endOfUse = token.revokedAt ?? token.expiresAt
  return {
    ...itemKeys.token(token.id),
    gsi1pk: ownerKey(token.owner),
    gsi1sk: `TOKEN#${token.createdAt}#${token.id}`,
    id: token.id,
    name: token.name,
    description: token.description,
    kind: token.kind,
    owner_type: token.owner.type,
    owner_id: token.owner.id,
    scopes: [...token.scopes],
    roles: [...token.roles],
    created_at: token.createdAt,
    created_by: token.createdBy,
    expires_at: token.expiresAt ?? undefined,
    last_used_at: token.lastUsedAt ?? undefined,
    status: token.status,
    revoked_at: token.revokedAt ?? undefined,
    revoked_by: token.revokedBy ?? undefined,
    token_hint: token.tokenHint,
    secret_hash: token.secretHash,
    pepper_version: token.pepperVersion,
    version: token.version,
    ttl: endOfUse === null ? undefined : Math.floor(endOfUse / 1000) + RETENTION_SECONDS,
  }
}

export const itemToToken = (item: Item): AccessTokenRecord => ({
  id: item.id as string,
  name: item.name as string,
  description: (item.description as string | undefined) ?? '',
  kind: item.kind as AccessTokenRecord['kind'],
  owner: {
    type: item.owner_type as AccessTokenRecord['owner']['type'],
    id: item.owner_id as string,
  },
  scopes: (item.scopes as string[] | undefined) ?? [],
  roles: (item.roles as string[] | undefined) ?? [],
  createdAt: item.created_at as number,
  createdBy: item.created_by as string,
  expiresAt: (item.expires_at as number | null | undefined) ?? null,
  lastUsedAt: (item.last_used_at as number | null | undefined) ?? null,
  status: item.status as AccessTokenRecord['status'],
  revokedAt: (item.revoked_at as number | null | undefined) ?? null,
  revokedBy: (item.revoked_by as string | null | undefined) ?? null,
  tokenHint: item.token_hint as string,
  secretHash: item.secret_hash as string,
  pepperVersion: item.pepper_version as string,
  version: item.version as number,
})

export const accountToItem = (account: ServiceAccountRecord): Item => ({
  ...itemKeys.serviceAccount(account.id),
  gsi1pk: 'SERVICE_ACCOUNTS',
  gsi1sk: `${account.createdAt}#${account.id}`,
  id: account.id,
  name: account.name,
  description: account.description,
  roles: [...account.roles],
  scopes: [...account.scopes],
  created_at: account.createdAt,
  created_by: account.createdBy,
})
