import { canonicalPath } from './canonical-path.js'
import { TOLLGATE_ADMIN_SCOPE } from './routes.js'

/**
 * What an environment value must be, as plain functions: `parse` turns the
 * text into its value or undefined, and `error` says what was wrong, naming
 * the rule and never the value (it may be a secret pasted in the wrong
 * place). parseConfig wraps them in zod (./config-values.ts); the
 * authorizer's cold start uses them as they are (./config-lean.ts).
 */
export interface EnvRule<T> {
  readonly error: string
  readonly parse: (text: string) => T | undefined
}

export const booleanRule: EnvRule<boolean> = {
  error: 'must be "true" or "false"',
  parse: (text) => (text === 'true' ? true : text === 'false' ? false : undefined),
}

export const integerRule = (min: number, max = Number.MAX_SAFE_INTEGER): EnvRule<number> => ({
  error: `must be an integer between ${min} and ${max}`,
  parse: (text) => {
    const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN
    return value >= min && value <= max ? value : undefined
  },
})

export const oneOfRule = <const T extends string>(values: readonly T[]): EnvRule<T> => ({
  error: `must be one of ${values.join(', ')}`,
  parse: (text) => ((values as readonly string[]).includes(text) ? (text as T) : undefined),
})

export const matchingRule = (pattern: RegExp, error: string): EnvRule<string> => ({
  error,
  parse: (text) => (pattern.test(text) ? text : undefined),
})

/** Any text: the variables whose every value is usable. */
export const textRule: EnvRule<string> = { error: 'must be text', parse: (text) => text }

/** Whether `text` is an http(s) URL without query or fragment. */
export const isHttpUrl = (text: string): boolean => {
  const url = URL.parse(text)
  return (
    url !== null &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.search === '' &&
    url.hash === '' &&
    !text.includes('?') &&
    !text.includes('#')
  )
}

/** More issuers than one deployment trusts for federation; bounds the list each exchange checks. */
export const MAX_FEDERATION_ISSUERS = 50

/**
 * FEDERATION_ISSUERS: a JSON list of the issuers trust policies may name,
 * each an exact `iss` (http(s), no query or fragment) and distinct. Which
 * of them may be plain http (loopback in local mode) and that none is
 * Tollgate's own issuer is checked with the other variables
 * (`federationIssuersProblem`).
 */
export const federationIssuersRule: EnvRule<readonly string[]> = {
  error: `must be a JSON list of at most ${MAX_FEDERATION_ISSUERS} distinct issuer URLs (http(s), no query or fragment)`,
  parse: (text) => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return undefined
    }
    const valid =
      Array.isArray(value) &&
      value.length <= MAX_FEDERATION_ISSUERS &&
      value.every((issuer) => typeof issuer === 'string' && isHttpUrl(issuer)) &&
      new Set(value).size === value.length
    return valid ? Object.freeze([...(value as string[])]) : undefined
  },
}

export const httpUrlRule: EnvRule<string> = {
  error: 'must be an http(s) URL without query or fragment',
  parse: (text) => (isHttpUrl(text) ? text : undefined),
}

/** JWKS_URL, else the issuer's own: where RFC 8414 discovery and Tollgate's routes put it. */
export const jwksUrlOf = (jwksUrl: string | undefined, issuer: string): string =>
  jwksUrl ?? `${issuer}/.well-known/jwks.json`

/** A KMS key id, key ARN, alias name or alias ARN (KMS allows these characters). */
const KMS_KEY_ID = /^[A-Za-z0-9:/_+=,.@-]{1,2048}$/

export const kmsKeyIdsRule: EnvRule<readonly string[]> = {
  error: 'must be a comma-separated list of distinct KMS key ids, ARNs or aliases',
  parse: (text) => {
    const ids = text.split(',').map((id) => id.trim())
    const valid = ids.every((id) => KMS_KEY_ID.test(id)) && new Set(ids).size === ids.length
    return valid ? Object.freeze(ids) : undefined
  },
}

/**
 * A DynamoDB table name, or a table's ARN: DynamoDB takes either as
 * `TableName`, and an ARN is how a consumer in another account reaches
 * Tollgate's table through its resource policy (docs/authorizer.md).
 */
export const tableNameRule = matchingRule(
  /^(?:arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/)?[A-Za-z0-9_.-]{3,255}$/,
  'must be 3-255 letters, digits, "_", "." or "-", or a DynamoDB table ARN',
)

/** A secret name or ARN, as Secrets Manager allows them. */
export const secretIdRule = matchingRule(
  /^[A-Za-z0-9/_+=.@:-]{1,2048}$/,
  'must be a secret name or ARN (letters, digits and /_+=.@:-)',
)

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY|\*) \/\S*$/
const SCOPE = /^\S+$/

export const routeScopesRule: EnvRule<Record<string, string>> = {
  error: `must be a JSON object mapping "METHOD /path/*" keys (no dot segments, no encoded / or \\) to one scope each, never ${TOLLGATE_ADMIN_SCOPE}`,
  parse: (text) => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return undefined
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
    const entries = Object.entries(value)
    const valid = entries.every(
      ([key, scope]) =>
        ROUTE_KEY.test(key) &&
        // Requests are matched on their canonical path, so a rule must have one too.
        canonicalPath(key.slice(key.indexOf(' ') + 1)) !== undefined &&
        typeof scope === 'string' &&
        SCOPE.test(scope) &&
        scope !== TOLLGATE_ADMIN_SCOPE,
    )
    return valid ? (Object.fromEntries(entries) as Record<string, string>) : undefined
  },
}
