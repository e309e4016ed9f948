import { JwtVerifier } from 'aws-jwt-verify'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { signJwt } from '../../functions/core/jws.js'
import type { PublicJwk, Signer } from '../../functions/core/ports.js'

export const ISSUER = 'https://tollgate.example'
export const AUDIENCE = 'tollgate'

/** A Tollgate-shaped claim set valid from `now` (epoch ms) for `seconds`. */
export const claimsAt = (now: number, seconds = 300, sub = 'sa_test') => {
  const iat = Math.floor(now / 1000)
  return {
    iss: ISSUER,
    sub,
    aud: AUDIENCE,
    scope: 'datasets:read',
    roles: ['reader'],
    token_type: 'service',
    is_bot: true,
    atid: 'atid_test',
    jti: `jti-${iat}-${sub}`,
    iat,
    nbf: iat,
    exp: iat + seconds,
  }
}

/** Mints a JWT through `signer`, valid from `now` for `seconds`. */
export const mint = (signer: Signer, now = Date.now(), seconds = 300, sub = 'sa_test') =>
  signJwt(signer, claimsAt(now, seconds, sub))

/** Verifies with jose against `keys` at `now`; resolves to the header's kid. */
export const verifyWithJose = async (
  jwt: string,
  keys: readonly PublicJwk[],
  alg: string,
  now = Date.now(),
): Promise<string> => {
  const { protectedHeader } = await jwtVerify(jwt, createLocalJWKSet({ keys: [...keys] }), {
    algorithms: [alg],
    issuer: ISSUER,
    audience: AUDIENCE,
    currentDate: new Date(now),
  })
  return String(protectedHeader.kid)
}

/** Verifies with aws-jwt-verify (real time) against `keys`, loaded as a cached JWKS. */
export const verifyWithAwsJwtVerify = async (
  jwt: string,
  keys: readonly PublicJwk[],
): Promise<void> => {
  const verifier = JwtVerifier.create({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: `${ISSUER}/.well-known/jwks.json`,
  })
  // aws-jwt-verify's Jwk type wants kty present; ours always is.
  verifier.cacheJwks({ keys: keys.map((key) => ({ ...key, kty: String(key.kty) })) })
  await verifier.verify(jwt)
}

export const headerOf = (jwt: string) => decodeProtectedHeader(jwt)
