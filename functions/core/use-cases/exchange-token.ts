import { type AccessTokenJwtClaims, buildClaims, type TollgateClaims } from '../claims.js'
import type { Config } from '../config.js'
import { TollgateError } from '../errors.js'
import { signJwt } from '../jws.js'
import { randomUUID } from '../node-crypto.js'
import type { Signer } from '../ports.js'
import { rolesBeside } from '../rights.js'
import { narrowScopes, parseScopeString } from '../scopes.js'
import {
  type AuthenticationDependencies,
  authenticateAccessToken,
  recordUse,
} from './authenticate-access-token.js'

export const DEFAULT_JWT_DURATION_SECONDS = 300
export const MIN_JWT_DURATION_SECONDS = 60

export interface ExchangeDependencies extends AuthenticationDependencies {
  readonly signer: Signer
  readonly config: Pick<Config, 'issuer' | 'audience' | 'maxJwtDurationSeconds'>
}

export interface ExchangeRequest {
  readonly accessToken: unknown
  readonly durationSeconds?: number | undefined
  readonly scope?: string | undefined
}

export interface ExchangeResult<C extends TollgateClaims = TollgateClaims> {
  readonly jwt: string
  /** What the JWT says, for the issuance log (never the JWT itself). */
  readonly claims: C
  readonly expiresIn: number
  /** Epoch milliseconds. */
  readonly expiresAt: number
  readonly scope: string
}

/**
 * Exchanges a long-lived access token for a short-lived JWT.
 *
 * Primary course:
 * 1. Check the request's own bounds (duration, scope syntax) before any read.
 * 2. Authenticate the access token (format, one read of token and owner item,
 *    constant-time hash, status), granting its scopes within the owner's ceiling.
 * 3. Check duration against the token's remaining life, and scope against what it
 *    grants; asking for less drops `tollgate:admin`, and with it the `admin` role claim.
 * 4. Sign the claims, and record the use at most once a minute.
 */
export const exchangeToken = async (
  deps: ExchangeDependencies,
  request: ExchangeRequest,
): Promise<ExchangeResult<AccessTokenJwtClaims>> => {
  const requestedScopes = request.scope === undefined ? undefined : parseScopeString(request.scope)
  const durationSeconds = request.durationSeconds ?? DEFAULT_JWT_DURATION_SECONDS
  checkDurationBounds(durationSeconds, deps.config.maxJwtDurationSeconds)

  const {
    record,
    owner,
    roles,
    scopes: granted,
    now,
  } = await authenticateAccessToken(deps, request.accessToken)
  if (record.expiresAt !== null) {
    checkRemainingLife(durationSeconds, Math.floor((record.expiresAt - now) / 1000))
  }
  const scopes = narrowScopes(granted, requestedScopes)
  const claims = buildClaims({
    issuer: deps.config.issuer,
    audience: deps.config.audience,
    token: record,
    roles: rolesBeside(roles, scopes),
    ownerGeneration: owner.otv,
    scopes,
    issuedAt: now,
    durationSeconds,
    jti: randomUUID(),
  })
  const [jwt] = await Promise.all([signJwt(deps.signer, claims), recordUse(deps, record, now)])
  return {
    jwt,
    claims,
    expiresIn: durationSeconds,
    expiresAt: claims.exp * 1000,
    scope: claims.scope,
  }
}

export const checkDurationBounds = (durationSeconds: number, max: number): void => {
  if (
    !Number.isSafeInteger(durationSeconds) ||
    durationSeconds < MIN_JWT_DURATION_SECONDS ||
    durationSeconds > max
  ) {
    throw new TollgateError(
      'invalid_request',
      `duration_seconds must be an integer between ${MIN_JWT_DURATION_SECONDS} and ${max}.`,
    )
  }
}

/**
 * Never clamped (DESIGN "JWT exchange"): a duration beyond the token's
 * remaining life is refused, saying how long it may be, also as the problem
 * member `max_duration_seconds`, so that a client that did not choose the
 * duration can ask again for one that fits. Only the token's holder learns it.
 */
const checkRemainingLife = (durationSeconds: number, remainingSeconds: number): void => {
  if (durationSeconds <= remainingSeconds) return
  const extensions = { max_duration_seconds: Math.max(remainingSeconds, 0) }
  if (remainingSeconds < MIN_JWT_DURATION_SECONDS) {
    throw new TollgateError(
      'invalid_request',
      `The access token expires in ${extensions.max_duration_seconds} s, sooner than the ` +
        `shortest JWT (${MIN_JWT_DURATION_SECONDS} s): use a new access token.`,
      { extensions },
    )
  }
  throw new TollgateError(
    'invalid_request',
    `duration_seconds must not exceed the access token's remaining life (${remainingSeconds} s): ` +
      `ask for ${remainingSeconds} or less.`,
    { extensions },
  )
}
