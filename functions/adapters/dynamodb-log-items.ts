import * as z from 'zod/mini'
import type { AuditEvent, AuditSubject } from '../core/records.js'
import { type Item, parse, time, timeKey, ttlAfter } from './dynamodb-items.js'

/**
 * Items that are only ever appended: audit records (one partition per
 * subject) and deny-list entries (one partition per hour, for the
 * authorizer: ./deny-items.ts). Validated on read like every stored item.
 */

/** Audit partition of one subject: a token, an account, a person or a trust policy. */
export const auditPartition = (subject: AuditSubject): string =>
  `AUDIT#${subject.type}#${subject.id}`

const auditSchema = z.object({
  id: z.string(),
  subject_type: z.enum(['token', 'service_account', 'user', 'trust_policy']),
  subject_id: z.string(),
  at: time,
  action: z.string(),
  actor: z.string(),
  source_atid: z.optional(z.string()),
  request_id: z.optional(z.string()),
  changes: z.record(z.string(), z.unknown()),
})

export const auditToItem = (event: AuditEvent): Item => ({
  pk: auditPartition(event.subject),
  sk: `${timeKey(event.at)}#${event.id}`,
  id: event.id,
  subject_type: event.subject.type,
  subject_id: event.subject.id,
  at: event.at,
  action: event.action,
  actor: event.actor,
  source_atid: event.sourceAtid ?? undefined,
  request_id: event.requestId ?? undefined,
  changes: event.changes,
  ttl: ttlAfter(event.at),
})

export const itemToAudit = (item: Item): AuditEvent => {
  const a = parse(auditSchema, item, 'audit record')
  return {
    id: a.id,
    subject: { type: a.subject_type, id: a.subject_id },
    at: a.at,
    action: a.action,
    actor: a.actor,
    sourceAtid: a.source_atid ?? null,
    requestId: a.request_id ?? null,
    changes: a.changes,
  }
}

export { denyPartition, denySortKey, denyToItem, itemToDeny } from './deny-items.js'
