import * as z from 'zod/mini'
import type { AuditEvent, AuditSubject, DenyEntry } from '../core/records.js'
import { type Item, parse, time, timeKey, ttlAfter } from './dynamodb-items.js'
import { itemKeys } from './token-table.js'

/**
 * Items that are only ever appended: audit records (one partition per
 * subject) and deny-list entries (one partition per hour, for the
 * authorizer). Validated on read like every stored item.
 */

/** Audit partition of one subject: a token, an account or a person. */
export const auditPartition = (subject: AuditSubject): string =>
  `AUDIT#${subject.type}#${subject.id}`

const auditSchema = z.object({
  id: z.string(),
  subject_type: z.enum(['token', 'service_account', 'user']),
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

/** `DENY#2026-12-01T22`: one partition per hour of revocations, read by the authorizer. */
export const denyPartition = (at: number): string =>
  itemKeys.denyListPartition(new Date(at).toISOString().slice(0, 13)).pk

export const denySortKey = (at: number, id: string): string => `${timeKey(at)}#${id}`

const denySchema = z.object({
  id: z.string(),
  kind: z.enum(['token', 'owner']),
  atid: z.optional(z.string()),
  sub: z.optional(z.string()),
  min_generation: z.number().check(z.int(), z.positive()),
  created_at: time,
  expires_at: time,
})

export const denyToItem = (entry: DenyEntry): Item => ({
  pk: denyPartition(entry.createdAt),
  sk: denySortKey(entry.createdAt, entry.id),
  id: entry.id,
  kind: entry.kind,
  ...(entry.kind === 'token' ? { atid: entry.atid } : { sub: entry.sub }),
  min_generation: entry.minGeneration,
  created_at: entry.createdAt,
  expires_at: entry.expiresAt,
  // DynamoDB deletes lazily; readers still ignore entries past expires_at.
  ttl: Math.ceil(entry.expiresAt / 1000),
})

export const itemToDeny = (item: Item): DenyEntry => {
  const d = parse(denySchema, item, 'deny-list entry')
  const common = {
    id: d.id,
    createdAt: d.created_at,
    expiresAt: d.expires_at,
    minGeneration: d.min_generation,
  }
  if (d.kind === 'token' && d.atid !== undefined) return { ...common, kind: 'token', atid: d.atid }
  if (d.kind === 'owner' && d.sub !== undefined) return { ...common, kind: 'owner', sub: d.sub }
  return parse(z.never(), item, 'deny-list entry')
}
