import { z } from 'zod'
import { ACCESS_TOKEN_LENGTH } from '../core/access-token.js'
import { MAX_CURSOR_LENGTH } from '../core/cursor.js'
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_PERMISSIONS,
  PERMISSION_NAME,
  RESOURCE_NAME,
} from '../core/names.js'

/**
 * The wire contract of Tollgate's API (JSON, snake_case): what handlers
 * validate bodies with, what the OpenAPI document is generated from, and what
 * the typed client checks answers against. One definition, three readers.
 */

const name = z.string().regex(RESOURCE_NAME)
const permissions = z.array(z.string().regex(PERMISSION_NAME)).max(MAX_PERMISSIONS)
const descriptionText = z.string().max(MAX_DESCRIPTION_LENGTH)
const instant = z.iso.datetime()
/** Owner ids: `sa_…` or `user:<issuer id>:<sub>`; checked precisely by core. */
const ownerId = z.string().min(1).max(300)

export const exchangeRequest = z.strictObject({
  // Generous bound: a longer string cannot be a token, and is rejected unread as invalid_token.
  access_token: z.string().max(ACCESS_TOKEN_LENGTH * 4),
  duration_seconds: z.number().optional(),
  scope: z.string().max(4096).optional(),
})

export const exchangeResponse = z.object({
  jwt: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  expires_at: instant,
  scope: z.string(),
})

export const serviceAccountCreate = z.strictObject({
  name,
  description: descriptionText.optional(),
  roles: permissions,
  scopes: permissions,
})

export const serviceAccountPatch = z.strictObject({
  name: name.optional(),
  description: descriptionText.optional(),
  roles: permissions.optional(),
  scopes: permissions.optional(),
})

export const serviceAccount = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  roles: z.array(z.string()),
  scopes: z.array(z.string()),
  created_at: instant,
  created_by: z.string(),
  /** The account's ETag value, for `If-Match` on `PATCH` (like a token's `version`). */
  version: z.number().int(),
})

export const accessTokenCreate = z.strictObject({
  name,
  description: descriptionText.optional(),
  service_account_id: ownerId.optional(),
  scopes: permissions.optional(),
  roles: permissions.optional(),
  /** Absent: DEFAULT_TOKEN_TTL_SECONDS; null: never expires, where allowed. */
  expires_in_seconds: z.number().int().nullable().optional(),
})

export const accessTokenPatch = z.strictObject({
  name: name.optional(),
  description: descriptionText.optional(),
  scopes: permissions.optional(),
  roles: permissions.optional(),
})

export const revokeOwnerRequest = z.strictObject({ owner: ownerId })

export const revokeOwnerResponse = z.object({
  owner: z.string(),
  revoked: z.number().int(),
})

export const accessToken = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  kind: z.enum(['service', 'personal']),
  owner: z.object({ type: z.enum(['service_account', 'user']), id: z.string() }),
  scopes: z.array(z.string()),
  roles: z.array(z.string()),
  created_at: instant,
  created_by: z.string(),
  expires_at: instant.nullable(),
  last_used_at: instant.nullable(),
  status: z.enum(['active', 'revoked', 'expired']),
  revoked_at: instant.nullable(),
  revoked_by: z.string().nullable(),
  /** The audit event that revoked it through its owner (revoke-all, deletion), if that is why. */
  revoked_by_event: z.string().nullable(),
  token_hint: z.string(),
  version: z.number().int(),
  generation: z.number().int(),
})

/** The create and regenerate answers: the resource plus the secret, this once. */
export const accessTokenWithSecret = accessToken.extend({ token: z.string() })

export const auditEvent = z.object({
  id: z.string(),
  at: instant,
  action: z.string(),
  actor: z.string(),
  source_atid: z.string().nullable(),
  request_id: z.string().nullable(),
  changes: z.record(z.string(), z.unknown()),
})

export const whoami = z.object({
  sub: z.string(),
  kind: z.enum(['service', 'personal', 'person']),
  roles: z.array(z.string()),
  scopes: z.array(z.string()),
  atid: z.string().nullable(),
  jti: z.string().nullable(),
})

/** The Lambda authorizer's context, as `GET /whoami/authorizer` echoes it (primitives only). */
export const authorizerContext = z.object({
  iss: z.string(),
  sub: z.string(),
  scope: z.string(),
  roles: z.string(),
  token_type: z.enum(['service', 'personal', 'person']),
  atid: z.string(),
  act_sub: z.string(),
  jti: z.string(),
})

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() })

/** Query of every list: `limit` 1-100 (default 20) and the previous page's `next_cursor`. */
export const pageQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^(100|[1-9][0-9]?)$/)
    .optional(),
  cursor: z.string().max(MAX_CURSOR_LENGTH).optional(),
})

export const tokenListQuery = pageQuery.extend({
  owner: ownerId.optional(),
  name: z.string().max(64).optional(),
  status: z.enum(['active', 'revoked', 'expired']).optional(),
})

export const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  request_id: z.string(),
})

export const jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) })

export const openidConfiguration = z.looseObject({
  issuer: z.string(),
  jwks_uri: z.string(),
  token_endpoint: z.string(),
})

export const openapiDocument = z.looseObject({ openapi: z.string() })
