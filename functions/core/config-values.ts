import * as z from 'zod/mini'
import {
  booleanRule,
  type EnvRule,
  federationIssuersRule,
  httpUrlRule,
  integerRule,
  kmsKeyIdsRule,
  matchingRule,
  oneOfRule,
  routeScopesRule,
  secretIdRule,
  tableNameRule,
} from './env-rules.js'

export { isHttpUrl } from './env-rules.js'

/**
 * Parsers for environment values as zod schemas, for parseConfig: each
 * failing with a message that names the rule and never echoes the value
 * (it may be a secret pasted in the wrong place). The rules themselves are
 * plain functions in ./env-rules.ts.
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

const fromRule = <T>(rule: EnvRule<T>) => parsed(rule.error, rule.parse)

export const booleanFlag = fromRule(booleanRule)

export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  fromRule(integerRule(min, max))

export const oneOf = <const T extends string>(values: readonly T[]) => fromRule(oneOfRule(values))

export const matching = (pattern: RegExp, error: string) => fromRule(matchingRule(pattern, error))

export const httpUrl = fromRule(httpUrlRule)

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

export const kmsKeyIds = fromRule(kmsKeyIdsRule)

export const federationIssuers = fromRule(federationIssuersRule)

export const secretId = fromRule(secretIdRule)

export const routeScopes = fromRule(routeScopesRule)

export const tableName = fromRule(tableNameRule)
