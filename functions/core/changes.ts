import { encodeBase62 } from './base62.js'
import type { RequestContext } from './caller.js'
import { CLOCK_SKEW_SECONDS } from './jwt-verifier.js'
import { randomBytes } from './node-crypto.js'
import type { AuditEvent, AuditSubject, DenyEntry } from './records.js'

const randomId = (prefix: string): string => `${prefix}${encodeBase62(randomBytes(16), 22)}`

/**
 * An audit record of a change, for the same transaction as the change.
 * `changes` must never hold a secret or a hash: callers pass field values only.
 *
 * @example
 * auditEvent(context, { type: 'token', id }, 'token.revoked', { status: 'revoked' }, now)
 */
export const auditEvent = (
  context: RequestContext,
  subject: AuditSubject,
  action: string,
  changes: Readonly<Record<string, unknown>>,
  at: number,
  id: string = randomId('ev_'),
): AuditEvent => ({
  id,
  subject,
  at,
  action,
  actor: context.caller.sub,
  sourceAtid: context.caller.atid,
  requestId: context.requestId,
  changes,
})

export const newEventId = (): string => randomId('ev_')

/**
 * A deny-list entry that outlives every JWT it can refuse: revocation time
 * plus the longest JWT plus the clock skew a verifier forgives.
 */
export const denyEntry = (
  target:
    | { readonly kind: 'token'; readonly atid: string }
    | { readonly kind: 'owner'; readonly sub: string }
    | { readonly kind: 'policy'; readonly tpid: string },
  minGeneration: number,
  now: number,
  maxJwtDurationSeconds: number,
): DenyEntry => ({
  ...target,
  id: randomId('dn_'),
  createdAt: now,
  expiresAt: now + (maxJwtDurationSeconds + CLOCK_SKEW_SECONDS) * 1000,
  minGeneration,
})

/**
 * A deny-list entry for one JWT (RFC 7009 revocation by `jti`): it lasts
 * until the JWT expires, plus the clock skew a verifier forgives.
 */
export const jwtDenyEntry = (jti: string, jwtExpiresAt: number, now: number): DenyEntry => ({
  kind: 'jwt',
  jti,
  id: randomId('dn_'),
  createdAt: now,
  expiresAt: Math.max(now, jwtExpiresAt) + CLOCK_SKEW_SECONDS * 1000,
  minGeneration: 0,
})
