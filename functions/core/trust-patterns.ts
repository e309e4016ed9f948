import { RE2JS, RE2JSException } from 're2js'
import { TollgateError } from './errors.js'
import { MAX_PATTERN_LENGTH } from './trust-policy-limits.js'

/**
 * The patterns of trust policies (docs/federation.md#patterns): RE2 syntax,
 * compiled by re2js, whose matching takes time linear in the input (no
 * backtracking, so no pattern can stall a request), and always anchored: a
 * pattern matches a whole claim value or nothing.
 */

/** Characters that end a literal prefix: RE2's metacharacters. */
const METACHARACTERS = new Set([...'\\.+*?()|[]{}^$'])
/** Quantifiers: the literal before one is optional or repeated, so it leaves the prefix. */
const QUANTIFIERS = new Set([...'?*+{'])
const KUBERNETES_SUBJECT = 'system:serviceaccount:'

/** A subject pattern ready to match: its guaranteed literal prefix and the compiled pattern. */
export interface SubjectPattern {
  readonly prefix: string
  readonly regex: RE2JS
}

/**
 * The literal text every match of `pattern` starts with: its leading
 * characters up to the first metacharacter, an escaped punctuation
 * character (`\.`) counting as itself, and without the last one when a
 * quantifier follows (`x?` may be absent).
 *
 * @example
 * literalPrefix('repo:acme/.*') // 'repo:acme/'
 * literalPrefix('repo:acme/?.*') // 'repo:acme'
 */
export const literalPrefix = (pattern: string): string => {
  const characters: string[] = []
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index] as string
    if (character === '\\') {
      const escaped = pattern[index + 1]
      if (escaped !== undefined && /^[^A-Za-z0-9]$/.test(escaped)) {
        characters.push(escaped)
        index++
        continue
      }
      break
    }
    if (METACHARACTERS.has(character)) {
      if (QUANTIFIERS.has(character)) characters.pop()
      break
    }
    characters.push(character)
  }
  return characters.join('')
}

/**
 * Whether a literal prefix closes the subject's tenant, so that no other
 * tenant's subject can start with it (docs/federation.md#the-subject-pattern-rule):
 * - with a `/`: the prefix runs past the first `/`, after at least one
 *   character (GitHub `repo:acme/`, GitLab `project_path:acme/`);
 * - Kubernetes (`system:serviceaccount:NS:NAME`): the prefix runs through
 *   the `:` that closes a non-empty namespace (`system:serviceaccount:prod:`);
 * - any other subject without `/`: through the `:` that closes the first
 *   non-empty value after the subject's leading `type:` (`organization:acme:`).
 */
export const closesTenant = (prefix: string): boolean => {
  const slash = prefix.indexOf('/')
  if (slash > 0) return true
  if (slash === 0) return false
  const start = prefix.startsWith(KUBERNETES_SUBJECT)
    ? KUBERNETES_SUBJECT.length
    : prefix.indexOf(':') + 1
  if (start === 0) return false
  const close = prefix.indexOf(':', start)
  return close > start
}

/**
 * Whether `pattern` has a `|` outside every group and character class: an
 * alternative there would not start with the prefix. Conservative where the
 * syntax is unusual (a refusal, never a pass): matching checks the prefix
 * itself anyway.
 */
const hasTopLevelAlternation = (pattern: string): boolean => {
  let depth = 0
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index]
    if (character === '\\') {
      index++
    } else if (character === '[') {
      index = endOfClass(pattern, index)
    } else if (character === '(') {
      depth++
    } else if (character === ')') {
      depth = Math.max(0, depth - 1)
    } else if (character === '|' && depth === 0) {
      return true
    }
  }
  return false
}

/** The index of the `]` that closes the class opened at `start` (`[]a]`, `[^]a]`, `[[:alpha:]]`). */
const endOfClass = (pattern: string, start: number): number => {
  let index = start + 1
  if (pattern[index] === '^') index++
  if (pattern[index] === ']') index++
  for (; index < pattern.length; index++) {
    const character = pattern[index]
    if (character === '\\') index++
    else if (character === '[' && pattern[index + 1] === ':') {
      const close = pattern.indexOf(':]', index + 2)
      if (close !== -1) index = close + 1
    } else if (character === ']') return index
  }
  return pattern.length
}

/** Compiled patterns by source: policies are few and matched on every federated exchange. */
const compiled = new Map<string, RE2JS>()
const MAX_COMPILED = 1000

const compile = (field: string, pattern: string): RE2JS => {
  const cached = compiled.get(pattern)
  if (cached !== undefined) return cached
  if (compiled.size >= MAX_COMPILED) compiled.clear()
  const regex = compileChecked(field, pattern)
  compiled.set(pattern, regex)
  return regex
}

const compileChecked = (field: string, pattern: string): RE2JS => {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw new TollgateError(
      'invalid_request',
      `${field} must be 1-${MAX_PATTERN_LENGTH} characters of RE2 syntax.`,
    )
  }
  // \Q…\E quotes text the prefix and alternation checks would read as syntax.
  if (pattern.includes('\\Q')) {
    throw new TollgateError(
      'invalid_request',
      `${field} may not use \\Q…\\E; escape each metacharacter with \\ instead.`,
    )
  }
  try {
    return RE2JS.compile(pattern)
  } catch (error) {
    if (!(error instanceof RE2JSException)) throw error
    throw new TollgateError(
      'invalid_request',
      `${field} is not valid RE2 syntax (${error.message}); see https://github.com/google/re2/wiki/Syntax.`,
    )
  }
}

/**
 * Checks a claim pattern and compiles it: RE2 syntax within the length cap.
 *
 * @example
 * claimPattern('claims.environment', 'prod|staging').matches('prod') // true
 */
export const claimPattern = (field: string, pattern: string): RE2JS => compile(field, pattern)

/**
 * Checks a subject pattern against the tenant rule and compiles it.
 * Throws `invalid_request` saying what to write instead.
 *
 * @example
 * subjectPattern('repo:acme/.*') // ok
 * subjectPattern('repo:acme.*') // throws: would match repo:acme-evil/…
 */
export const subjectPattern = (pattern: string): SubjectPattern => {
  const field = 'subject_pattern'
  const regex = compile(field, pattern)
  const prefix = literalPrefix(pattern)
  if (prefix === '') {
    throw new TollgateError(
      'invalid_request',
      `${field} must start with literal text naming the tenant, not a wildcard, group or class (e.g. repo:acme/.*); use subject for one exact subject.`,
    )
  }
  if (hasTopLevelAlternation(pattern)) {
    throw new TollgateError(
      'invalid_request',
      `${field} may not hold alternatives outside a group: keep the tenant prefix and group the rest, e.g. repo:acme/(?:api|web):.*`,
    )
  }
  if (!closesTenant(prefix)) {
    throw new TollgateError(
      'invalid_request',
      `${field} must keep its literal prefix up to the tenant separator, so no other tenant's subject can match: through the first "/" (repo:acme/.*), or for Kubernetes through the namespace's closing ":" (system:serviceaccount:prod:.*). Its literal prefix is "${prefix}".`,
    )
  }
  return { prefix, regex }
}

/** Whether a subject matches a checked pattern: the literal prefix, and the whole pattern. */
export const matchesSubject = (pattern: SubjectPattern, subject: string): boolean =>
  subject.startsWith(pattern.prefix) && pattern.regex.matches(subject)
