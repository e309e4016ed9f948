import type { RequestContext } from '../caller.js'
import { TollgateError } from '../errors.js'
import { splitCompactJws } from '../jws-parts.js'
import type { OutsideToken, OutsideTokenVerifier, TrustPolicyReader } from '../ports.js'
import { refuseDerivedCredential, requireAdmin } from '../rights.js'
import { type PolicySelection, type PolicyVerdict, selectPolicy } from '../trust-policy-match.js'

export interface SimulationDependencies {
  readonly store: TrustPolicyReader
  readonly clock: { now(): number }
  /** Verifies outside JWTs; undefined where this function was built without it (claims only). */
  readonly outsideTokens: OutsideTokenVerifier | undefined
}

/** What to simulate: an outside JWT, or a bare claim set (with `iss`); optionally one policy. */
export interface SimulationRequest {
  readonly token?: string | undefined
  readonly claims?: Readonly<Record<string, unknown>> | undefined
  readonly policyId?: string | undefined
}

/**
 * What an exchange of these claims would do, without minting: the policy
 * it would use or why none, and every policy of the issuer with the first
 * condition that fails and the value it saw.
 */
export interface Simulation {
  /** The issuer the claims name; undefined when an unverifiable token names none. */
  readonly issuer: string | undefined
  readonly selected: PolicySelection['selected']
  readonly refusal: string | undefined
  readonly verdicts: readonly PolicyVerdict[]
}

/**
 * `POST /trust-policies/simulate` (`tollgate:admin`).
 *
 * Primary course:
 * 1. A claim set is taken as it is (`iss` names the issuer); a token is
 *    verified first (signature, `alg`, `kid`, times) by the outside-token
 *    verifier.
 * 2. Every policy of the issuer is evaluated, and one selected as the
 *    exchange would (`policy` names one).
 *
 * Alternative course: a token that fails verification is reported as the
 * condition `signature` failing for every policy of the issuer its
 * (unverified) `iss` names, with the verifier's reason.
 */
export const simulateTrustPolicies = async (
  deps: SimulationDependencies,
  context: RequestContext,
  request: SimulationRequest,
): Promise<Simulation> => {
  refuseDerivedCredential(context.caller, 'simulate trust policies')
  requireAdmin(context.caller, 'simulate trust policies')
  if ((request.token === undefined) === (request.claims === undefined)) {
    throw new TollgateError(
      'invalid_request',
      'Give exactly one of token (an outside JWT) and claims (its claim set, with iss).',
    )
  }
  const now = deps.clock.now()
  const outside =
    request.claims === undefined
      ? await verified(deps, request.token as string)
      : claimSet(request.claims)
  if ('failure' in outside) {
    const policies =
      outside.issuer === undefined ? [] : await deps.store.trustPoliciesOf(outside.issuer)
    return {
      issuer: outside.issuer,
      selected: undefined,
      refusal: `The outside token failed verification: ${outside.failure}`,
      verdicts: policies.map((policy) => ({
        policy,
        evaluation: { matched: false, condition: 'signature', saw: outside.failure },
      })),
    }
  }
  const policies = await deps.store.trustPoliciesOf(outside.issuer)
  const selection = selectPolicy(policies, outside, now, request.policyId)
  return {
    issuer: outside.issuer,
    selected: selection.selected,
    refusal: selection.selected === undefined ? selection.refusal : undefined,
    verdicts: selection.verdicts,
  }
}

const claimSet = (claims: Readonly<Record<string, unknown>>): OutsideToken => {
  if (typeof claims.iss !== 'string') {
    throw new TollgateError(
      'invalid_request',
      'claims must name their issuer as the string iss, as the outside JWT does.',
    )
  }
  return { issuer: claims.iss, claims }
}

interface VerificationFailure {
  readonly issuer: string | undefined
  readonly failure: string
}

/** The verified token, or why it failed and which issuer it claims to be from. */
const verified = async (
  deps: SimulationDependencies,
  jwt: string,
): Promise<OutsideToken | VerificationFailure> => {
  if (deps.outsideTokens === undefined) {
    throw new TollgateError(
      'unavailable',
      'This function cannot verify outside tokens; simulate with claims instead.',
    )
  }
  try {
    return await deps.outsideTokens.verify(jwt)
  } catch (error) {
    if (
      !(error instanceof TollgateError) ||
      (error.code !== 'invalid_token' && error.code !== 'invalid_request')
    ) {
      throw error
    }
    return { issuer: unverifiedIssuer(jwt), failure: error.message }
  }
}

/**
 * The `iss` an unverified JWT claims, to list that issuer's policies beside
 * the failure; undefined when it names none. Never trusted for anything else.
 */
const unverifiedIssuer = (jwt: string): string | undefined => {
  try {
    const payload: unknown = JSON.parse(
      Buffer.from(splitCompactJws(jwt).payload, 'base64url').toString('utf8'),
    )
    const iss = (payload as { iss?: unknown } | null)?.iss
    return typeof iss === 'string' ? iss : undefined
  } catch {
    return undefined
  }
}
