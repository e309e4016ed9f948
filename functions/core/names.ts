import { TollgateError } from './errors.js'

/**
 * Token and service-account names (docs/design.md#names-and-descriptions): readable, and safe
 * in any listing. No space at either end, so `"admin "` cannot pass for `admin`.
 */
export const RESOURCE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,62}[A-Za-z0-9._-])?$/
/** What RESOURCE_NAME allows, in words: the API's and the core's refusals say it alike. */
export const RESOURCE_NAME_RULE =
  'be 1-64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit and not ending in a space'
/** Roles and scopes: lower-case names, safe in comma-joined authorizer context. */
export const PERMISSION_NAME = /^[a-z][a-z0-9_.:-]{0,63}$/
export const MAX_DESCRIPTION_LENGTH = 1024
/**
 * Description text (docs/design.md#names-and-descriptions): no C0 or C1 control
 * character but newline and tab, which could drive a reader's terminal, and no
 * lone UTF-16 surrogate, which UTF-8 cannot carry (encoders turn it into
 * U+FFFD) and strict JSON readers such as `jq` refuse; nor the bidirectional
 * embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that
 * make text display in another order than it reads ("Trojan Source",
 * CVE-2021-42574), so a description shows what it says. Explicit ranges, not
 * `\p{Cc}`, and surrogate pairs spelled out, so the OpenAPI `pattern` means
 * the same to validators with and without the `u` flag.
 */
export const DESCRIPTION_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: naming the control characters is the point.
  /^(?:[^\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/
/** What DESCRIPTION_TEXT allows, in words. */
export const DESCRIPTION_TEXT_RULE =
  'not contain control characters other than newline and tab, bidirectional overrides or isolates, or unpaired UTF-16 surrogates'
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

/**
 * Checks a new token or account name. Only writes check: names stored before
 * a rule tightened still read.
 *
 * @example
 * resourceName('name', 'admin ') // throws invalid_request: "name must be …"
 */
export const resourceName = (field: string, name: string): string => {
  if (!RESOURCE_NAME.test(name)) {
    throw new TollgateError('invalid_request', `${field} must ${RESOURCE_NAME_RULE}.`)
  }
  return name
}

/**
 * Checks a new description. Like names, only writes check.
 *
 * @example
 * description('nightly loads\nowner: data team') // returned as given
 */
export const description = (text: string): string => {
  if (text.length > MAX_DESCRIPTION_LENGTH) {
    throw new TollgateError(
      'invalid_request',
      `description must be at most ${MAX_DESCRIPTION_LENGTH} characters.`,
    )
  }
  if (!DESCRIPTION_TEXT.test(text)) {
    throw new TollgateError('invalid_request', `description must ${DESCRIPTION_TEXT_RULE}.`)
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
