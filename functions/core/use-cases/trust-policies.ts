import type { RequestContext } from '../caller.js'
import { auditEvent, denyEntry } from '../changes.js'
import type { Config } from '../config.js'
import { TollgateError } from '../errors.js'
import { parseOwnerId } from '../owners.js'
import type { OwnerReader, TrustPolicyReader, UnitOfWork, WriteIntent } from '../ports.js'
import { checkIfMatch, type IfMatch } from '../preconditions.js'
import { EVERY_GENERATION, serviceAccountOf } from '../records.js'
import { refuseDerivedCredential, requireAdmin } from '../rights.js'
import {
  checkTrustPolicy,
  isTrustPolicyId,
  newTrustPolicyId,
  type TrustPolicy,
  type TrustPolicyFields,
  type TrustPolicyRules,
} from '../trust-policy.js'
import { commitExplained, retryOnConflict } from './retry-on-conflict.js'

export interface TrustPolicyDependencies {
  readonly store: OwnerReader & TrustPolicyReader & UnitOfWork
  readonly clock: { now(): number }
  readonly config: Pick<
    Config,
    'federationIssuers' | 'audience' | 'maxJwtDurationSeconds' | 'localMode'
  >
}

/**
 * Creates a trust policy (`tollgate:admin`): checked against
 * FEDERATION_ISSUERS, AUDIENCE, MAX_JWT_DURATION_SECONDS and its service
 * account, which must exist and hold every scope the policy names.
 *
 * Primary course:
 * 1. The caller holds `tollgate:admin` (the route checked; checked again here).
 * 2. The service account is read; the fields are checked against it.
 * 3. The policy and its audit record are written in one transaction.
 */
export const createTrustPolicy = async (
  deps: TrustPolicyDependencies,
  context: RequestContext,
  fields: TrustPolicyFields,
): Promise<TrustPolicy> => {
  authorize(context, 'create trust policies')
  const accountScopes = await scopesOfAccount(deps, fields.serviceAccountId)
  const rules = checkTrustPolicy(fields, { ...limitsOf(deps), accountScopes })
  const now = deps.clock.now()
  const policy: TrustPolicy = {
    ...rules,
    id: newTrustPolicyId(),
    generation: 1,
    version: 1,
    createdAt: now,
    createdBy: context.caller.sub,
    updatedAt: now,
  }
  await commitExplained(
    deps.store,
    [
      { kind: 'createTrustPolicy', policy },
      audit(context, policy.id, 'trust_policy.created', viewFields(policy), now),
    ],
    { createTrustPolicy: 'A trust policy with this id exists; try again.' },
  )
  return policy
}

/** A trust policy's changes as PATCH gives them: absent fields stay; `jwksUri: null` removes it. */
export interface TrustPolicyPatch extends Partial<Omit<TrustPolicyFields, 'jwksUri'>> {
  readonly jwksUri?: string | null | undefined
}

export interface UpdateTrustPolicyRequest extends TrustPolicyPatch {
  readonly id: string
  readonly ifMatch: IfMatch
}

/**
 * Changes a trust policy (`PATCH`, If-Match on its ETag). A change of
 * anything but name and description bumps its generation and denies every
 * JWT minted under an older one: the simplest rule that is never wrong,
 * since telling a narrowing from a widening is not possible for patterns.
 * The service account is checked again when the patch names an account or
 * scopes.
 */
export const updateTrustPolicy = async (
  deps: TrustPolicyDependencies,
  context: RequestContext,
  request: UpdateTrustPolicyRequest,
): Promise<TrustPolicy> => {
  authorize(context, 'change trust policies')
  return retryOnConflict(async () => {
    const current = await readTrustPolicy(deps, request.id)
    checkIfMatch(request.ifMatch, current.version)
    const fields = patched(current, request)
    const recheckAccount = request.serviceAccountId !== undefined || request.scopes !== undefined
    const accountScopes = recheckAccount
      ? await scopesOfAccount(deps, fields.serviceAccountId)
      : current.scopes
    const rules = checkTrustPolicy(fields, { ...limitsOf(deps), accountScopes })
    const changes = changedFields(viewFields(current), viewFields({ ...current, ...rules }))
    if (Object.keys(changes).length === 0) return current
    const now = deps.clock.now()
    const revoking = Object.keys(changes).some((field) => !COSMETIC_FIELDS.has(field))
    const updated: TrustPolicy = {
      ...current,
      ...rules,
      generation: revoking ? current.generation + 1 : current.generation,
      version: current.version + 1,
      updatedAt: now,
    }
    const intents: WriteIntent[] = [
      { kind: 'updateTrustPolicy', policy: updated, expectedVersion: current.version },
    ]
    if (revoking) intents.push(denyPolicy(deps, updated.id, updated.generation, now))
    intents.push(audit(context, updated.id, 'trust_policy.updated', changes, now))
    await deps.store.commit(intents)
    return updated
  })
}

/**
 * Deletes a trust policy: every JWT it minted is denied at once (by
 * `tpid`, whatever its generation). Its audit trail stays.
 */
export const deleteTrustPolicy = async (
  deps: TrustPolicyDependencies,
  context: RequestContext,
  id: string,
): Promise<void> => {
  authorize(context, 'delete trust policies')
  return retryOnConflict(async () => {
    const current = await readTrustPolicy(deps, id)
    const now = deps.clock.now()
    await deps.store.commit([
      { kind: 'deleteTrustPolicy', id, expectedVersion: current.version },
      denyPolicy(deps, id, EVERY_GENERATION, now),
      audit(context, id, 'trust_policy.deleted', { deleted: true }, now),
    ])
  })
}

/** A trust policy by id, or `not_found`. */
export const readTrustPolicy = async (
  deps: { readonly store: TrustPolicyReader },
  id: string,
): Promise<TrustPolicy> => {
  const policy = isTrustPolicyId(id) ? await deps.store.getTrustPolicy(id) : undefined
  if (policy === undefined) throw new TollgateError('not_found', 'No such trust policy.')
  return policy
}

/**
 * A policy's fields as the API names them: what audit records hold and
 * what tells a cosmetic change from one that revokes.
 */
export const viewFields = (policy: TrustPolicyRules) => ({
  name: policy.name,
  description: policy.description,
  issuer: policy.issuer,
  jwks_uri: policy.jwksUri ?? null,
  audience: policy.audience,
  subject: policy.subject ?? null,
  subject_pattern: policy.subjectPattern ?? null,
  claims: { ...policy.claims },
  service_account_id: policy.serviceAccountId,
  scopes: [...policy.scopes],
  max_duration_seconds: policy.maxDurationSeconds,
  max_token_age_seconds: policy.maxTokenAgeSeconds,
})

/** The fields whose change leaves what the policy matches and grants as it was. */
const COSMETIC_FIELDS: ReadonlySet<string> = new Set(['name', 'description'])

const authorize = (context: RequestContext, what: string): void => {
  refuseDerivedCredential(context.caller, what)
  requireAdmin(context.caller, what)
}

const limitsOf = (deps: TrustPolicyDependencies) => ({
  federationIssuers: deps.config.federationIssuers,
  audience: deps.config.audience,
  maxJwtDurationSeconds: deps.config.maxJwtDurationSeconds,
  localMode: deps.config.localMode,
})

/** The named service account's scopes; `invalid_request` when there is no such account. */
const scopesOfAccount = async (
  deps: TrustPolicyDependencies,
  serviceAccountId: string,
): Promise<readonly string[]> => {
  const ref = parseOwnerId(serviceAccountId)
  const owner = ref?.type === 'service_account' ? await deps.store.getOwner(ref) : undefined
  const account = owner === undefined ? undefined : serviceAccountOf(owner)
  if (account === undefined) {
    throw new TollgateError(
      'invalid_request',
      'service_account_id names no service account; create the account first (POST /service-accounts).',
    )
  }
  return account.scopes
}

/** The current policy with a patch applied; a new subject or pattern replaces both. */
const patched = (current: TrustPolicy, patch: TrustPolicyPatch): TrustPolicyFields => {
  const subjectGiven = patch.subject !== undefined || patch.subjectPattern !== undefined
  return {
    name: patch.name ?? current.name,
    description: patch.description ?? current.description,
    issuer: patch.issuer ?? current.issuer,
    jwksUri: patch.jwksUri === undefined ? current.jwksUri : (patch.jwksUri ?? undefined),
    audience: patch.audience ?? current.audience,
    subject: subjectGiven ? patch.subject : current.subject,
    subjectPattern: subjectGiven ? patch.subjectPattern : current.subjectPattern,
    claims: patch.claims ?? current.claims,
    serviceAccountId: patch.serviceAccountId ?? current.serviceAccountId,
    scopes: patch.scopes ?? current.scopes,
    maxDurationSeconds: patch.maxDurationSeconds ?? current.maxDurationSeconds,
    maxTokenAgeSeconds: patch.maxTokenAgeSeconds ?? current.maxTokenAgeSeconds,
  }
}

const changedFields = (
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(after).filter(
      ([field, value]) => JSON.stringify(value) !== JSON.stringify(before[field]),
    ),
  )

const denyPolicy = (
  deps: TrustPolicyDependencies,
  tpid: string,
  minGeneration: number,
  now: number,
): WriteIntent => ({
  kind: 'deny',
  entry: denyEntry({ kind: 'policy', tpid }, minGeneration, now, deps.config.maxJwtDurationSeconds),
})

const audit = (
  context: RequestContext,
  id: string,
  action: string,
  changes: Record<string, unknown>,
  now: number,
): WriteIntent => ({
  kind: 'audit',
  event: auditEvent(context, { type: 'trust_policy', id }, action, changes, now),
})
