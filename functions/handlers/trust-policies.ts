import type * as z from 'zod/mini'
import * as api from '../api/schemas.js'
import type { TrustPolicyFields } from '../core/trust-policy.js'
import { listTrustPolicies, listTrustPolicyEvents } from '../core/use-cases/queries.js'
import { simulateTrustPolicies } from '../core/use-cases/simulate-trust-policies.js'
import {
  createTrustPolicy,
  deleteTrustPolicy,
  readTrustPolicy,
  type TrustPolicyPatch,
  updateTrustPolicy,
} from '../core/use-cases/trust-policies.js'
import type { TrustPolicyHandlerDependencies } from '../wiring/dependencies.js'
import { logger } from '../wiring/observability.js'
import {
  answer,
  bodyOf,
  createAuthorizedHandler,
  ifMatchOf,
  pageOf,
  pathParameter,
  queryOf,
} from './api-handler.js'
import { auditEventJson, simulationJson, trustPolicyJson } from './views.js'

/** A create body as core's fields. */
const createFields = (body: z.infer<typeof api.trustPolicyCreate>): TrustPolicyFields => ({
  ...patchFields(body),
  name: body.name,
  issuer: body.issuer,
  jwksUri: body.jwks_uri,
  audience: body.audience,
  serviceAccountId: body.service_account_id,
  scopes: body.scopes,
  maxDurationSeconds: body.max_duration_seconds,
})

/** A patch body as core's fields: absent stays absent, so the policy keeps its value. */
const patchFields = (body: z.infer<typeof api.trustPolicyPatch>): TrustPolicyPatch => ({
  name: body.name,
  description: body.description,
  issuer: body.issuer,
  jwksUri: body.jwks_uri,
  audience: body.audience,
  subject: body.subject,
  subjectPattern: body.subject_pattern,
  claims: body.claims,
  serviceAccountId: body.service_account_id,
  scopes: body.scopes,
  maxDurationSeconds: body.max_duration_seconds,
  maxTokenAgeSeconds: body.max_token_age_seconds,
})

/** `/trust-policies` (all `tollgate:admin`): manage policies, read their trail, simulate matching. */
export const createTrustPoliciesHandler = (
  dependencies: () => Promise<TrustPolicyHandlerDependencies>,
) =>
  createAuthorizedHandler('trust-policies', dependencies, {
    'POST /trust-policies': async ({ request, deps, context }) => {
      const body = bodyOf(request, api.trustPolicyCreate)
      const policy = await createTrustPolicy(deps, context, createFields(body))
      logger.info('trust policy created', { policy_id: policy.id })
      return answer(request, trustPolicyJson(policy), { version: policy.version })
    },
    'GET /trust-policies': async ({ request, deps, context }) => {
      const page = pageOf(queryOf(request, api.pageQuery))
      const found = await listTrustPolicies(deps, context, page)
      return answer(request, {
        items: found.items.map(trustPolicyJson),
        next_cursor: found.nextCursor,
      })
    },
    'POST /trust-policies/simulate': async ({ request, deps, context }) => {
      const body = bodyOf(request, api.trustPolicySimulation)
      const simulation = await simulateTrustPolicies(deps, context, {
        token: body.token,
        claims: body.claims,
        policyId: body.policy,
      })
      return answer(request, simulationJson(simulation))
    },
    'GET /trust-policies/{id}': async ({ request, deps }) => {
      const policy = await readTrustPolicy(deps, pathParameter(request, 'id'))
      return answer(request, trustPolicyJson(policy), { version: policy.version })
    },
    'PATCH /trust-policies/{id}': async ({ request, deps, context }) => {
      const ifMatch = ifMatchOf(request)
      const body = bodyOf(request, api.trustPolicyPatch)
      const policy = await updateTrustPolicy(deps, context, {
        ...patchFields(body),
        id: pathParameter(request, 'id'),
        ifMatch,
      })
      logger.info('trust policy updated', { policy_id: policy.id, generation: policy.generation })
      return answer(request, trustPolicyJson(policy), { version: policy.version })
    },
    'DELETE /trust-policies/{id}': async ({ request, deps, context }) => {
      const id = pathParameter(request, 'id')
      await deleteTrustPolicy(deps, context, id)
      logger.info('trust policy deleted', { policy_id: id })
      return answer(request, undefined)
    },
    'GET /trust-policies/{id}/events': async ({ request, deps, context }) => {
      const page = pageOf(queryOf(request, api.pageQuery))
      const found = await listTrustPolicyEvents(deps, context, pathParameter(request, 'id'), page)
      return answer(request, {
        items: found.items.map(auditEventJson),
        next_cursor: found.nextCursor,
      })
    },
  })
