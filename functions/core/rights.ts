import { ADMIN_ROLE, type Caller, holdsScope } from './caller.js'
import { TollgateError } from './errors.js'
import { permissionNames } from './names.js'
import type { AccessTokenRecord, OwnerRecord } from './records.js'
import { TOLLGATE_ADMIN_SCOPE, TOLLGATE_SCOPES } from './routes.js'

/**
 * Who may act on whom (docs/design.md#who-may-act-on-whom). Rights flow through one
 * channel, the JWT's `scope` claim, which the exchange can narrow: the
 * `admin` role grants nothing by its name at request time and contributes
 * the reserved scope `tollgate:admin` only where rights are computed (at the
 * exchange for a service token, at sign-in for a person).
 */

export const holdsAdmin = (caller: Pick<Caller, 'scopes'>): boolean =>
  holdsScope(caller, TOLLGATE_ADMIN_SCOPE)

/**
 * What a usable token grants at the exchange (and on the authorizer's Basic
 * path): its roles and scopes within its owner's ceiling, and
 * `tollgate:admin` for a service token whose roles keep `admin`. A personal
 * token never carries it: a leaked laptop token cannot administer Tollgate.
 */
export const grantedByToken = (
  token: Pick<AccessTokenRecord, 'kind' | 'roles' | 'scopes'>,
  ceiling: OwnerRecord['ceiling'],
): { readonly roles: readonly string[]; readonly scopes: readonly string[] } => {
  const roles = within(token.roles, ceiling?.roles)
  const scopes = within(token.scopes, ceiling?.scopes)
  const admin = token.kind === 'service' && roles.includes(ADMIN_ROLE)
  return { roles, scopes: admin ? [...scopes, TOLLGATE_ADMIN_SCOPE] : scopes }
}

/**
 * The roles a JWT names beside its scopes. `admin` stays only while the JWT
 * holds `tollgate:admin`, so that a JWT narrowed at the exchange does not
 * still read as an administrator's to a downstream API that looks at roles.
 */
export const rolesBeside = (
  roles: readonly string[],
  scopes: readonly string[],
): readonly string[] =>
  scopes.includes(TOLLGATE_ADMIN_SCOPE) ? roles : roles.filter((role) => role !== ADMIN_ROLE)

/**
 * A person's scopes at sign-in: those `ROLE_SCOPES` gives their roles, and for
 * the `admin` role every Tollgate scope and `tollgate:admin`, whatever the map says.
 */
export const personScopes = (
  roles: readonly string[],
  roleScopes: Readonly<Record<string, readonly string[]>>,
): readonly string[] => {
  const scopes = new Set(roles.flatMap((role) => roleScopes[role] ?? []))
  if (roles.includes(ADMIN_ROLE)) {
    for (const scope of [...TOLLGATE_SCOPES, TOLLGATE_ADMIN_SCOPE]) scopes.add(scope)
  }
  return [...scopes]
}

/**
 * Scope names an account or a token may store: valid names, never
 * `tollgate:admin`, which only the `admin` role contributes.
 */
export const storableScopes = (field: string, names: readonly string[]): readonly string[] => {
  const scopes = permissionNames(field, names)
  if (scopes.includes(TOLLGATE_ADMIN_SCOPE)) {
    throw new TollgateError(
      'invalid_request',
      `${field} may not name ${TOLLGATE_ADMIN_SCOPE}; give the role ${ADMIN_ROLE} instead.`,
    )
  }
  return scopes
}

/**
 * What a service account holds, and so each of its tokens: its ceiling
 * (plus `tollgate:admin` with the `admin` role) together with its usable
 * tokens' own scopes, which an earlier, wider ceiling may have allowed and a
 * later widening would bring back.
 */
export const holdingsOf = (
  owner: Pick<OwnerRecord, 'ceiling'> | undefined,
  tokens: readonly Pick<AccessTokenRecord, 'roles' | 'scopes'>[],
): readonly string[] => {
  const held = new Set<string>()
  const add = (grant: {
    readonly roles: readonly string[]
    readonly scopes: readonly string[]
  }) => {
    for (const scope of grant.scopes) held.add(scope)
    if (grant.roles.includes(ADMIN_ROLE)) held.add(TOLLGATE_ADMIN_SCOPE)
  }
  if (owner?.ceiling !== undefined) add(owner.ceiling)
  for (const token of tokens) add(token)
  return [...held]
}

/**
 * Nobody weakens a principal holding more than they hold: without
 * `tollgate:admin`, the caller's own JWT must hold everything the target holds.
 */
export const holdsAllOf = (caller: Pick<Caller, 'scopes'>, holdings: readonly string[]): boolean =>
  holdsAdmin(caller) || holdings.every((scope) => holdsScope(caller, scope))

/** `insufficient_scope` unless the caller's JWT holds `tollgate:admin`; undefined if it does. */
export const adminRefusal = (
  caller: Pick<Caller, 'scopes'>,
  what: string,
): TollgateError | undefined =>
  holdsAdmin(caller)
    ? undefined
    : new TollgateError(
        'insufficient_scope',
        `To ${what}, the JWT needs the scope ${TOLLGATE_ADMIN_SCOPE} (exchange an admin token without narrowing it away).`,
      )

/** Throws `adminRefusal`'s error, if any. */
export const requireAdmin = (caller: Pick<Caller, 'scopes'>, what: string): void => {
  const refused = adminRefusal(caller, what)
  if (refused !== undefined) throw refused
}

/**
 * The refusal of a caller whose JWT came from a personal token: such a JWT
 * may list, read, narrow and revoke its owner's personal tokens and nothing
 * else, so a leaked laptop or CI token cannot grant itself more.
 */
export const derivedCredentialRefusal = (
  caller: Pick<Caller, 'kind'>,
  what: string,
): TollgateError | undefined =>
  caller.kind === 'personal'
    ? new TollgateError(
        'forbidden',
        `A JWT from a personal token cannot ${what}; sign in with your identity provider instead.`,
      )
    : undefined

/** Throws `derivedCredentialRefusal`'s error, if any. */
export const refuseDerivedCredential = (caller: Pick<Caller, 'kind'>, what: string): void => {
  const refused = derivedCredentialRefusal(caller, what)
  if (refused !== undefined) throw refused
}

/**
 * The refusal of an operation on a target the caller may not act on: 404
 * unless the caller owns the target or holds the route's read scope (then it
 * learns nothing it could not read), else 403 `forbidden` saying why.
 */
export const refusal = (visible: boolean, noun: string, why: string): TollgateError =>
  visible ? new TollgateError('forbidden', why) : new TollgateError('not_found', `No such ${noun}.`)

const within = (names: readonly string[], ceiling: readonly string[] | undefined) =>
  ceiling === undefined ? names : names.filter((name) => ceiling.includes(name))
