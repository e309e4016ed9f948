import { type Caller, holdsScope, isPerson } from './caller.js'
import { TollgateError } from './errors.js'
import type { Route } from './routes.js'

/**
 * Why a caller may not call a route of Tollgate's own API, or undefined if
 * it may: its JWT needs every scope the route lists, except a person on a
 * self-service route, whom the use case then limits to their own tokens. A
 * federated JWT (an outside workload's, through a trust policy) writes
 * nothing, whatever its scopes: a leaked CI job must not mint itself a
 * long-lived credential.
 */
export const routeRefusal = (
  route: Pick<Route, 'method' | 'scopes' | 'selfService'>,
  caller: Caller,
): TollgateError | undefined => {
  if (caller.kind === 'federated' && route.method !== 'GET') {
    return new TollgateError(
      'forbidden',
      'A federated JWT cannot change anything in Tollgate; use an access token or sign in as a person.',
    )
  }
  const missing = (route.scopes ?? []).filter((scope) => !holdsScope(caller, scope))
  if (missing.length === 0) return undefined
  if (route.selfService === true && isPerson(caller)) return undefined
  return new TollgateError(
    'insufficient_scope',
    `This route needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(' and ')}; exchange a token that grants ${missing.length > 1 ? 'them' : 'it'}.`,
  )
}

/**
 * Throws `routeRefusal`'s error, if any.
 *
 * @example
 * authorizeRoute(route, caller) // throws insufficient_scope (403) if not
 */
export const authorizeRoute = (
  route: Pick<Route, 'method' | 'scopes' | 'selfService'>,
  caller: Caller,
): void => {
  const refused = routeRefusal(route, caller)
  if (refused !== undefined) throw refused
}
