import type { Config, KeySource, KeySourceConfig, Runtime } from './config.js'
import {
  booleanRule,
  type EnvRule,
  httpUrlRule,
  integerRule,
  jwksUrlOf,
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

/** `KEY_SOURCES` of ./config.ts, which cannot be imported without its zod schema. */
const KEY_SOURCES = [
  'local',
  'kms',
  'secrets-manager',
  'jwks',
] as const satisfies readonly KeySource[]

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
export const parseConfigLean = (env: Readonly<Record<string, string | undefined>>) => {
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
  return configOf(values as Parsed)
}

/** What parseConfig makes of the parsed values, with no trusted issuer and no role scopes. */
const configOf = (e: Parsed): Config => {
  const issuer = (e.ISSUER ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, '')
  const problem = [
    e.DEFAULT_TOKEN_TTL_SECONDS > e.MAX_TOKEN_TTL_SECONDS &&
      'DEFAULT_TOKEN_TTL_SECONDS must not exceed MAX_TOKEN_TTL_SECONDS',
    e.REVOCATION_REFRESH_SECONDS + e.AUTHORIZER_CACHE_TTL_SECONDS >=
      e.REVOCATION_MAX_DELAY_SECONDS &&
      'REVOCATION_REFRESH_SECONDS + AUTHORIZER_CACHE_TTL_SECONDS must be below REVOCATION_MAX_DELAY_SECONDS',
    e.KEY_SOURCE === 'local' &&
      e.AWS_LAMBDA_FUNCTION_NAME !== undefined &&
      e.AWS_SAM_LOCAL !== 'true' &&
      'KEY_SOURCE=local is refused on Lambda (AWS_LAMBDA_FUNCTION_NAME is set): each instance would make its own keys and pepper; use KEY_SOURCE=kms or secrets-manager',
    e.KEY_SOURCE === 'jwks' &&
      e.AWS_LAMBDA_FUNCTION_NAME !== undefined &&
      !jwksUrlOf(e.JWKS_URL, issuer).startsWith('https:') &&
      'KEY_SOURCE=jwks fetches keys over https only on Lambda: set an https JWKS_URL (or an https ISSUER, whose /.well-known/jwks.json is the default)',
  ].find((text) => typeof text === 'string')
  if (problem !== undefined) {
    throw new TollgateError('internal', `Invalid configuration: ${problem}`)
  }
  const runtime: Runtime =
    e.AWS_LAMBDA_FUNCTION_NAME === undefined
      ? 'process'
      : e.AWS_SAM_LOCAL === 'true'
        ? 'sam-local'
        : 'lambda'
  return Object.freeze({
    issuer,
    audience: e.AUDIENCE,
    jwtAlg: e.JWT_ALG,
    ...keySourceConfig(e, issuer),
    runtime,
    dataDir: e.DATA_DIR,
    port: e.PORT,
    tableName: e.TABLE_NAME,
    maxJwtDurationSeconds: e.MAX_JWT_DURATION_SECONDS,
    defaultTokenTtlSeconds: e.DEFAULT_TOKEN_TTL_SECONDS,
    maxTokenTtlSeconds: e.MAX_TOKEN_TTL_SECONDS,
    allowNonExpiringTokens: e.ALLOW_NON_EXPIRING_TOKENS,
    maxActiveTokensPerOwner: e.MAX_ACTIVE_TOKENS_PER_OWNER,
    maxPersonalTokenTtlSeconds: e.MAX_PERSONAL_TOKEN_TTL_SECONDS,
    basicAuthEnabled: e.BASIC_AUTH_ENABLED,
    basicAuthUsername: e.BASIC_AUTH_USERNAME,
    keysCacheTtlSeconds: e.KEYS_CACHE_TTL_SECONDS,
    httpApiAuthorizerResponse: e.HTTP_API_AUTHORIZER_RESPONSE,
    routeScopes: Object.freeze(e.ROUTE_SCOPES),
    revocationCheck: e.REVOCATION_CHECK,
    revocationMaxDelaySeconds: e.REVOCATION_MAX_DELAY_SECONDS,
    revocationRefreshSeconds: e.REVOCATION_REFRESH_SECONDS,
    authorizerCacheTtlSeconds: e.AUTHORIZER_CACHE_TTL_SECONDS,
    trustedIssuers: [],
    roleScopes: Object.freeze({}),
    localMode: e.KEY_SOURCE === 'local' && runtime !== 'lambda',
    dynamoDbEndpoint: e.AWS_ENDPOINT_URL_DYNAMODB ?? e.AWS_ENDPOINT_URL,
    kmsEndpoint: e.AWS_ENDPOINT_URL_KMS ?? e.AWS_ENDPOINT_URL,
    secretsManagerEndpoint: e.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? e.AWS_ENDPOINT_URL,
  })
}

/** The key source's own settings; another source's variables are ignored. */
const keySourceConfig = (e: Parsed, issuer: string): KeySourceConfig => {
  switch (e.KEY_SOURCE) {
    case 'local':
      return { keySource: 'local' }
    case 'kms':
      return {
        keySource: 'kms',
        kmsKeyIds: e.KMS_KEY_IDS ?? Object.freeze([]),
        pepperSecretId: e.PEPPER_SECRET_ID,
      }
    case 'secrets-manager':
      return {
        keySource: 'secrets-manager',
        signingKeysSecretId: e.SIGNING_KEYS_SECRET_ID,
        pepperSecretId: e.PEPPER_SECRET_ID,
      }
    case 'jwks':
      return { keySource: 'jwks', jwksUrl: jwksUrlOf(e.JWKS_URL, issuer) }
  }
}
