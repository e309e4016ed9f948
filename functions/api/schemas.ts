import * as z from 'zod/mini'
import en from 'zod/v4/locales/en.js'
import { JWT_IN_ACCESS_TOKEN_FIELD, looksLikeJwt } from '../core/credential-kinds.js'
import { ACCESS_TOKEN_LENGTH, MAX_CURSOR_LENGTH, MAX_JWT_LENGTH } from '../core/input-lengths.js'
import {
  DESCRIPTION_TEXT,
  DESCRIPTION_TEXT_RULE,
  MAX_DESCRIPTION_LENGTH,
  MAX_PERMISSIONS,
  PERMISSION_NAME,
  RESOURCE_NAME,
  RESOURCE_NAME_RULE,
} from '../core/names.js'
import { CLAIM_NAME, MAX_PATTERN_LENGTH } from '../core/trust-policy-limits.js'

/** `/oauth2/*` bodies and answers live apart; every reader imports them from here. */
export * from './oauth-schemas.js'

/**
 * The wire contract of Tollgate's API (JSON, snake_case): what handlers
 * validate bodies with, what the OpenAPI document is generated from, and what
 * the typed client checks answers against. One definition, three readers.
 *
 * zod/mini, like config: full zod put 456 kB into every function that
 * validates a body (about 1 MB bundles, ~150 ms of init, measured by
 * `npm run bench`). The same checks, spelled as functions. Mini registers
 * no messages of its own, so the English ones full zod gave the API's
 * problem details are registered here.
 */
z.config(en())

// Core's patterns, so the published `pattern` and core's checks agree; the
// detail says the rule in words rather than echoing the regex.
const name = z.string().check(z.regex(RESOURCE_NAME, `must ${RESOURCE_NAME_RULE}`))
const permissions = z
  .array(z.string().check(z.regex(PERMISSION_NAME)))
  .check(z.maxLength(MAX_PERMISSIONS))
const descriptionText = z
  .string()
  .check(
    z.maxLength(MAX_DESCRIPTION_LENGTH),
    z.regex(DESCRIPTION_TEXT, `must ${DESCRIPTION_TEXT_RULE}`),
  )
const instant = z.iso.datetime()
/** Owner ids: `sa_…` or `user:<issuer id>:<sub>`; checked precisely by core. */
const ownerId = z.string().check(z.minLength(1), z.maxLength(300))

export const exchangeRequest = z.strictObject({
  // Generous bound: a longer string cannot be a token, and is rejected unread. The likeliest
  // one is a JWT (Tollgate's are ~700 characters), so the refusal says so and what to do.
  access_token: z.string().check(
    z.maxLength(ACCESS_TOKEN_LENGTH * 4, {
      error: (issue) => (looksLikeJwt(issue.input) ? JWT_IN_ACCESS_TOKEN_FIELD : undefined),
    }),
  ),
  duration_seconds: z.optional(z.number()),
  scope: z.optional(z.string().check(z.maxLength(4096))),
})

export const exchangeResponse = z.object({
  jwt: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.int(),
  expires_at: instant,
  scope: z.string(),
})

export const serviceAccountCreate = z.strictObject({
  name,
  description: z.optional(descriptionText),
  roles: permissions,
  scopes: permissions,
})

export const serviceAccountPatch = z.strictObject({
  name: z.optional(name),
  description: z.optional(descriptionText),
  roles: z.optional(permissions),
  scopes: z.optional(permissions),
})

/**
 * What the reader may do to what it reads (`allowed_actions` on reads),
 * decided by the same checks the write routes run; the server still
 * decides each call. A UI offers only these.
 */
export const TOKEN_ACTIONS = ['update', 'revoke', 'regenerate'] as const
export const SERVICE_ACCOUNT_ACTIONS = ['update', 'delete', 'create_token'] as const
export const CALLER_ACTIONS = ['create_personal_token', 'create_service_account'] as const

export const serviceAccount = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  roles: z.array(z.string()),
  scopes: z.array(z.string()),
  created_at: instant,
  created_by: z.string(),
  /** The account's ETag value, for `If-Match` on `PATCH` (like a token's `version`). */
  version: z.int(),
  /** On reads (`GET` one, list items): what the reader may do to it. */
  allowed_actions: z.optional(z.array(z.enum(SERVICE_ACCOUNT_ACTIONS))),
})

export const accessTokenCreate = z.strictObject({
  name,
  description: z.optional(descriptionText),
  service_account_id: z.optional(ownerId),
  scopes: z.optional(permissions),
  roles: z.optional(permissions),
  /** Absent: DEFAULT_TOKEN_TTL_SECONDS; null: never expires, where allowed. */
  expires_in_seconds: z.optional(z.nullable(z.int())),
})

export const accessTokenPatch = z.strictObject({
  name: z.optional(name),
  description: z.optional(descriptionText),
  scopes: z.optional(permissions),
  roles: z.optional(permissions),
})

export const revokeOwnerRequest = z.strictObject({ owner: ownerId })

export const revokeOwnerResponse = z.object({
  owner: z.string(),
  revoked: z.int(),
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
  expires_at: z.nullable(instant),
  last_used_at: z.nullable(instant),
  status: z.enum(['active', 'revoked', 'expired']),
  revoked_at: z.nullable(instant),
  revoked_by: z.nullable(z.string()),
  /** The audit event that revoked it through its owner (revoke-all, deletion), if that is why. */
  revoked_by_event: z.nullable(z.string()),
  token_hint: z.string(),
  version: z.int(),
  generation: z.int(),
  /** On reads (`GET` one, list items): what the reader may do to it. */
  allowed_actions: z.optional(z.array(z.enum(TOKEN_ACTIONS))),
})

/** The create and regenerate answers: the resource plus the secret, this once. */
export const accessTokenWithSecret = z.extend(accessToken, { token: z.string() })

export const auditEvent = z.object({
  id: z.string(),
  at: instant,
  action: z.string(),
  actor: z.string(),
  source_atid: z.nullable(z.string()),
  request_id: z.nullable(z.string()),
  changes: z.record(z.string(), z.unknown()),
})

/** Patterns and subjects: checked precisely by core (RE2 syntax, the tenant prefix rule). */
const patternText = z.string().check(z.minLength(1), z.maxLength(MAX_PATTERN_LENGTH))
const claimPatterns = z.record(z.string().check(z.regex(CLAIM_NAME)), patternText)
const seconds = z.int().check(z.positive())
/** An issuer or JWKS URI as text; core checks it against FEDERATION_ISSUERS or the https rule. */
const url = z.string().check(z.minLength(1), z.maxLength(MAX_PATTERN_LENGTH))

export const trustPolicyCreate = z.strictObject({
  name,
  description: z.optional(descriptionText),
  issuer: url,
  jwks_uri: z.optional(url),
  audience: z.string().check(z.minLength(1), z.maxLength(256)),
  subject: z.optional(patternText),
  subject_pattern: z.optional(patternText),
  claims: z.optional(claimPatterns),
  service_account_id: ownerId,
  scopes: permissions,
  max_duration_seconds: seconds,
  max_token_age_seconds: z.optional(seconds),
})

export const trustPolicyPatch = z.strictObject({
  name: z.optional(name),
  description: z.optional(descriptionText),
  issuer: z.optional(url),
  /** null removes it: the issuer's discovery document names the keys again. */
  jwks_uri: z.optional(z.nullable(url)),
  audience: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  subject: z.optional(patternText),
  subject_pattern: z.optional(patternText),
  claims: z.optional(claimPatterns),
  service_account_id: z.optional(ownerId),
  scopes: z.optional(permissions),
  max_duration_seconds: z.optional(seconds),
  max_token_age_seconds: z.optional(seconds),
})

export const trustPolicy = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  issuer: z.string(),
  jwks_uri: z.nullable(z.string()),
  audience: z.string(),
  subject: z.nullable(z.string()),
  subject_pattern: z.nullable(z.string()),
  claims: z.record(z.string(), z.string()),
  service_account_id: z.string(),
  scopes: z.array(z.string()),
  max_duration_seconds: z.int(),
  max_token_age_seconds: z.int(),
  /** `ptv` of the JWTs it mints: bumped by every change but name and description. */
  generation: z.int(),
  version: z.int(),
  created_at: instant,
  created_by: z.string(),
  updated_at: instant,
})

/** An outside JWT (`token`) or its bare claim set (`claims`, with `iss`); exactly one. */
export const trustPolicySimulation = z.strictObject({
  token: z.optional(z.string().check(z.maxLength(MAX_JWT_LENGTH))),
  claims: z.optional(z.record(z.string(), z.unknown())),
  policy: z.optional(z.string().check(z.maxLength(64))),
})

export const trustPolicySimulationResult = z.object({
  issuer: z.nullable(z.string()),
  /** The policy an exchange would use; null when none would (then `reason` says why). */
  matched_policy: z.nullable(z.string()),
  reason: z.nullable(z.string()),
  /** Every policy of the issuer: whether it matches, else the first failing condition and the value seen. */
  policies: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      matched: z.boolean(),
      condition: z.nullable(z.string()),
      saw: z.unknown(),
    }),
  ),
})

export const whoami = z.object({
  sub: z.string(),
  kind: z.enum(['service', 'personal', 'person', 'federated']),
  roles: z.array(z.string()),
  scopes: z.array(z.string()),
  atid: z.nullable(z.string()),
  jti: z.nullable(z.string()),
  /** What the caller may create (a UI's create buttons); absent from older servers. */
  allowed_actions: z.optional(z.array(z.enum(CALLER_ACTIONS))),
})

/** The Lambda authorizer's context, as `GET /whoami/authorizer` echoes it (primitives only). */
export const authorizerContext = z.object({
  iss: z.string(),
  sub: z.string(),
  scope: z.string(),
  roles: z.string(),
  token_type: z.enum(['service', 'personal', 'person', 'federated']),
  atid: z.string(),
  tpid: z.string(),
  act_sub: z.string(),
  jti: z.string(),
})

export const listOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.nullable(z.string()) })

/** Query of every list: `limit` 1-100 (default 20) and the previous page's `next_cursor`. */
export const pageQuery = z.strictObject({
  limit: z.optional(z.string().check(z.regex(/^(100|[1-9][0-9]?)$/))),
  cursor: z.optional(z.string().check(z.maxLength(MAX_CURSOR_LENGTH))),
})

export const tokenListQuery = z.extend(pageQuery, {
  owner: z.optional(ownerId),
  name: z.optional(z.string().check(z.maxLength(64))),
  status: z.optional(z.enum(['active', 'revoked', 'expired'])),
})

export const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.string(),
  request_id: z.string(),
  /**
   * An exchange refused for a `duration_seconds` beyond the access token's
   * remaining life: the longest it may ask for now (below 60, none).
   */
  max_duration_seconds: z.optional(z.int()),
})

export const jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) })

export const authorizationServerMetadata = z.looseObject({
  issuer: z.string(),
  jwks_uri: z.string(),
  token_endpoint: z.string(),
  token_endpoint_auth_methods_supported: z.array(z.string()),
  grant_types_supported: z.array(z.string()),
  response_types_supported: z.array(z.string()),
  introspection_endpoint: z.string(),
  revocation_endpoint: z.string(),
})

export const openidConfiguration = z.looseObject({
  ...authorizationServerMetadata.shape,
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
})

export const openapiDocument = z.looseObject({ openapi: z.string() })

/**
 * `GET /console/config.json`: how people may sign in to the console. Each
 * identity provider with a public `client_id` in TRUSTED_ISSUERS; the
 * development issuer in local mode.
 */
export const consoleConfig = z.object({
  identity_providers: z.array(
    z.object({ id: z.string(), issuer: z.string(), client_id: z.string() }),
  ),
  development_sign_in: z.boolean(),
})
