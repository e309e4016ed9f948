import { TollgateError } from './errors.js'

/**
 * What a client's `If-Match` allows: any current version (`*`), or one of
 * the versions it saw. Absent is refused before this point (428).
 */
export type IfMatch = '*' | readonly number[]

/** Throws `precondition_failed` unless the resource is still at a version the client saw. */
export const checkIfMatch = (ifMatch: IfMatch, version: number): void => {
  if (ifMatch !== '*' && !ifMatch.includes(version)) {
    throw new TollgateError(
      'precondition_failed',
      'The resource changed since it was read (If-Match does not match its ETag); read it again.',
    )
  }
}

/** A strong ETag for a version, as HTTP writes it. */
export const etagOf = (version: number): string => `"${version}"`
