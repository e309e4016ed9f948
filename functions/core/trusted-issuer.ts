/**
 * One trusted identity provider as Tollgate uses it, and the development
 * issuer, as plain code: what the authorizer's cold start needs of them
 * without the zod schema of TRUSTED_ISSUERS (./trusted-issuers.ts).
 */

/** Short names of identity providers: they prefix every person's id (`user:<id>:<sub>`). */
export const ISSUER_ID = /^[a-z][a-z0-9-]{0,31}$/
/** The development issuer's id, which `TRUSTED_ISSUERS` may not use. */
export const DEV_ISSUER_ID = 'dev'

/**
 * An identity provider whose JWTs people sign in with (docs/design.md#people). Roles come only through `roleMap`; scopes only from `ROLE_SCOPES`.
 */
export interface TrustedIssuer {
  readonly id: string
  /** The exact `iss` of its JWTs. */
  readonly issuer: string
  readonly jwksUri: string
  /** The exact `aud` its JWTs must carry for Tollgate; never Tollgate's own AUDIENCE. */
  readonly audience: string
  /**
   * A public OIDC client (no secret) registered at the IdP for the console
   * and `tollgate login --issuer`: ID tokens whose `aud` is this id are
   * accepted too. Undefined: people bring their JWTs some other way.
   */
  readonly clientId?: string | undefined
  /** The claim naming the person, `sub` unless configured. */
  readonly subjectClaim: string
  /** The claim holding the person's groups or roles at the IdP, if any. */
  readonly rolesClaim: string | undefined
  /**
   * IdP value → Tollgate role; values not in the map are dropped, so no IdP
   * group is `admin` by accident. `identity` (the dev issuer only): roles as asked.
   */
  readonly roleMap: Readonly<Record<string, string>> | 'identity'
}

/**
 * Why a list of trusted issuers cannot be used with Tollgate's own issuer
 * and audience, or undefined when it can. Never names a value.
 */
export const trustedIssuersProblem = (
  issuers: readonly TrustedIssuer[],
  own: { readonly issuer: string; readonly audience: string },
): string | undefined => {
  const ids = new Set(issuers.map((i) => i.id))
  const isses = new Set(issuers.map((i) => i.issuer))
  if (ids.size !== issuers.length) return 'TRUSTED_ISSUERS ids must be unique'
  if (isses.size !== issuers.length) return 'TRUSTED_ISSUERS issuers must be unique'
  if (ids.has(DEV_ISSUER_ID)) return `TRUSTED_ISSUERS may not use the id "${DEV_ISSUER_ID}"`
  const ownIssuers = [own.issuer, devIssuerOf(own.issuer)]
  if (issuers.some((i) => ownIssuers.includes(i.issuer.replace(/\/+$/, '')))) {
    return 'TRUSTED_ISSUERS may not name ISSUER (or its development issuer)'
  }
  if (issuers.some((i) => i.audience === own.audience)) {
    return 'TRUSTED_ISSUERS audiences may not equal AUDIENCE'
  }
  if (issuers.some((i) => i.clientId === own.audience)) {
    return 'TRUSTED_ISSUERS client ids may not equal AUDIENCE'
  }
  return undefined
}

/** The development issuer's `iss` (local mode only). */
export const devIssuerOf = (issuer: string): string => `${issuer}/dev`

/** The audience of development-issuer JWTs: never AUDIENCE itself. */
export const devAudienceOf = (audience: string): string => `dev:${audience}`

/**
 * The development issuer as a trusted issuer (local mode only): people are
 * `user:dev:<name>` with the roles they asked for. Its routes are served by
 * the dev server and are not in the route table.
 */
export const devTrustedIssuer = (config: {
  readonly issuer: string
  readonly audience: string
}): TrustedIssuer => ({
  id: DEV_ISSUER_ID,
  issuer: devIssuerOf(config.issuer),
  jwksUri: `${devIssuerOf(config.issuer)}/jwks.json`,
  audience: devAudienceOf(config.audience),
  subjectClaim: 'sub',
  rolesClaim: 'roles',
  roleMap: 'identity',
})
