import { verifyBearer } from '../bearer.js'
import type { Config } from '../config.js'
import type { DenyList } from '../deny-list.js'
import { TollgateError } from '../errors.js'
import { MAX_JWT_LENGTH } from '../input-lengths.js'
import type { JwtVerifier } from '../jwt-verifier.js'
import { timingSafeEqual } from '../node-crypto.js'
import type { PersonVerifier } from '../person-verifier.js'
import {
  buildPolicy,
  type ExecuteApiArn,
  type PermissionRule,
  type PolicyDocument,
  requiredScopes,
} from '../route-permissions.js'
import {
  type AuthenticationDependencies,
  authenticateAccessToken,
  recordUse,
} from './authenticate-access-token.js'

/** Longest Basic credential decoded: a username plus an access token, base64'd, with room. */
const MAX_BASIC_CREDENTIALS_LENGTH = 1024
const STRICT_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
/** Room for the longest JWT and its scheme; anything longer is refused unread. */
const MAX_AUTHORIZATION_LENGTH = MAX_JWT_LENGTH + 16

/**
 * What the authorizer hands API Gateway as `context`: primitives only, the
 * same keys for a Bearer JWT and for Basic auth.
 */
export interface AuthorizerContext {
  /** Who vouched for the caller: Tollgate's issuer, or a person's identity provider. */
  readonly iss: string
  readonly sub: string
  /** Space-separated, as in the JWT. */
  readonly scope: string
  /** Comma-separated. */
  readonly roles: string
  /**
   * `service` or `personal` (from an access token), `person` (an identity
   * provider's JWT), `federated` (through a trust policy).
   */
  readonly token_type: 'service' | 'personal' | 'person' | 'federated'
  /** The access token behind the credential; empty for a person's own JWT and a federated one. */
  readonly atid: string
  /** The trust policy behind a federated JWT; empty otherwise. */
  readonly tpid: string
  /** RFC 8693 actor of a federated JWT (the outside workload's `sub`); empty otherwise. */
  readonly act_sub: string
  /** The JWT's id; empty for Basic auth, where no JWT exists. */
  readonly jti: string
}

export type AuthorizationDecision =
  | {
      readonly outcome: 'allow'
      readonly principalId: string
      readonly context: AuthorizerContext
      readonly policy: PolicyDocument
      /** Whether a scope rule covers the route: then a simple `true` is only safe cached per route. */
      readonly scopedRoute: boolean
    }
  | {
      readonly outcome: 'forbidden'
      /**
       * `insufficient_scope`: a rule covers the route and the caller lacks its
       * scope; `path_not_canonical`: route rules exist and the path has no
       * canonical form, so no rule can be trusted to cover it (docs/design.md#route-rules).
       */
      readonly reason: 'insufficient_scope' | 'path_not_canonical'
      readonly principalId: string
      readonly context: AuthorizerContext
      /** The caller's full policy, whose Deny also names the called route as spelled. */
      readonly policy: PolicyDocument
      readonly missingScopes: readonly string[]
    }
  | {
      readonly outcome: 'unauthorized'
      /** Why, for the log: never token material. */
      readonly reason: string
    }

export interface AuthorizeDependencies {
  readonly config: Pick<Config, 'basicAuthEnabled' | 'basicAuthUsername' | 'issuer'>
  readonly verifier: JwtVerifier
  /** People's JWTs from trusted issuers; absent when none is trusted. */
  readonly people?: PersonVerifier | undefined
  /**
   * The deny-list copy (REVOCATION_CHECK). A function, so the DynamoDB
   * client is loaded on the first JWT rather than at cold start; absent when off.
   */
  readonly denyList?: (() => Promise<DenyList>) | undefined
  readonly rules: readonly PermissionRule[]
  /**
   * The access-token store and pepper, for Basic auth only. A function, so the
   * DynamoDB client is loaded the first time a Basic credential arrives and
   * never when Basic auth is off.
   */
  readonly basicAuth: (() => Promise<AuthenticationDependencies>) | undefined
}

/** An event with two Authorization values: ambiguous, so refused rather than picking one. */
export const AMBIGUOUS_AUTHORIZATION: unique symbol = Symbol('ambiguous Authorization')

export interface AuthorizeRequest {
  /** The raw `Authorization` header value, if any. */
  readonly authorization: string | undefined | typeof AMBIGUOUS_AUTHORIZATION
  /** The route being called (from the methodArn or routeArn): what a policy is evaluated against. */
  readonly route: ExecuteApiArn
  /**
   * HTTP APIs: the path as the client sent it (`rawPath`, a named stage's
   * prefix removed), which route rules must hold for as well as the
   * routeArn's path, whichever of the two API Gateway normalised.
   */
  readonly rawPath?: string | undefined
}

/**
 * Decides whether a request may pass API Gateway.
 *
 * Primary course:
 * 1. Read the credential: `Bearer <jwt>`, or `Basic base64(user:access token)` when switched on.
 * 2. Establish the caller: verify the JWT, or authenticate the access token as an exchange would.
 * 3. Find the scopes the route needs, on its canonical path (none has one → refused).
 * 4. Build the caller's policy for the whole API; a refused route is also named in its Deny.
 *
 * An invalid credential (a revoked JWT included) is `unauthorized`; any
 * other failure (store, keys or deny-list unavailable) is thrown: it is not a
 * verdict on the caller, and the handler lets API Gateway answer it as one.
 */
export const authorizeRequest = async (
  deps: AuthorizeDependencies,
  request: AuthorizeRequest,
): Promise<AuthorizationDecision> => {
  let context: AuthorizerContext
  try {
    context = await identify(deps, request.authorization)
  } catch (error) {
    if (error instanceof TollgateError && error.code === 'invalid_token') {
      return { outcome: 'unauthorized', reason: error.message }
    }
    throw error
  }
  const { route, rawPath } = request
  const granted = new Set(context.scope.split(' '))
  const required = requiredScopes(deps.rules, route.method, route.path, rawPath)
  const missingScopes = required?.filter((s) => !granted.has(s)) ?? []
  if (required !== undefined && missingScopes.length === 0) {
    return {
      outcome: 'allow',
      principalId: context.sub,
      context,
      policy: buildPolicy(deps.rules, route, granted),
      scopedRoute: required.length > 0,
    }
  }
  return {
    outcome: 'forbidden',
    reason: required === undefined ? 'path_not_canonical' : 'insufficient_scope',
    principalId: context.sub,
    context,
    policy: buildPolicy(deps.rules, route, granted, true),
    missingScopes,
  }
}

const invalid = (detail: string): TollgateError => new TollgateError('invalid_token', detail)

const identify = async (
  deps: AuthorizeDependencies,
  authorization: AuthorizeRequest['authorization'],
): Promise<AuthorizerContext> => {
  if (authorization === AMBIGUOUS_AUTHORIZATION) {
    throw invalid('The Authorization header is missing a value or repeated.')
  }
  if (authorization === undefined || authorization.length === 0) {
    throw invalid('No Authorization header.')
  }
  if (authorization.length > MAX_AUTHORIZATION_LENGTH) {
    throw invalid('The Authorization header is too long.')
  }
  // RFC 9110 §11.1: the scheme is case-insensitive; one space separates it from the credential.
  const space = authorization.indexOf(' ')
  const scheme = space === -1 ? '' : authorization.slice(0, space).toLowerCase()
  const credential = authorization.slice(space + 1)
  if (scheme === 'bearer') {
    if (credential.length > MAX_JWT_LENGTH) throw invalid('The JWT is too long.')
    return contextFromJwt(deps, credential)
  }
  if (scheme === 'basic' && deps.config.basicAuthEnabled && deps.basicAuth !== undefined) {
    return contextFromBasic(
      deps.basicAuth,
      deps.config.basicAuthUsername,
      deps.config.issuer,
      credential,
    )
  }
  throw invalid('The Authorization scheme is not accepted.')
}

const contextFromJwt = async (
  deps: AuthorizeDependencies,
  jwt: string,
): Promise<AuthorizerContext> => {
  const verified = await verifyBearer({ tollgate: deps.verifier, people: deps.people }, jwt)
  if (verified.kind === 'person') {
    const { person } = verified
    return {
      iss: person.iss,
      sub: person.sub,
      scope: person.scopes.join(' '),
      roles: person.roles.join(','),
      token_type: 'person',
      atid: '',
      tpid: '',
      act_sub: '',
      jti: person.jti ?? '',
    }
  }
  const { claims } = verified
  if (deps.denyList !== undefined) await (await deps.denyList()).check(claims)
  return {
    iss: claims.iss,
    sub: claims.sub,
    scope: claims.scope,
    roles: claims.roles.join(','),
    token_type: claims.token_type,
    ...(claims.token_type === 'federated'
      ? { atid: '', tpid: claims.tpid, act_sub: claims.act.sub }
      : { atid: claims.atid, tpid: '', act_sub: '' }),
    jti: claims.jti,
  }
}

/**
 * Basic auth is an exchange without the JWT: the same `authenticateAccessToken`
 * (format, one read, constant-time hash, status), the same `last_used_at`
 * bookkeeping, and the context a JWT minted from this token with all its
 * scopes would give. `jti` is empty: no JWT exists, and a made-up id would
 * name nothing in any log (API Gateway caches the result, so it would not
 * even identify one request).
 */
const contextFromBasic = async (
  basicAuth: () => Promise<AuthenticationDependencies>,
  username: string,
  issuer: string,
  encoded: string,
): Promise<AuthorizerContext> => {
  const accessToken = decodeBasicCredentials(encoded, username)
  const deps = await basicAuth()
  const { record, roles, scopes, now } = await authenticateAccessToken(deps, accessToken)
  await recordUse(deps, record, now)
  return {
    iss: issuer,
    sub: record.owner.id,
    scope: scopes.join(' '),
    roles: roles.join(','),
    token_type: record.kind,
    atid: record.id,
    tpid: '',
    act_sub: '',
    jti: '',
  }
}

/** Strict RFC 7617 decoding: canonical padded base64, `user:password`, the configured user. */
const decodeBasicCredentials = (encoded: string, username: string): string => {
  if (
    encoded.length > MAX_BASIC_CREDENTIALS_LENGTH ||
    encoded.length % 4 !== 0 ||
    !STRICT_BASE64.test(encoded)
  ) {
    throw invalid('The Basic credentials are malformed.')
  }
  const bytes = Buffer.from(encoded, 'base64')
  if (bytes.toString('base64') !== encoded) throw invalid('The Basic credentials are malformed.')
  const colon = bytes.indexOf(0x3a)
  if (colon === -1) throw invalid('The Basic credentials are malformed.')
  const given = bytes.subarray(0, colon)
  const expected = Buffer.from(username, 'utf8')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalid('The Basic credentials are not valid.')
  }
  // Access tokens are ASCII; parseAccessToken rejects anything else before any read.
  return bytes.subarray(colon + 1).toString('latin1')
}
