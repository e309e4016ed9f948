import { TollgateError } from './errors.js'
import type { OwnerRef } from './owners.js'

/** The role that holds every scope and may create, regenerate or widen anything. */
export const ADMIN_ROLE = 'admin'

/**
 * How a caller proved who they are:
 * - `service`: a JWT minted from a service account's token;
 * - `personal`: a JWT minted from a person's personal token;
 * - `person`: a person's own JWT from a trusted identity provider (or the dev issuer).
 */
export type CallerKind = 'service' | 'personal' | 'person'

/** An authenticated caller of Tollgate's own API, established by the handler itself. */
export interface Caller {
  /** `sa_…` or `user:<issuer id>:<sub>`. */
  readonly sub: string
  readonly kind: CallerKind
  readonly roles: readonly string[]
  readonly scopes: readonly string[]
  /** The access token the caller's JWT was minted from; null for a person's IdP JWT. */
  readonly atid: string | null
  readonly jti: string | null
}

/** Who did it and in which request: what every audit record carries. */
export interface RequestContext {
  readonly caller: Caller
  readonly requestId: string | null
}

export const isAdmin = (caller: Pick<Caller, 'roles'>): boolean => caller.roles.includes(ADMIN_ROLE)

/** `admin` implies every scope. */
export const holdsScope = (caller: Pick<Caller, 'roles' | 'scopes'>, scope: string): boolean =>
  isAdmin(caller) || caller.scopes.includes(scope)

/** A person, signed in directly or through a personal token. */
export const isPerson = (caller: Pick<Caller, 'kind'>): boolean =>
  caller.kind === 'person' || caller.kind === 'personal'

export const ownerOfCaller = (caller: Pick<Caller, 'sub' | 'kind'>): OwnerRef =>
  isPerson(caller) ? { type: 'user', id: caller.sub } : { type: 'service_account', id: caller.sub }

/**
 * Refuses a caller whose credential came from a personal token: such a JWT
 * may list, revoke and narrow, but never mint a long-lived credential or
 * change an account (DESIGN "Management API"), so a leaked CI job cannot
 * grant itself more.
 */
export const refuseDerivedCredential = (caller: Pick<Caller, 'kind'>, what: string): void => {
  if (caller.kind === 'personal') {
    throw new TollgateError('forbidden', `A JWT from a personal token cannot ${what}.`)
  }
}

export const requireAdmin = (caller: Pick<Caller, 'roles'>, what: string): void => {
  if (!isAdmin(caller)) throw new TollgateError('forbidden', `Only admins can ${what}.`)
}
