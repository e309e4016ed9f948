import { ACCESS_TOKEN_JWT_TYPE } from './claims.js'
import type { Signer } from './ports.js'

const encodeJson = (value: unknown): string =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')

/**
 * Builds a compact JWS (RFC 7515) with the signer's key. The header is only
 * ever `{alg, kid, typ}`: no key material or URLs that a verifier might trust.
 *
 * @example
 * const jwt = await signJwt(signer, { sub: 'sa_1', exp: 1700000000 })
 */
export const signJwt = async (signer: Signer, claims: object): Promise<string> => {
  const payload = encodeJson(claims)
  const { signingInput, signature } = await signer.sign((kid) =>
    Buffer.from(
      `${encodeJson({ alg: signer.alg, kid, typ: ACCESS_TOKEN_JWT_TYPE })}.${payload}`,
      'ascii',
    ),
  )
  return `${Buffer.from(signingInput).toString('ascii')}.${Buffer.from(signature).toString('base64url')}`
}
