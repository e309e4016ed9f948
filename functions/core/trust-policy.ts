import { encodeBase62 } from './base62.js'
import { TollgateError } from './errors.js'
import { description, missingFrom, permissionNames, resourceName } from './names.js'
import { randomBytes } from './node-crypto.js'
import { TOLLGATE_ADMIN_SCOPE } from './routes.js'
import { claimPattern, subjectPattern } from './trust-patterns.js'
import { CLAIM_NAME, MAX_PATTERN_LENGTH } from './trust-policy-limits.js'

/**
 * A trust policy (docs/federation.md): which JWTs of an outside issuer (a
 * CI system, a Kubernetes cluster) may be exchanged for a Tollgate JWT of
 * one service account, with at most which scopes and for how long.
 */
export interface TrustPolicy {
  /** `tp_` + 128 random bits. */
  readonly id: string
  readonly name: string
  readonly description: string
  /** The exact `iss`: one of FEDERATION_ISSUERS. */
  readonly issuer: string
  /** Where the issuer's keys are; undefined: its OIDC discovery document says. */
  readonly jwksUri: string | undefined
  /** The exact `aud` the outside JWT must carry; never Tollgate's own AUDIENCE. */
  readonly audience: string
  /** The one `sub` matched, or undefined when `subjectPattern` is set: exactly one of them is. */
  readonly subject: string | undefined
  /** An anchored RE2 pattern keeping a literal tenant prefix (`repo:acme/.*`). */
  readonly subjectPattern: string | undefined
  /** Claim name → anchored RE2 pattern its string value must match. */
  readonly claims: Readonly<Record<string, string>>
  readonly serviceAccountId: string
  /** At most what a minted JWT holds: within the account's scopes, never `tollgate:admin`. */
  readonly scopes: readonly string[]
  readonly maxDurationSeconds: number
  /** How old (by `iat`) an outside JWT may be. */
  readonly maxTokenAgeSeconds: number
  /** `ptv` of its JWTs: bumped by every change but name and description, so older JWTs are denied. */
  readonly generation: number
  /** Optimistic concurrency: the ETag, bumped by every change. */
  readonly version: number
  /** Epoch milliseconds, like every instant in core. */
  readonly createdAt: number
  readonly createdBy: string
  readonly updatedAt: number
}

/** A trust policy's fields as an administrator writes them, before checks. */
export interface TrustPolicyFields {
  readonly name: string
  readonly description?: string | undefined
  readonly issuer: string
  readonly jwksUri?: string | undefined
  readonly audience: string
  readonly subject?: string | undefined
  readonly subjectPattern?: string | undefined
  readonly claims?: Readonly<Record<string, string>> | undefined
  readonly serviceAccountId: string
  readonly scopes: readonly string[]
  readonly maxDurationSeconds: number
  readonly maxTokenAgeSeconds?: number | undefined
}

/** The fields of a policy its checks cover: everything but its identity and history. */
export type TrustPolicyRules = Omit<
  TrustPolicy,
  'id' | 'generation' | 'version' | 'createdAt' | 'createdBy' | 'updatedAt'
>

/** What the checks of a policy need to know of the deployment and of the service account. */
export interface TrustPolicyLimits {
  readonly federationIssuers: readonly string[]
  /** Tollgate's own AUDIENCE, which an outside JWT may never carry for a policy. */
  readonly audience: string
  readonly maxJwtDurationSeconds: number
  /** Local mode: JWKS URIs may be plain http to loopback, like the issuers. */
  readonly localMode: boolean
  /** The service account's scopes: the policy's must be among them. */
  readonly accountScopes: readonly string[]
}

export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 3600
export const MIN_POLICY_DURATION_SECONDS = 60
/** A day: no CI job or pod should present an ID token older than that. */
export const MAX_TOKEN_AGE_SECONDS = 86_400
export const MAX_POLICY_CLAIMS = 20
const MAX_SUBJECT_LENGTH = 512
const MAX_AUDIENCE_LENGTH = 256
/** Claims the policy checks through its own fields, or that say nothing about the workload. */
const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'])

/** Makes a new trust policy id: `tp_` + 128 random bits. */
export const newTrustPolicyId = (): string => `tp_${encodeBase62(randomBytes(16), 22)}`

/** Whether text is a trust policy id, as a path may give one. */
export const isTrustPolicyId = (text: string): boolean => /^tp_[0-9A-Za-z]{22}$/.test(text)

const invalid = (detail: string) => new TollgateError('invalid_request', detail)

/**
 * Checks a policy's fields against the deployment and its service account,
 * and returns them as stored. Throws `invalid_request` saying which field
 * is wrong and what to do; the caller checks that the account exists.
 *
 * @example
 * const rules = checkTrustPolicy(fields, { federationIssuers, audience, maxJwtDurationSeconds, localMode, accountScopes })
 */
export const checkTrustPolicy = (
  fields: TrustPolicyFields,
  limits: TrustPolicyLimits,
): TrustPolicyRules => {
  if (!limits.federationIssuers.includes(fields.issuer)) {
    throw invalid(
      limits.federationIssuers.length === 0
        ? 'issuer must be one of FEDERATION_ISSUERS, and none is configured: an operator adds the issuer there first.'
        : `issuer must be one of FEDERATION_ISSUERS exactly: ${limits.federationIssuers.join(', ')}.`,
    )
  }
  if (fields.audience.length === 0 || fields.audience.length > MAX_AUDIENCE_LENGTH) {
    throw invalid(`audience must be 1-${MAX_AUDIENCE_LENGTH} characters.`)
  }
  if (fields.audience === limits.audience) {
    throw invalid(
      "audience may not be Tollgate's own AUDIENCE: an outside JWT meant for Tollgate's API is not one meant for the exchange. Have the issuer mint a distinct audience (e.g. sts.tollgate).",
    )
  }
  return {
    name: resourceName('name', fields.name),
    description: description(fields.description ?? ''),
    issuer: fields.issuer,
    jwksUri: fields.jwksUri === undefined ? undefined : jwksUri(fields.jwksUri, limits.localMode),
    audience: fields.audience,
    ...subjectOf(fields),
    claims: claimsOf(fields.claims ?? {}),
    serviceAccountId: fields.serviceAccountId,
    scopes: policyScopes(fields.scopes, limits.accountScopes),
    maxDurationSeconds: within(
      'max_duration_seconds',
      fields.maxDurationSeconds,
      MIN_POLICY_DURATION_SECONDS,
      limits.maxJwtDurationSeconds,
      'MAX_JWT_DURATION_SECONDS',
    ),
    maxTokenAgeSeconds: within(
      'max_token_age_seconds',
      fields.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS,
      MIN_POLICY_DURATION_SECONDS,
      MAX_TOKEN_AGE_SECONDS,
    ),
  }
}

const subjectOf = (
  fields: Pick<TrustPolicyFields, 'subject' | 'subjectPattern'>,
): Pick<TrustPolicy, 'subject' | 'subjectPattern'> => {
  if ((fields.subject === undefined) === (fields.subjectPattern === undefined)) {
    throw invalid(
      'Give exactly one of subject (one exact sub) and subject_pattern (an RE2 pattern with a literal tenant prefix).',
    )
  }
  if (fields.subject !== undefined) {
    if (fields.subject.length === 0 || fields.subject.length > MAX_SUBJECT_LENGTH) {
      throw invalid(`subject must be 1-${MAX_SUBJECT_LENGTH} characters.`)
    }
    return { subject: fields.subject, subjectPattern: undefined }
  }
  subjectPattern(fields.subjectPattern as string)
  return { subject: undefined, subjectPattern: fields.subjectPattern }
}

const claimsOf = (claims: Readonly<Record<string, string>>): Readonly<Record<string, string>> => {
  const entries = Object.entries(claims)
  if (entries.length > MAX_POLICY_CLAIMS) {
    throw invalid(`claims may hold at most ${MAX_POLICY_CLAIMS} claim patterns.`)
  }
  for (const [claim, pattern] of entries) {
    if (!CLAIM_NAME.test(claim)) {
      throw invalid(
        `claims names must match ${CLAIM_NAME.source} (a top-level claim of the outside JWT).`,
      )
    }
    if (REGISTERED_CLAIMS.has(claim)) {
      throw invalid(
        `claims may not name ${claim}: the policy checks it through issuer, audience, subject or max_token_age_seconds.`,
      )
    }
    claimPattern(`claims.${claim}`, pattern)
  }
  return Object.freeze(Object.fromEntries(entries))
}

const policyScopes = (
  names: readonly string[],
  accountScopes: readonly string[],
): readonly string[] => {
  const scopes = permissionNames('scopes', names)
  if (scopes.includes(TOLLGATE_ADMIN_SCOPE)) {
    throw invalid(
      `scopes may not name ${TOLLGATE_ADMIN_SCOPE}: a federated JWT never administers Tollgate.`,
    )
  }
  const beyond = missingFrom(scopes, accountScopes)
  if (beyond.length > 0) {
    throw invalid(
      `scopes must be within the service account's scopes; it does not hold ${beyond.join(', ')}. Widen the account first, or ask for less.`,
    )
  }
  return scopes
}

const within = (
  field: string,
  value: number,
  min: number,
  max: number,
  maxName?: string,
): number => {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(
      `${field} must be a whole number of seconds between ${min} and ${max}${maxName === undefined ? '' : ` (${maxName})`}.`,
    )
  }
  return value
}

const LOOPBACK_HOST = /^(?:localhost|\[::1\]|127(?:\.\d{1,3}){3})$/

const jwksUri = (text: string, localMode: boolean): string => {
  const url = URL.parse(text)
  const allowed =
    url !== null &&
    text.length <= MAX_PATTERN_LENGTH &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '' &&
    (url.protocol === 'https:' ||
      (url.protocol === 'http:' && localMode && LOOPBACK_HOST.test(url.hostname)))
  if (!allowed) {
    throw invalid(
      'jwks_uri must be an https URL without query, fragment or credentials (plain http only to loopback, in local mode); leave it out to use the issuer’s discovery document.',
    )
  }
  return text
}
