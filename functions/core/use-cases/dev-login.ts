import type { Config } from '../config.js'
import { TollgateError } from '../errors.js'
import { signJwt } from '../jws.js'
import { permissionNames } from '../names.js'
import { randomUUID } from '../node-crypto.js'
import type { Clock, Signer } from '../ports.js'
import { devAudienceOf, devIssuerOf } from '../trusted-issuer.js'

/** A development sign-in lasts an hour: long enough to try things, short enough to forget. */
export const DEV_LOGIN_SECONDS = 3600
const DEV_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/

export interface DevLoginDependencies {
  readonly signer: Signer
  readonly clock: Clock
  readonly config: Pick<Config, 'issuer' | 'audience' | 'localMode'>
}

export interface DevLogin {
  readonly jwt: string
  readonly sub: string
  readonly expiresIn: number
}

/**
 * Signs a person in with the development issuer (local mode only): a JWT
 * for `user:dev:<name>` with the roles asked for, which Tollgate then trusts
 * like any identity provider's. Outside local mode it does not exist.
 *
 * @example
 * const { jwt } = await devLogin(deps, { name: 'alice', roles: ['admin'] })
 */
export const devLogin = async (
  deps: DevLoginDependencies,
  request: { readonly name: string; readonly roles: readonly string[] },
): Promise<DevLogin> => {
  if (!deps.config.localMode) {
    throw new TollgateError('not_found', 'The development issuer exists only in local mode.')
  }
  if (!DEV_NAME.test(request.name)) {
    throw new TollgateError(
      'invalid_request',
      'name must be 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit.',
    )
  }
  const roles = permissionNames('roles', request.roles)
  const iat = Math.floor(deps.clock.now() / 1000)
  const jwt = await signJwt(deps.signer, {
    iss: devIssuerOf(deps.config.issuer),
    sub: request.name,
    aud: devAudienceOf(deps.config.audience),
    roles,
    jti: randomUUID(),
    iat,
    nbf: iat,
    exp: iat + DEV_LOGIN_SECONDS,
  })
  return { jwt, sub: `user:dev:${request.name}`, expiresIn: DEV_LOGIN_SECONDS }
}
