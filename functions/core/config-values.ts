import * as z from 'zod/mini'
import { canonicalPath } from './canonical-path.js'
import { TOLLGATE_ADMIN_SCOPE } from './routes.js'

/**
 * Parsers for environment values, each failing with a message that names the
 * rule and never echoes the value (it may be a secret pasted in the wrong place).
 */

/** Turns text into a value or an issue whose message never contains the text. */
export const parsed = <T>(error: string, parse: (text: string) => T | undefined) =>
  z.pipe(
    z.string(),
    z.transform((text: string, ctx) => {
      const value = parse(text)
      if (value === undefined) {
        ctx.issues.push({ code: 'custom', message: error, input: '' })
        return z.NEVER
      }
      return value
    }),
  )

export const booleanFlag = parsed('must be "true" or "false"', (text) =>
  text === 'true' ? true : text === 'false' ? false : undefined,
)

export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  parsed(`must be an integer between ${min} and ${max}`, (text) => {
    const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN
    return value >= min && value <= max ? value : undefined
  })

export const oneOf = <const T extends string>(values: readonly T[]) =>
  parsed(`must be one of ${values.join(', ')}`, (text) =>
    (values as readonly string[]).includes(text) ? (text as T) : undefined,
  )

export const matching = (pattern: RegExp, error: string) =>
  parsed(error, (text) => (pattern.test(text) ? text : undefined))

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

export const httpUrl = parsed('must be an http(s) URL without query or fragment', (text) =>
  isHttpUrl(text) ? text : undefined,
)

/** A JSON value of the given schema; the parser's own message is dropped (it quotes the input). */
export const json = <T>(error: string, schema: z.ZodMiniType<T>) =>
  parsed(error, (text) => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return undefined
    }
    const result = schema.safeParse(value)
    return result.success ? result.data : undefined
  })

/** A KMS key id, key ARN, alias name or alias ARN (KMS allows these characters). */
const KMS_KEY_ID = /^[A-Za-z0-9:/_+=,.@-]{1,2048}$/
export const kmsKeyIds = parsed(
  'must be a comma-separated list of distinct KMS key ids, ARNs or aliases',
  (text) => {
    const ids = text.split(',').map((id) => id.trim())
    const valid = ids.every((id) => KMS_KEY_ID.test(id)) && new Set(ids).size === ids.length
    return valid ? Object.freeze(ids) : undefined
  },
)
/** A secret name or ARN, as Secrets Manager allows them. */
export const secretId = matching(
  /^[A-Za-z0-9/_+=.@:-]{1,2048}$/,
  'must be a secret name or ARN (letters, digits and /_+=.@:-)',
)

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY|\*) \/\S*$/
const SCOPE = /^\S+$/

export const routeScopes = parsed(
  `must be a JSON object mapping "METHOD /path/*" keys (no dot segments, no encoded / or \\) to one scope each, never ${TOLLGATE_ADMIN_SCOPE}`,
  (text) => {
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
)
