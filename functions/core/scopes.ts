import { TollgateError } from './errors.js'

/** RFC 6749 §3.3 scope-token: printable ASCII without space, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/
const MAX_SCOPES = 100

/**
 * Parses a space-separated scope string into distinct scopes, in order.
 * Throws `invalid_request` for an empty or malformed string.
 */
export const parseScopeString = (scope: string): readonly string[] => {
  const scopes = scope.split(' ').filter((s) => s !== '')
  if (scopes.length === 0 || scopes.length > MAX_SCOPES || !scopes.every(isScopeToken)) {
    throw new TollgateError(
      'invalid_request',
      `scope must be 1 to ${MAX_SCOPES} space-separated scope tokens.`,
    )
  }
  return [...new Set(scopes)]
}

export const isScopeToken = (scope: string): boolean => SCOPE_TOKEN.test(scope)

/** Requested scopes must all be granted; omitted means everything granted. */
export const narrowScopes = (
  granted: readonly string[],
  requested: readonly string[] | undefined,
): readonly string[] => {
  if (requested === undefined) return granted
  const allowed = new Set(granted)
  const missing = requested.filter((scope) => !allowed.has(scope))
  if (missing.length > 0) {
    throw new TollgateError(
      'insufficient_scope',
      `The access token does not grant: ${missing.join(' ')}.`,
    )
  }
  return requested
}
