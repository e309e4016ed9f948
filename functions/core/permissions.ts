import { type Caller, holdsScope, isPerson } from './caller.js'
import { TollgateError } from './errors.js'
import type { Route } from './routes.js'

/**
 * Whether a caller may call a route of Tollgate's own API: it needs the
 * route's scope (`admin` holds every scope), except a person on a
 * self-service route, whom the use case then limits to their own tokens.
 *
 * @example
 * authorizeRoute(route, caller) // throws insufficient_scope (403) if not
 */
export const authorizeRoute = (
  route: Pick<Route, 'scope' | 'selfService'>,
  caller: Caller,
): void => {
  if (route.scope === undefined || holdsScope(caller, route.scope)) return
  if (route.selfService === true && isPerson(caller)) return
  throw new TollgateError('insufficient_scope', `This route needs the scope ${route.scope}.`)
}
