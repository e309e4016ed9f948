import type { OwnerRef } from './owners.js'

/**
 * The stored role that makes an administrator. It grants nothing by its name
 * at request time: it contributes the scope `tollgate:admin` where rights
 * are computed (the exchange, a person's sign-in), see `rights.ts`.
 */
export const ADMIN_ROLE = 'admin'

/**
 * How a caller proved who they are:
 * - `service`: a JWT minted from a service account's token;
 * - `personal`: a JWT minted from a person's personal token;
 * - `person`: a person's own JWT from a trusted identity provider (or the dev issuer);
 * - `federated`: a JWT minted through a trust policy for an outside workload
 *   (it may read what its scopes allow and write nothing).
 */
export type CallerKind = 'service' | 'personal' | 'person' | 'federated'

/** An authenticated caller of Tollgate's own API, established by the handler itself. */
export interface Caller {
  /** `sa_…` or `user:<issuer id>:<sub>`. */
  readonly sub: string
  readonly kind: CallerKind
  readonly roles: readonly string[]
  readonly scopes: readonly string[]
  /** The access token the caller's JWT was minted from; null for a person's IdP JWT and a federated JWT. */
  readonly atid: string | null
  readonly jti: string | null
}

/** Who did it and in which request: what every audit record carries. */
export interface RequestContext {
  readonly caller: Caller
  readonly requestId: string | null
}

/** Rights are scopes: a JWT may do exactly what its `scope` claim says, no role counts. */
export const holdsScope = (caller: Pick<Caller, 'scopes'>, scope: string): boolean =>
  caller.scopes.includes(scope)

/** A person, signed in directly or through a personal token. */
export const isPerson = (caller: Pick<Caller, 'kind'>): boolean =>
  caller.kind === 'person' || caller.kind === 'personal'

export const ownerOfCaller = (caller: Pick<Caller, 'sub' | 'kind'>): OwnerRef =>
  isPerson(caller) ? { type: 'user', id: caller.sub } : { type: 'service_account', id: caller.sub }
