import { TollgateError } from './errors.js'

/** Token and service-account names (DESIGN "Access tokens"): readable, and safe in any listing. */
export const RESOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/
/** Roles and scopes: lower-case names, safe in comma-joined authorizer context. */
export const PERMISSION_NAME = /^[a-z][a-z0-9_.:-]{0,63}$/
export const MAX_DESCRIPTION_LENGTH = 1024
/** More than anyone should hand one token; bounds item sizes and policies. */
export const MAX_PERMISSIONS = 100

/**
 * Checks a list of role or scope names and returns it without repeats, in order.
 *
 * @example
 * permissionNames('scopes', ['datasets:read', 'datasets:read']) // ['datasets:read']
 */
export const permissionNames = (field: string, names: readonly string[]): readonly string[] => {
  if (names.length > MAX_PERMISSIONS || !names.every((name) => PERMISSION_NAME.test(name))) {
    throw new TollgateError(
      'invalid_request',
      `${field} must be at most ${MAX_PERMISSIONS} names matching ${PERMISSION_NAME.source}.`,
    )
  }
  return [...new Set(names)]
}

export const resourceName = (field: string, name: string): string => {
  if (!RESOURCE_NAME.test(name)) {
    throw new TollgateError(
      'invalid_request',
      `${field} must be 1-64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit.`,
    )
  }
  return name
}

export const description = (text: string): string => {
  if (text.length > MAX_DESCRIPTION_LENGTH) {
    throw new TollgateError(
      'invalid_request',
      `description must be at most ${MAX_DESCRIPTION_LENGTH} characters.`,
    )
  }
  return text
}

/** Whether every name of `subset` is in `set`. */
export const isSubset = (subset: readonly string[], set: readonly string[]): boolean => {
  const members = new Set(set)
  return subset.every((name) => members.has(name))
}

/** The names of `names` missing from `set`, in order. */
export const missingFrom = (
  names: readonly string[],
  set: readonly string[],
): readonly string[] => {
  const members = new Set(set)
  return names.filter((name) => !members.has(name))
}
