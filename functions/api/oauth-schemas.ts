import * as z from 'zod/mini'

/*
 * `/oauth2/*` (docs/oauth.md): form bodies, every value a string. Unknown
 * parameters are ignored, not refused (RFC 6749 §3.2); a repeated one is
 * refused before these run (§3.1).
 */
const formValue = z.string().check(z.maxLength(8192))
const clientFields = {
  /** The access token's id (client_secret_post; with Basic, optional and equal to Basic's). */
  client_id: z.optional(formValue),
  /** The access token itself (client_secret_post). */
  client_secret: z.optional(formValue),
}

export const oauthTokenRequest = z.object({
  grant_type: formValue,
  ...clientFields,
  scope: z.optional(formValue),
  /** Tollgate's extension: the JWT's lifetime, as at `/access-tokens/jwt` (default 300). */
  duration_seconds: z.optional(z.string().check(z.regex(/^[0-9]{1,9}$/))),
  subject_token: z.optional(formValue),
  subject_token_type: z.optional(formValue),
  requested_token_type: z.optional(formValue),
  actor_token: z.optional(formValue),
  actor_token_type: z.optional(formValue),
  audience: z.optional(formValue),
  resource: z.optional(formValue),
  /** Tollgate's extension: the trust policy an outside token is matched with. */
  policy: z.optional(formValue),
})

export const oauthTokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.int(),
  scope: z.string(),
  /** The token exchange only (RFC 8693 §2.2.1). */
  issued_token_type: z.optional(z.string()),
})

export const oauthIntrospectionRequest = z.object({
  token: formValue,
  token_type_hint: z.optional(formValue),
})

/** RFC 7662 §2.2: only `active` when inactive; Tollgate's own kind is `kind`. */
export const oauthIntrospectionResponse = z.object({
  active: z.boolean(),
  kind: z.optional(z.enum(['access_token', 'jwt'])),
  scope: z.optional(z.string()),
  client_id: z.optional(z.string()),
  sub: z.optional(z.string()),
  iss: z.optional(z.string()),
  iat: z.optional(z.int()),
  exp: z.optional(z.int()),
  nbf: z.optional(z.int()),
  aud: z.optional(z.string()),
  jti: z.optional(z.string()),
  token_type: z.optional(z.literal('Bearer')),
})

export const oauthRevocationRequest = z.object({
  token: formValue,
  token_type_hint: z.optional(formValue),
  ...clientFields,
})

/** RFC 6749 §5.2: what every `/oauth2/*` refusal is. */
export const oauthError = z.object({
  error: z.string(),
  error_description: z.string(),
})
