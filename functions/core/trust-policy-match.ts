import { TollgateError } from './errors.js'
import type { OutsideToken } from './ports.js'
import { claimPattern, matchesSubject, subjectPattern } from './trust-patterns.js'
import type { TrustPolicy } from './trust-policy.js'

/**
 * Matching an outside JWT's claims against trust policies
 * (docs/federation.md#matching): pure, so the exchange and
 * `POST /trust-policies/simulate` give the same verdict for the same claims.
 */

/**
 * A condition of a policy, in the order they are checked; `claims.<name>`
 * for a claim pattern; `signature` where an outside JWT failed verification
 * before any claim could be trusted (simulate reports it).
 */
export type PolicyCondition =
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'token_age'
  | 'subject'
  | `claims.${string}`

/** Whether one policy matches, else the first condition that failed and the claim value it saw. */
export type PolicyEvaluation =
  | { readonly matched: true }
  | { readonly matched: false; readonly condition: PolicyCondition; readonly saw: unknown }

const failed = (condition: PolicyCondition, saw: unknown): PolicyEvaluation => ({
  matched: false,
  condition,
  saw,
})

/** `aud` exactly the policy's audience, or an array of exactly that one element. */
const audienceMatches = (aud: unknown, audience: string): boolean =>
  aud === audience || (Array.isArray(aud) && aud.length === 1 && aud[0] === audience)

/**
 * Checks an outside token against one policy, in order: issuer, audience,
 * token age (`iat` no older than `maxTokenAgeSeconds`), subject, then each
 * claim pattern. Only string values match: an array, a number, an object or
 * a missing claim never does.
 *
 * @example
 * evaluatePolicy(policy, { issuer, claims }, clock.now()) // { matched: false, condition: 'subject', saw: 'repo:acme/x:ref:refs/heads/dev' }
 */
export const evaluatePolicy = (
  policy: TrustPolicy,
  outside: OutsideToken,
  now: number,
): PolicyEvaluation => {
  const { claims } = outside
  if (outside.issuer !== policy.issuer) return failed('issuer', outside.issuer)
  if (!audienceMatches(claims.aud, policy.audience)) return failed('audience', claims.aud)
  const iat = claims.iat
  if (typeof iat !== 'number' || now / 1000 - iat > policy.maxTokenAgeSeconds) {
    return failed('token_age', iat)
  }
  const sub = claims.sub
  if (typeof sub !== 'string' || !subjectMatches(policy, sub)) return failed('subject', sub)
  for (const [claim, pattern] of Object.entries(policy.claims)) {
    const value = Object.hasOwn(claims, claim) ? claims[claim] : undefined
    if (typeof value !== 'string' || !claimPattern(`claims.${claim}`, pattern).matches(value)) {
      return failed(`claims.${claim}`, value)
    }
  }
  return { matched: true }
}

const subjectMatches = (policy: TrustPolicy, sub: string): boolean =>
  policy.subject !== undefined
    ? sub === policy.subject
    : matchesSubject(subjectPattern(policy.subjectPattern as string), sub)

/** One policy's verdict on an outside token. */
export interface PolicyVerdict {
  readonly policy: TrustPolicy
  readonly evaluation: PolicyEvaluation
}

/** The policy an outside token is exchanged under, or why there is none; each policy's verdict. */
export type PolicySelection =
  | { readonly selected: TrustPolicy; readonly verdicts: readonly PolicyVerdict[] }
  | {
      readonly selected: undefined
      /** Which policies failed how, or matched too many: never the token. */
      readonly refusal: string
      readonly verdicts: readonly PolicyVerdict[]
    }

/**
 * Picks the policy for an outside token among `policies` (its issuer's):
 * the one named by `policyId`, which must match, else the single one that
 * matches. None, or several, is a refusal saying which and why.
 *
 * @example
 * const selection = selectPolicy(await store.trustPoliciesOf(outside.issuer), outside, now, body.policy)
 */
export const selectPolicy = (
  policies: readonly TrustPolicy[],
  outside: OutsideToken,
  now: number,
  policyId?: string,
): PolicySelection => {
  const verdicts = policies.map((policy) => ({
    policy,
    evaluation: evaluatePolicy(policy, outside, now),
  }))
  if (policyId !== undefined) {
    const named = verdicts.find((verdict) => verdict.policy.id === policyId)
    if (named === undefined) {
      return {
        selected: undefined,
        refusal: `No trust policy ${policyId} for the issuer ${outside.issuer}.`,
        verdicts,
      }
    }
    return named.evaluation.matched
      ? { selected: named.policy, verdicts }
      : { selected: undefined, refusal: `The trust policy ${whyNot(named)}.`, verdicts }
  }
  const matching = verdicts.filter((verdict) => verdict.evaluation.matched)
  if (matching.length === 1) return { selected: (matching[0] as PolicyVerdict).policy, verdicts }
  if (matching.length > 1) {
    return {
      selected: undefined,
      refusal: `Several trust policies match (${matching.map((m) => m.policy.id).join(', ')}); name one with policy.`,
      verdicts,
    }
  }
  return {
    selected: undefined,
    refusal:
      verdicts.length === 0
        ? `No trust policy names the issuer ${outside.issuer}.`
        : `No trust policy matches: ${verdicts.map(whyNot).join('; ')}.`,
    verdicts,
  }
}

/** The selected policy, or `invalid_request` with the refusal: what the exchange does. */
export const requireSelectedPolicy = (selection: PolicySelection): TrustPolicy => {
  if (selection.selected === undefined) {
    throw new TollgateError('invalid_request', selection.refusal)
  }
  return selection.selected
}

/** Longer claim values are cut in refusals: enough to recognise, not a page of text. */
const MAX_SHOWN = 120

/** A claim value as a refusal shows it: JSON, cut short; "nothing" where it is missing. */
export const shownValue = (saw: unknown): string => {
  if (saw === undefined) return 'nothing'
  const text = JSON.stringify(saw) ?? String(saw)
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text
}

const whyNot = (verdict: PolicyVerdict): string =>
  verdict.evaluation.matched
    ? `${verdict.policy.id} matches`
    : `${verdict.policy.id} (${verdict.policy.name}) fails ${verdict.evaluation.condition}, saw ${shownValue(verdict.evaluation.saw)}`
