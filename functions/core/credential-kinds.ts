/**
 * Tollgate takes two kinds of credential in two places: an access token
 * (`tgs_…`/`tgp_…`) in the exchange's `access_token`, and a JWT as
 * `Authorization: Bearer`. Sent the wrong way round, either is only
 * "malformed"; these let a refusal name the mix-up and its fix instead.
 * Shapes only: nothing is decoded, and no message quotes the credential.
 */

/** Three dot-separated base64url segments (the signature may be empty, as in `alg: none`). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/** Tollgate's prefixes; no JWT has `_` at index 3 and no `.`, so a damaged token still counts. */
const ACCESS_TOKEN_SHAPE = /^tg[sp]_[0-9A-Za-z]*$/

/** Whether `value` is shaped like a compact JWT (any issuer), not whether it is a valid one. */
export const looksLikeJwt = (value: unknown): boolean =>
  typeof value === 'string' && JWT_SHAPE.test(value)

/** Whether `value` starts like a Tollgate access token and has no JWT structure. */
export const looksLikeAccessToken = (value: unknown): boolean =>
  typeof value === 'string' && ACCESS_TOKEN_SHAPE.test(value)

const EXCHANGE_AN_ACCESS_TOKEN =
  'Exchange the access token (tgs_… or tgp_…) shown when it was created, or send the JWT ' +
  'itself as "Authorization: Bearer <jwt>" to the route you want to call.'

/** A JWT where the exchange wants an access token, as the field's problem (after `access_token: `). */
export const JWT_IN_ACCESS_TOKEN_FIELD = `holds a JWT, not an access token. ${EXCHANGE_AN_ACCESS_TOKEN}`

/** A JWT where an access token belongs, as a whole detail (the exchange, Basic auth). */
export const JWT_AS_ACCESS_TOKEN = `A JWT was sent where an access token belongs. ${EXCHANGE_AN_ACCESS_TOKEN}`

/** An access token where a JWT belongs. */
export const ACCESS_TOKEN_AS_BEARER =
  'The bearer credential is an access token, not a JWT. Exchange it first at ' +
  'POST /access-tokens/jwt and send the "jwt" of the answer as "Authorization: Bearer <jwt>" ' +
  '(the tollgate client and CLI do this for you: `tollgate jwt`).'
