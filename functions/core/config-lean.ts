import { assembleConfig } from './config-assembly.js'
import type { Config } from './config-types.js'
import { KEY_SOURCES } from './config-types.js'
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
  textRule,
} from './env-rules.js'
import { TollgateError } from './errors.js'

/**
 * parseConfig's contract without zod, for the authorizer's cold start: the
 * same variables, rules (./env-rules.ts), defaults, checks and messages,
 * and the same frozen Config. Building and running parseConfig's zod schema
 * cost the authorizer's cold start more than anything of its own
 * (docs/benchmarks.md), so it parses here unless the environment sets a
 * variable that only zod checks here (TRUSTED_ISSUERS, ROLE_SCOPES: their
 * nested JSON), when it answers undefined and the caller asks parseConfig.
 *
 * Two parsers of one contract: test/unit/core/config-lean.test.ts holds
 * this one to parseConfig (the same variables, in order, and the same
 * outcome for generated environments), so a change to one that the other
 * misses fails there.
 */

const DAY = 86_400

interface Optional<T> {
  readonly rule: EnvRule<T>
}
interface Defaulted<T> extends Optional<T> {
  /** The value when the variable is unset or blank. */
  readonly fallback: T
}
type Variable<T> = Optional<T> | Defaulted<T>

const optional = <T>(rule: EnvRule<T>): Optional<T> => ({ rule })
const withDefault = <T>(rule: EnvRule<T>, fallback: T): Defaulted<T> => ({ rule, fallback })
/** Checked by parseConfig's zod schema only: when set, this parser steps aside. */
const ZOD_ONLY = Symbol('zod only')

/** The variables of ./config.ts's ENV_SCHEMA, in its order, with their rules and defaults. */
const ENV = {
  ISSUER: optional(httpUrlRule),
  AUDIENCE: withDefault(textRule, 'tollgate'),
  JWT_ALG: withDefault(oneOfRule(['RS256', 'ES256']), 'RS256'),
  KEY_SOURCE: withDefault(oneOfRule(KEY_SOURCES), 'local'),
  KMS_KEY_IDS: optional(kmsKeyIdsRule),
  SIGNING_KEYS_SECRET_ID: optional(secretIdRule),
  PEPPER_SECRET_ID: optional(secretIdRule),
  JWKS_URL: optional(httpUrlRule),
  DATA_DIR: withDefault(textRule, '.data'),
  PORT: withDefault(integerRule(1, 65_535), 3000),
  TABLE_NAME: withDefault(tableNameRule, 'tollgate'),
  MAX_JWT_DURATION_SECONDS: withDefault(integerRule(60, 7 * DAY), 43_200),
  DEFAULT_TOKEN_TTL_SECONDS: withDefault(integerRule(60), 90 * DAY),
  MAX_TOKEN_TTL_SECONDS: withDefault(integerRule(60), 365 * DAY),
  ALLOW_NON_EXPIRING_TOKENS: withDefault(booleanRule, false),
  MAX_ACTIVE_TOKENS_PER_OWNER: withDefault(integerRule(1, 1000), 10),
  MAX_PERSONAL_TOKEN_TTL_SECONDS: withDefault(integerRule(60), 90 * DAY),
  BASIC_AUTH_ENABLED: withDefault(booleanRule, false),
  BASIC_AUTH_USERNAME: withDefault(
    matchingRule(/^[^:\s]+$/, 'must be non-empty, without ":" or spaces'),
    'tollgate',
  ),
  REVOCATION_CHECK: withDefault(booleanRule, true),
  REVOCATION_MAX_DELAY_SECONDS: withDefault(integerRule(5, 3600), 30),
  REVOCATION_REFRESH_SECONDS: withDefault(integerRule(1, 3600), 10),
  AUTHORIZER_CACHE_TTL_SECONDS: withDefault(integerRule(0, 3600), 10),
  TRUSTED_ISSUERS: ZOD_ONLY,
  ROLE_SCOPES: ZOD_ONLY,
  FEDERATION_ISSUERS: withDefault(federationIssuersRule, []),
  KEYS_CACHE_TTL_SECONDS: withDefault(integerRule(1, 7200), 300),
  HTTP_API_AUTHORIZER_RESPONSE: withDefault(oneOfRule(['simple', 'iam']), 'simple'),
  ROUTE_SCOPES: withDefault(routeScopesRule, {}),
  AWS_LAMBDA_FUNCTION_NAME: optional(textRule),
  AWS_SAM_LOCAL: optional(textRule),
  AWS_ENDPOINT_URL_DYNAMODB: optional(httpUrlRule),
  AWS_ENDPOINT_URL_KMS: optional(httpUrlRule),
  AWS_ENDPOINT_URL_SECRETS_MANAGER: optional(httpUrlRule),
  AWS_ENDPOINT_URL: optional(httpUrlRule),
} as const

/** The variable names, in order: what the test compares with ./config.ts's ENV_SCHEMA. */
export const LEAN_CONFIG_VARIABLES: readonly string[] = Object.keys(ENV)

type Env = typeof ENV
type Parsed = {
  [K in keyof Env]: Env[K] extends Defaulted<infer T>
    ? T
    : Env[K] extends Optional<infer T>
      ? T | undefined
      : never
}

/**
 * The Config parseConfig would give `env`, or undefined when `env` sets
 * TRUSTED_ISSUERS or ROLE_SCOPES (ask parseConfig). Throws what parseConfig
 * throws for a bad value: `internal`, naming the variables and never a value.
 *
 * @example
 * const config = parseConfigLean(process.env) ?? (await import('./config.js')).parseConfig(process.env)
 */
export const parseConfigLean = (
  env: Readonly<Record<string, string | undefined>>,
): Config | undefined => {
  const values: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [name, variable] of Object.entries(ENV) as Array<
    [string, Variable<unknown> | typeof ZOD_ONLY]
  >) {
    const text = env[name]?.trim()
    const present = text !== undefined && text !== ''
    if (variable === ZOD_ONLY) {
      if (present) return undefined
      continue
    }
    if (!present) {
      values[name] = 'fallback' in variable ? variable.fallback : undefined
      continue
    }
    const value = variable.rule.parse(text)
    if (value === undefined) problems.push(`${name} ${variable.rule.error}`)
    else values[name] = value
  }
  if (problems.length > 0) {
    throw new TollgateError('internal', `Invalid configuration: ${problems.join('; ')}`)
  }
  // No trusted issuer and no role scopes: an environment with either went to parseConfig.
  return assembleConfig(values as Parsed, {
    trustedIssuers: [],
    roleScopes: {},
    problem: undefined,
  })
}
