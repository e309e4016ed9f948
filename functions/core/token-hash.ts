import { createHmac, timingSafeEqual } from './node-crypto.js'

/**
 * Keyed hash of an access token: HMAC-SHA-256 with the pepper, base64url.
 * Stored instead of the token, so a copy of the table alone cannot mint JWTs.
 */
export const hashAccessToken = (pepper: Uint8Array, token: string): string =>
  createHmac('sha256', pepper).update(token, 'ascii').digest('base64url')

/** Constant-time comparison of a presented token with a stored hash. */
export const matchesHash = (pepper: Uint8Array, token: string, storedHash: string): boolean => {
  const expected = Buffer.from(storedHash, 'base64url')
  const actual = createHmac('sha256', pepper).update(token, 'ascii').digest()
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}
