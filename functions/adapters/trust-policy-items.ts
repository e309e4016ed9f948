import * as z from 'zod/mini'
import type { TrustPolicy } from '../core/trust-policy.js'
import { type Item, parse, time } from './dynamodb-items.js'
import { itemKeys } from './token-table.js'

/**
 * Trust policies as items (token-table.ts `trustPolicy`): snake_case, absent
 * values left out, validated when read like every stored item.
 */

const positive = z.number().check(z.int(), z.positive())

const trustPolicySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  issuer: z.string(),
  jwks_uri: z.optional(z.string()),
  audience: z.string(),
  subject: z.optional(z.string()),
  subject_pattern: z.optional(z.string()),
  claims: z.record(z.string(), z.string()),
  service_account_id: z.string(),
  scopes: z.array(z.string()),
  max_duration_seconds: positive,
  max_token_age_seconds: positive,
  generation: positive,
  version: positive,
  created_at: time,
  created_by: z.string(),
  updated_at: time,
})

export const trustPolicyToItem = (policy: TrustPolicy): Item => ({
  ...itemKeys.trustPolicy(policy.id),
  id: policy.id,
  name: policy.name,
  description: policy.description,
  issuer: policy.issuer,
  jwks_uri: policy.jwksUri,
  audience: policy.audience,
  subject: policy.subject,
  subject_pattern: policy.subjectPattern,
  claims: { ...policy.claims },
  service_account_id: policy.serviceAccountId,
  scopes: [...policy.scopes],
  max_duration_seconds: policy.maxDurationSeconds,
  max_token_age_seconds: policy.maxTokenAgeSeconds,
  generation: policy.generation,
  version: policy.version,
  created_at: policy.createdAt,
  created_by: policy.createdBy,
  updated_at: policy.updatedAt,
})

export const itemToTrustPolicy = (item: Item): TrustPolicy => {
  const p = parse(trustPolicySchema, item, 'trust policy')
  // Exactly one way to match the subject, or the item is not a policy anyone wrote.
  if ((p.subject === undefined) === (p.subject_pattern === undefined)) {
    return parse(z.never(), item, 'trust policy')
  }
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    issuer: p.issuer,
    jwksUri: p.jwks_uri,
    audience: p.audience,
    subject: p.subject,
    subjectPattern: p.subject_pattern,
    claims: p.claims,
    serviceAccountId: p.service_account_id,
    scopes: p.scopes,
    maxDurationSeconds: p.max_duration_seconds,
    maxTokenAgeSeconds: p.max_token_age_seconds,
    generation: p.generation,
    version: p.version,
    createdAt: p.created_at,
    createdBy: p.created_by,
    updatedAt: p.updated_at,
  }
}
