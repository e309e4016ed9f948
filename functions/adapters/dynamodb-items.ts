import * as z from 'zod/mini'
import { TollgateError } from '../core/errors.js'
import { ownerTag } from '../core/owners.js'
import type { AccessTokenRecord, OwnerRecord } from '../core/records.js'
import { itemKeys, timeKey } from './token-table.js'

export { timeKey }

/** How long a record stays for audit after it can no longer be used. */
export const RETENTION_SECONDS = 400 * 86_400

export type Item = Record<string, unknown>

export const ttlAfter = (ms: number | null | undefined): number | undefined =>
  ms === null || ms === undefined ? undefined : Math.floor(ms / 1000) + RETENTION_SECONDS

export const time = z.number().check(z.int(), z.nonnegative())
const names = z.array(z.string())
const ownerType = z.enum(['service_account', 'user'])

/**
 * Stored items are validated when read (docs/design.md#access-tokens): a malformed item is an
 * error, never, say, a token without an expiry that therefore never expires.
 */
export const parse = <T>(schema: z.ZodMiniType<T>, item: Item, what: string): T => {
  const result = schema.safeParse(item)
  if (!result.success) {
    // Never the item: it may hold a hash. The key says which one to look at.
    throw new TollgateError('internal', `A stored ${what} is malformed.`, {
      cause: new Error(`malformed ${what} ${String(item.pk)}/${String(item.sk)}`),
    })
  }
  return result.data
}

const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  kind: z.enum(['service', 'personal']),
  owner_type: ownerType,
  owner_id: z.string(),
  scopes: names,
  roles: names,
  created_at: time,
  created_by: z.string(),
  expires_at: z.optional(time),
  last_used_at: z.optional(time),
  status: z.string(),
  revoked_at: z.optional(time),
  revoked_by: z.optional(z.string()),
  token_hint: z.string(),
  secret_hash: z.string().check(z.minLength(43)),
  pepper_version: z.string(),
  version: z.number().check(z.int(), z.positive()),
  generation: z.number().check(z.int(), z.positive()),
})

/**
 * Storage form of a token: snake_case, and absent values left out rather
 * than stored as NULL, so that `attribute_not_exists` means what it says.
 * Kept for audit until the retention period after it stops being usable
 * (expiry, or revocation when sooner).
 */
export const tokenToItem = (token: AccessTokenRecord): Item => {
  const endOfUse =
    token.revokedAt !== null && (token.expiresAt === null || token.revokedAt < token.expiresAt)
      ? token.revokedAt
      : token.expiresAt
  return {
    ...itemKeys.token(token.id),
    gsi1pk: `TOKENS_OF#${token.owner.id}`,
    gsi1sk: `${timeKey(token.createdAt)}#${token.id}`,
    gsi2pk: 'TOKENS',
    gsi2sk: `${timeKey(token.createdAt)}#${token.id}`,
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
    generation: token.generation,
    ttl: ttlAfter(endOfUse),
  }
}

export const itemToToken = (item: Item): AccessTokenRecord => {
  const t = parse(tokenSchema, item, 'access token')
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    kind: t.kind,
    owner: { type: t.owner_type, id: t.owner_id },
    scopes: t.scopes,
    roles: t.roles,
    createdAt: t.created_at,
    createdBy: t.created_by,
    expiresAt: t.expires_at ?? null,
    lastUsedAt: t.last_used_at ?? null,
    // Any value but 'active' fails closed in effectiveStatus.
    status: t.status as AccessTokenRecord['status'],
    revokedAt: t.revoked_at ?? null,
    revokedBy: t.revoked_by ?? null,
    tokenHint: t.token_hint,
    secretHash: t.secret_hash,
    pepperVersion: t.pepper_version,
    version: t.version,
    generation: t.generation,
  }
}

const ownerSchema = z.object({
  owner_type: ownerType,
  owner_id: z.string(),
  status: z.enum(['active', 'deleted']),
  tokens: z.array(z.object({ id: z.string(), name: z.string(), expires_at: z.optional(time) })),
  otv: z.number().check(z.int(), z.positive()),
  version: z.number().check(z.int(), z.positive()),
  account: z.optional(
    z.object({
      name: z.string(),
      description: z.string(),
      created_at: time,
      created_by: z.string(),
      version: z.number().check(z.int(), z.positive()),
    }),
  ),
  ceiling: z.optional(z.object({ roles: names, scopes: names })),
  last_revocation: z.optional(z.object({ at: time, by: z.string(), event_id: z.string() })),
  deleted_at: z.optional(time),
})

/** The owner item sits at its tag, so a token id alone finds it (see `ownerTag`). */
export const ownerItemKey = (ownerId: string) => itemKeys.owner(ownerTag(ownerId))

export const ownerToItem = (owner: OwnerRecord): Item => {
  const listed = owner.account !== undefined && owner.status === 'active'
  return {
    ...ownerItemKey(owner.ref.id),
    // Only active service accounts are in the list index; a deleted one drops out of it.
    ...(listed
      ? {
          gsi2pk: 'SERVICE_ACCOUNTS',
          gsi2sk: `${timeKey(owner.account?.createdAt ?? 0)}#${owner.ref.id}`,
        }
      : {}),
    owner_type: owner.ref.type,
    owner_id: owner.ref.id,
    status: owner.status,
    tokens: owner.tokens.map((token) => ({
      id: token.id,
      name: token.name,
      expires_at: token.expiresAt ?? undefined,
    })),
    otv: owner.otv,
    version: owner.version,
    account:
      owner.account === undefined
        ? undefined
        : {
            name: owner.account.name,
            description: owner.account.description,
            created_at: owner.account.createdAt,
            created_by: owner.account.createdBy,
            version: owner.account.version,
          },
    ceiling:
      owner.ceiling === undefined
        ? undefined
        : { roles: [...owner.ceiling.roles], scopes: [...owner.ceiling.scopes] },
    last_revocation:
      owner.lastRevocation === undefined
        ? undefined
        : {
            at: owner.lastRevocation.at,
            by: owner.lastRevocation.by,
            event_id: owner.lastRevocation.eventId,
          },
    deleted_at: owner.deletedAt,
    ttl: ttlAfter(owner.deletedAt),
  }
}

export const itemToOwner = (item: Item): OwnerRecord => {
  const o = parse(ownerSchema, item, 'owner')
  return {
    ref: { type: o.owner_type, id: o.owner_id },
    status: o.status,
    account:
      o.account === undefined
        ? undefined
        : {
            name: o.account.name,
            description: o.account.description,
            createdAt: o.account.created_at,
            createdBy: o.account.created_by,
            version: o.account.version,
          },
    ceiling: o.ceiling,
    tokens: o.tokens.map((token) => ({
      id: token.id,
      name: token.name,
      expiresAt: token.expires_at ?? null,
    })),
    otv: o.otv,
    version: o.version,
    lastRevocation:
      o.last_revocation === undefined
        ? undefined
        : {
            at: o.last_revocation.at,
            by: o.last_revocation.by,
            eventId: o.last_revocation.event_id,
          },
    deletedAt: o.deleted_at,
  }
}
