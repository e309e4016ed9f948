import type * as z from 'zod/mini'
import type * as api from '../api/schemas.js'
import type { Caller } from '../core/caller.js'
import type { AuditEvent, ServiceAccount } from '../core/records.js'
import type { TokenState } from '../core/token-state.js'
import type { TrustPolicy } from '../core/trust-policy.js'
import { callerActions } from '../core/use-cases/allowed-actions.js'
import type { ServiceAccountView, TokenView } from '../core/use-cases/queries.js'
import type { Simulation } from '../core/use-cases/simulate-trust-policies.js'
import { viewFields } from '../core/use-cases/trust-policies.js'

/** The JSON of core values, typed by the API schemas so the two cannot drift. */

const iso = (ms: number): string => new Date(ms).toISOString()
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms))

export const serviceAccountJson = (
  account: ServiceAccount | ServiceAccountView,
): z.infer<typeof api.serviceAccount> => ({
  id: account.id,
  name: account.name,
  description: account.description,
  roles: [...account.roles],
  scopes: [...account.scopes],
  created_at: iso(account.createdAt),
  created_by: account.createdBy,
  version: account.version,
  ...('allowedActions' in account ? { allowed_actions: [...account.allowedActions] } : {}),
})

/** Never the secret or its hash: only the hint. */
export const accessTokenJson = (state: TokenState | TokenView): z.infer<typeof api.accessToken> => {
  const { record } = state
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    kind: record.kind,
    owner: { type: record.owner.type, id: record.owner.id },
    scopes: [...record.scopes],
    roles: [...record.roles],
    created_at: iso(record.createdAt),
    created_by: record.createdBy,
    expires_at: isoOrNull(record.expiresAt),
    last_used_at: isoOrNull(record.lastUsedAt),
    status: state.status,
    revoked_at: isoOrNull(state.revokedAt),
    revoked_by: state.revokedBy,
    revoked_by_event: state.revokedByEvent,
    token_hint: record.tokenHint,
    version: record.version,
    generation: record.generation,
    ...('allowedActions' in state ? { allowed_actions: [...state.allowedActions] } : {}),
  }
}

export const trustPolicyJson = (policy: TrustPolicy): z.infer<typeof api.trustPolicy> => ({
  id: policy.id,
  ...viewFields(policy),
  generation: policy.generation,
  version: policy.version,
  created_at: iso(policy.createdAt),
  created_by: policy.createdBy,
  updated_at: iso(policy.updatedAt),
})

/** A simulation's verdicts; a claim value that was missing shows as null. */
export const simulationJson = (
  simulation: Simulation,
): z.infer<typeof api.trustPolicySimulationResult> => ({
  issuer: simulation.issuer ?? null,
  matched_policy: simulation.selected?.id ?? null,
  reason: simulation.refusal ?? null,
  policies: simulation.verdicts.map(({ policy, evaluation }) => ({
    id: policy.id,
    name: policy.name,
    matched: evaluation.matched,
    condition: evaluation.matched ? null : evaluation.condition,
    saw: evaluation.matched ? null : (evaluation.saw ?? null),
  })),
})

export const auditEventJson = (event: AuditEvent): z.infer<typeof api.auditEvent> => ({
  id: event.id,
  at: iso(event.at),
  action: event.action,
  actor: event.actor,
  source_atid: event.sourceAtid,
  request_id: event.requestId,
  changes: { ...event.changes },
})

export const whoamiJson = (caller: Caller): z.infer<typeof api.whoami> => ({
  sub: caller.sub,
  kind: caller.kind,
  roles: [...caller.roles],
  scopes: [...caller.scopes],
  atid: caller.atid,
  jti: caller.jti,
  allowed_actions: [...callerActions(caller)],
})
