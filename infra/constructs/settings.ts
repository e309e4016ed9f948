import { Duration, Stack } from 'aws-cdk-lib'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import type { IConstruct } from 'constructs'
import { parseConfig } from '../../functions/core/config.js'
import type { RoutedHandlerName } from './permissions.js'
import { TollgateFunction } from './tollgate-function.js'

/**
 * How a setting is written where it is text (its environment variable, CDK
 * context) and what its prop holds: `seconds` a `Duration`, `json` the
 * structure the variable's JSON parses into, `list` comma-separated names.
 */
export type SettingKind = 'text' | 'seconds' | 'integer' | 'boolean' | 'json' | 'list'

export interface StackSetting {
  /** The configuration variable (docs/configuration.md); none where the prop names resources the stack creates. */
  readonly variable: string | undefined
  /** A `TollgateProps` key, or `authorizer.<key>` for the authorizer's own. */
  readonly prop: string
  readonly kind: SettingKind
  /** Values the stack accepts where it accepts fewer than the variable (no `local` keys on Lambda). */
  readonly choices?: readonly string[]
}

/**
 * Every setting of the stack, by its context name (`-c tollgate:<name>`):
 * the variables of the configuration table that a deployment chooses. The
 * rest of the table the stack sets itself (the table, the secrets, the key
 * ARNs it creates) or means nothing on Lambda (DATA_DIR, PORT, endpoints).
 */
export const STACK_SETTINGS = {
  issuer: { variable: 'ISSUER', prop: 'issuer', kind: 'text' },
  audience: { variable: 'AUDIENCE', prop: 'audience', kind: 'text' },
  jwtAlg: { variable: 'JWT_ALG', prop: 'jwtAlg', kind: 'text' },
  keySource: {
    variable: 'KEY_SOURCE',
    prop: 'keySource',
    kind: 'text',
    choices: ['kms', 'secrets-manager'],
  },
  kmsKeys: { variable: undefined, prop: 'kmsKeys', kind: 'list' },
  denyListReaders: { variable: undefined, prop: 'denyListReaders', kind: 'list' },
  monitoring: {
    variable: undefined,
    prop: 'monitoring',
    kind: 'boolean',
    choices: ['true', 'false'],
  },
  exchangeConcurrency: { variable: undefined, prop: 'exchangeConcurrency', kind: 'integer' },
  removalPolicy: {
    variable: undefined,
    prop: 'removalPolicy',
    kind: 'text',
    choices: ['retain', 'destroy'],
  },
  keysCacheTtl: { variable: 'KEYS_CACHE_TTL_SECONDS', prop: 'keysCacheTtl', kind: 'seconds' },
  maxJwtDuration: { variable: 'MAX_JWT_DURATION_SECONDS', prop: 'maxJwtDuration', kind: 'seconds' },
  defaultTokenTtl: {
    variable: 'DEFAULT_TOKEN_TTL_SECONDS',
    prop: 'defaultTokenTtl',
    kind: 'seconds',
  },
  maxTokenTtl: { variable: 'MAX_TOKEN_TTL_SECONDS', prop: 'maxTokenTtl', kind: 'seconds' },
  allowNonExpiringTokens: {
    variable: 'ALLOW_NON_EXPIRING_TOKENS',
    prop: 'allowNonExpiringTokens',
    kind: 'boolean',
  },
  maxActiveTokensPerOwner: {
    variable: 'MAX_ACTIVE_TOKENS_PER_OWNER',
    prop: 'maxActiveTokensPerOwner',
    kind: 'integer',
  },
  maxPersonalTokenTtl: {
    variable: 'MAX_PERSONAL_TOKEN_TTL_SECONDS',
    prop: 'maxPersonalTokenTtl',
    kind: 'seconds',
  },
  trustedIssuers: { variable: 'TRUSTED_ISSUERS', prop: 'trustedIssuers', kind: 'json' },
  roleScopes: { variable: 'ROLE_SCOPES', prop: 'roleScopes', kind: 'json' },
  federationIssuers: { variable: 'FEDERATION_ISSUERS', prop: 'federationIssuers', kind: 'json' },
  basicAuthUsername: { variable: 'BASIC_AUTH_USERNAME', prop: 'basicAuthUsername', kind: 'text' },
  basicAuth: { variable: 'BASIC_AUTH_ENABLED', prop: 'authorizer.basicAuth', kind: 'boolean' },
  revocationCheck: {
    variable: 'REVOCATION_CHECK',
    prop: 'authorizer.revocationCheck',
    kind: 'boolean',
  },
  revocationRefresh: {
    variable: 'REVOCATION_REFRESH_SECONDS',
    prop: 'authorizer.revocationRefresh',
    kind: 'seconds',
  },
  revocationMaxDelay: {
    variable: 'REVOCATION_MAX_DELAY_SECONDS',
    prop: 'authorizer.revocationMaxDelay',
    kind: 'seconds',
  },
  authorizerCacheTtl: {
    variable: 'AUTHORIZER_CACHE_TTL_SECONDS',
    prop: 'authorizer.cacheTtl',
    kind: 'seconds',
  },
  httpResponses: {
    variable: 'HTTP_API_AUTHORIZER_RESPONSE',
    prop: 'authorizer.httpResponses',
    kind: 'text',
  },
  routeScopes: { variable: 'ROUTE_SCOPES', prop: 'authorizer.routeScopes', kind: 'json' },
} as const satisfies Readonly<Record<string, StackSetting>>

export type StackSettingName = keyof typeof STACK_SETTINGS

/** The settings that are a configuration variable (not the resources' own: keys, readers, monitoring, concurrency, removal). */
type VariableSettingName = {
  [K in StackSettingName]: (typeof STACK_SETTINGS)[K]['variable'] extends string ? K : never
}[StackSettingName]

/** Settings that only some functions read, beyond those every function shares. */
export type SettingGroup = 'people' | 'tokenPolicy' | 'basicAuth' | 'federation'

const GROUP_SETTINGS: Readonly<Record<SettingGroup, readonly VariableSettingName[]>> = {
  /** Verifying people's JWTs: every function that authenticates callers. */
  people: ['trustedIssuers', 'roleScopes'],
  /** Creating access tokens. */
  tokenPolicy: [
    'defaultTokenTtl',
    'maxTokenTtl',
    'allowNonExpiringTokens',
    'maxActiveTokensPerOwner',
    'maxPersonalTokenTtl',
  ],
  /** The user name Basic clients of this Tollgate send: one for every authorizer of its tokens. */
  basicAuth: ['basicAuthUsername'],
  /** The outside issuers trust policies may name: managing policies, exchanging outside JWTs. */
  federation: ['federationIssuers'],
}

/**
 * What each routed handler reads beyond the shared settings. Typed over
 * `HandlerName`, like its grants: a new handler declares what it reads.
 */
export const HANDLER_SETTINGS: Readonly<Record<RoutedHandlerName, readonly SettingGroup[]>> = {
  'exchange-jwt': [],
  jwks: [],
  'openid-configuration': [],
  whoami: ['people'],
  'service-accounts': ['people'],
  'access-tokens': ['people', 'tokenPolicy'],
  'trust-policies': ['people', 'federation'],
  // Introspection's bearer may be a person's JWT; the token endpoint exchanges outside tokens.
  oauth2: ['people', 'federation'],
  openapi: [],
  // Which identity providers the console signs in with, and its connect-src.
  console: ['people'],
}

/** A prop's value as its variable's text. */
export const settingText = (name: StackSettingName, value: unknown): string => {
  const setting: StackSetting = STACK_SETTINGS[name]
  switch (setting.kind) {
    case 'seconds': {
      const seconds = (value as Duration).toMilliseconds() / 1000
      if (!Number.isInteger(seconds)) {
        throw new Error(`Tollgate: ${setting.prop} (${setting.variable}) must be whole seconds`)
      }
      return String(seconds)
    }
    case 'json':
      return JSON.stringify(value)
    default:
      return String(value)
  }
}

/** The variables of `groups` that `props` set, as environment text; unset ones keep their default. */
export const groupEnvironment = (
  props: Readonly<Record<string, unknown>>,
  groups: readonly SettingGroup[],
): Record<string, string> =>
  Object.fromEntries(
    groups
      .flatMap((group) => GROUP_SETTINGS[group])
      .filter((name) => props[STACK_SETTINGS[name].prop] !== undefined)
      .map((name) => [
        STACK_SETTINGS[name].variable,
        settingText(name, props[STACK_SETTINGS[name].prop]),
      ]),
  )

/** A value of CDK context as its setting's text: the CLI gives strings, cdk.json any JSON. */
const contextText = (name: StackSettingName, value: unknown): string => {
  if (typeof value === 'string') return value
  const kind: SettingKind = STACK_SETTINGS[name].kind
  if (kind === 'list' && Array.isArray(value)) return value.join(',')
  if (kind === 'json' || typeof value === 'number' || typeof value === 'boolean') {
    return typeof value === 'object' ? JSON.stringify(value) : String(value)
  }
  throw new Error(
    `context tollgate:${name} must be text as its variable takes it (docs/configuration.md)`,
  )
}

/** A setting's text, parsed already, as its prop takes it. */
const propValue = (kind: SettingKind, text: string): unknown => {
  switch (kind) {
    case 'seconds':
      return Duration.seconds(Number(text))
    case 'integer':
      return Number(text)
    case 'boolean':
      return text === 'true'
    case 'json':
      return JSON.parse(text)
    case 'list':
      return text.split(',').map((item) => item.trim())
    case 'text':
      return text
  }
}

/** Where to set each variable a problem names: ` (X is the prop x, context tollgate:x)`. */
const hintsFor = (message: string, names: readonly StackSettingName[]): string => {
  const hints = names.flatMap((name) => {
    const { variable, prop } = STACK_SETTINGS[name] as StackSetting
    return variable !== undefined && new RegExp(`\\b${variable}\\b`).test(message)
      ? [`${variable} is the prop ${prop}, context tollgate:${name}`]
      : []
  })
  return hints.length === 0 ? '' : ` (${hints.join('; ')})`
}

/**
 * Settings from CDK context (`-c tollgate:trustedIssuers='[…]'`), each
 * written as its environment variable takes it (JSON for structures,
 * seconds for durations), parsed all together by the parser every function
 * runs at cold start, so a bad value fails synth naming the variable, the
 * rule, and the context name that set it.
 *
 * @example
 * const props = settingsFromContext((key) => app.node.tryGetContext(key))
 */
export const settingsFromContext = (
  read: (key: string) => unknown,
): Readonly<Record<string, unknown>> => {
  const given = (Object.keys(STACK_SETTINGS) as StackSettingName[]).flatMap((name) => {
    const value = read(`tollgate:${name}`)
    return value === undefined ? [] : [{ name, text: contextText(name, value).trim() }]
  })
  const problems = given.flatMap(({ name, text }) => {
    const { choices } = STACK_SETTINGS[name] as StackSetting
    return choices === undefined || choices.includes(text)
      ? []
      : [`context tollgate:${name} must be one of ${choices.join(', ')}`]
  })
  if (problems.length > 0) throw new Error(problems.join('; '))
  const environment = Object.fromEntries(
    given.flatMap(({ name, text }) => {
      const variable: string | undefined = STACK_SETTINGS[name].variable
      return variable === undefined ? [] : [[variable, text]]
    }),
  )
  try {
    parseConfig(environment)
  } catch (error) {
    const message = (error as Error).message
    const names = given.map(({ name }) => name)
    throw new Error(`Tollgate context: ${message}${hintsFor(message, names)}`, {
      cause: error,
    })
  }
  const props: Record<string, unknown> = {}
  const authorizer: Record<string, unknown> = {}
  for (const { name, text } of given) {
    const { prop, kind } = STACK_SETTINGS[name]
    const [target, key] = prop.startsWith('authorizer.')
      ? [authorizer, prop.slice('authorizer.'.length)]
      : [props, prop]
    target[key] = propValue(kind, text)
  }
  return Object.keys(authorizer).length > 0 ? { ...props, authorizer } : props
}

/**
 * Each function's environment under `scope`, parsed at synth as its cold
 * start will parse it (values CloudFormation resolves at deploy, such as
 * the API URL or the table's name, left out): one message per problem,
 * naming the functions, the variable, the rule, and the prop that sets it.
 */
export const configurationProblems = (scope: IConstruct): string[] => {
  const byProblem = new Map<string, string[]>()
  for (const fn of scope.node.findAll()) {
    if (!(fn instanceof TollgateFunction)) continue
    const cfn = fn.node.defaultChild as lambda.CfnFunction
    const resolved = Stack.of(fn).resolve(cfn.environment) as
      | { readonly variables?: Readonly<Record<string, unknown>> }
      | undefined
    const environment = Object.fromEntries(
      Object.entries(resolved?.variables ?? {}).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    )
    try {
      parseConfig(environment)
    } catch (error) {
      const message = (error as Error).message
      const name = fn.node.path.slice(scope.node.path.length + 1)
      byProblem.set(message, [...(byProblem.get(message) ?? []), name])
    }
  }
  const names = Object.keys(STACK_SETTINGS) as StackSettingName[]
  return [...byProblem].map(
    ([message, functions]) =>
      `Tollgate (${functions.join(', ')}): ${message}${hintsFor(message, names)}`,
  )
}
