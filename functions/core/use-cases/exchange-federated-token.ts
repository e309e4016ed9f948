import { buildFederatedClaims, type FederatedClaims } from '../claims.js'
import type { Config } from '../config.js'
import { TollgateError } from '../errors.js'
import { signJwt } from '../jws.js'
import { decodeJwt } from '../jws-parts.js'
import { randomUUID } from '../node-crypto.js'
import type {
  Clock,
  OutsideToken,
  OutsideTokenVerifier,
  OwnerReader,
  Signer,
  TrustPolicyReader,
} from '../ports.js'
import { TOLLGATE_ADMIN_SCOPE } from '../routes.js'
import { parseScopeString } from '../scopes.js'
import type { TrustPolicy } from '../trust-policy.js'
import { requireSelectedPolicy, selectPolicy } from '../trust-policy-match.js'
import {
  checkDurationBounds,
  DEFAULT_JWT_DURATION_SECONDS,
  type ExchangeResult,
} from './exchange-token.js'

export interface FederatedExchangeDependencies {
  readonly store: TrustPolicyReader & Pick<OwnerReader, 'getOwner'>
  /** The verifier of one issuer's tokens, with the JWKS URI its policies name (else discovery). */
  readonly verifierFor: (issuer: string, jwksUri: string | undefined) => OutsideTokenVerifier
  readonly signer: Signer
  readonly clock: Clock
  readonly config: Pick<
    Config,
    'issuer' | 'audience' | 'maxJwtDurationSeconds' | 'federationIssuers'
  >
}

export interface FederatedExchangeRequest {
  /** The outside JWT: a secret, never logged nor echoed. */
  readonly subjectToken: string
  /** A trust policy's id or name; absent, the single matching policy of the issuer. */
  readonly policy?: string | undefined
  readonly scope?: string | undefined
  readonly durationSeconds?: number | undefined
}

const refused = (detail: string): TollgateError => new TollgateError('invalid_request', detail)

/**
 * Exchanges an outside workload's OIDC token (a CI job's, a pod's) for a
 * Tollgate JWT of the service account a trust policy names: no long-lived
 * secret at all (docs/federation.md).
 *
 * Primary course:
 * 1. Read the token's `iss` unverified, only to route: it must be one of
 *    FEDERATION_ISSUERS, or nothing is read or fetched.
 * 2. Read that issuer's policies (strongly consistent) and pick the JWKS
 *    URI they name (discovery when none does).
 * 3. Verify the token strictly against the issuer's keys (signature, alg,
 *    kid, times), then select the policy: the one named, else the single
 *    one matching audience, token age, subject and claims.
 * 4. Read the policy's service account: it must still exist.
 * 5. Scopes = requested ∩ policy ∩ account, never `tollgate:admin`; the
 *    duration within the policy's and the deployment's maximum.
 * 6. Sign the claims: `sub` the account, `tpid`/`ptv` the policy, `act` the
 *    outside workload.
 */
export const exchangeFederatedToken = async (
  deps: FederatedExchangeDependencies,
  request: FederatedExchangeRequest,
): Promise<ExchangeResult<FederatedClaims>> => {
  const requestedScopes = request.scope === undefined ? undefined : parseScopeString(request.scope)
  const { outside, policies, policyId } = await verifyOutsideToken(
    deps,
    request.subjectToken,
    request.policy,
  )
  const now = deps.clock.now()
  const policy = requireSelectedPolicy(selectPolicy(policies, outside, now, policyId))

  const durationSeconds =
    request.durationSeconds ?? Math.min(DEFAULT_JWT_DURATION_SECONDS, policy.maxDurationSeconds)
  checkDurationBounds(
    durationSeconds,
    Math.min(policy.maxDurationSeconds, deps.config.maxJwtDurationSeconds),
  )
  const account = await deps.store.getOwner({
    type: 'service_account',
    id: policy.serviceAccountId,
  })
  if (account === undefined || account.status !== 'active') {
    throw refused(
      `The trust policy ${policy.id} names a service account that no longer exists; ask an administrator to fix the policy.`,
    )
  }
  const scopes = grantedScopes(policy, account.ceiling?.scopes ?? [], requestedScopes)
  const claims = buildFederatedClaims({
    issuer: deps.config.issuer,
    audience: deps.config.audience,
    serviceAccountId: policy.serviceAccountId,
    policy,
    actor: { iss: outside.issuer, sub: subjectOf(outside) },
    ownerGeneration: account.otv,
    scopes,
    issuedAt: now,
    durationSeconds,
    jti: randomUUID(),
  })
  return {
    jwt: await signJwt(deps.signer, claims),
    claims,
    expiresIn: durationSeconds,
    expiresAt: claims.exp * 1000,
    scope: claims.scope,
  }
}

/**
 * Steps 1 to 3 up to the selection: the verified outside token, its issuer's
 * policies and the id of the one named. Also what `simulate` verifies with,
 * so both read the same keys.
 */
export const verifyOutsideToken = async (
  deps: Pick<FederatedExchangeDependencies, 'store' | 'verifierFor' | 'config'>,
  jwt: string,
  policy: string | undefined,
): Promise<{
  readonly outside: OutsideToken
  readonly policies: readonly TrustPolicy[]
  readonly policyId: string | undefined
}> => {
  const issuer = unverifiedIssuer(jwt)
  if (!deps.config.federationIssuers.includes(issuer)) {
    throw refused(
      `The subject token's issuer ${JSON.stringify(issuer)} is not one of FEDERATION_ISSUERS; ask an administrator to add it and a trust policy for it.`,
    )
  }
  const policies = await deps.store.trustPoliciesOf(issuer)
  const policyId = policyIdOf(policies, policy)
  const outside = await deps.verifierFor(issuer, jwksUriOf(policies, policyId)).verify(jwt)
  return { outside, policies, policyId }
}

/** `iss` read without verifying anything: only to choose which keys and policies to use. */
const unverifiedIssuer = (jwt: string): string => {
  let iss: unknown
  try {
    iss = decodeJwt(jwt).payload.iss
  } catch (error) {
    throw new TollgateError('invalid_request', 'The subject token is not a JWT.', { cause: error })
  }
  if (typeof iss !== 'string' || iss === '') {
    throw refused('The subject token has no issuer (iss).')
  }
  return iss
}

/**
 * The policy the caller named, by id or by name (a CI job knows the name it
 * was given, not an id); undefined when none was named.
 */
const policyIdOf = (
  policies: readonly TrustPolicy[],
  reference: string | undefined,
): string | undefined => {
  if (reference === undefined) return undefined
  if (policies.some((policy) => policy.id === reference)) return reference
  const named = policies.filter((policy) => policy.name === reference)
  if (named.length > 1) {
    throw refused(`Several trust policies of this issuer are named ${reference}; name one by id.`)
  }
  // An unknown reference stays as given: the selection then says no such policy.
  return named[0]?.id ?? reference
}

/**
 * Where the issuer's keys are, as its policies say: the named policy's URI,
 * else the one URI they agree on (none: discovery). Policies that disagree
 * cannot both be right about one issuer's keys; the caller must name one.
 */
const jwksUriOf = (
  policies: readonly TrustPolicy[],
  policyId: string | undefined,
): string | undefined => {
  const named = policies.find((policy) => policy.id === policyId)
  if (named !== undefined) return named.jwksUri
  const uris = new Set(policies.map((policy) => policy.jwksUri))
  if (uris.size > 1) {
    throw refused(
      "This issuer's trust policies name different jwks_uri values; name a policy with the policy parameter.",
    )
  }
  return [...uris][0]
}

const grantedScopes = (
  policy: TrustPolicy,
  accountScopes: readonly string[],
  requested: readonly string[] | undefined,
): readonly string[] => {
  const account = new Set(accountScopes)
  const allowed = policy.scopes.filter(
    (scope) => account.has(scope) && scope !== TOLLGATE_ADMIN_SCOPE,
  )
  if (requested === undefined) return allowed
  const granted = requested.filter((scope) => allowed.includes(scope))
  if (granted.length === 0) {
    throw new TollgateError(
      'insufficient_scope',
      `The trust policy grants none of the scopes asked for; it grants: ${allowed.join(' ') || 'none'}.`,
    )
  }
  return granted
}

const subjectOf = (outside: OutsideToken): string => {
  const { sub } = outside.claims
  if (typeof sub !== 'string' || sub === '') throw refused('The subject token has no sub.')
  return sub
}
