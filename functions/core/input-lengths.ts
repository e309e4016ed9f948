import { base62Width } from './base62.js'

/**
 * Lengths of what callers send (an access token's parts, a list cursor):
 * plain numbers, free of any runtime, so the API's schemas (and the
 * browser console, through the typed client) bound input without loading
 * node:crypto.
 */
export const ID_BYTES = 16
export const SECRET_BYTES = 32
export const TOKEN_ID_LENGTH = base62Width(ID_BYTES)
export const SECRET_LENGTH = base62Width(SECRET_BYTES)
export const CHECKSUM_LENGTH = 6
export const BODY_LENGTH = TOKEN_ID_LENGTH + SECRET_LENGTH

/** Longest string worth looking at; anything longer is rejected unread. */
export const ACCESS_TOKEN_LENGTH = 4 + BODY_LENGTH + CHECKSUM_LENGTH

/** Longest compact JWS looked at; Tollgate's own JWTs are well under 2 KiB. */
export const MAX_JWT_LENGTH = 8192

/** Longest list cursor accepted (a sealed position, base64url). */
export const MAX_CURSOR_LENGTH = 2048
