import { createHash } from './node-crypto.js'

/** The members an RSA or EC thumbprint covers. */
export interface ThumbprintMembers {
  readonly kty?: unknown
  readonly n?: unknown
  readonly e?: unknown
  readonly crv?: unknown
  readonly x?: unknown
  readonly y?: unknown
}

/**
 * RFC 7638 thumbprint (SHA-256, base64url) of an RSA or EC key: the required
 * public members in lexicographic order, without whitespace.
 *
 * @example
 * const kid = jwkThumbprint({ kty: 'EC', crv: 'P-256', x, y })
 */
export const jwkThumbprint = (jwk: ThumbprintMembers): string => {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url')
}
