import * as z from 'zod/mini'
import { TollgateError } from './errors.js'

// zod/mini: the same validator with a tree-shakeable API, so every Lambda that
// parses config at cold start (the authorizer above all) carries ~20 KB, not ~450 KB.

const DAY = 86_400

/** Turns text into a value or an issue whose message never contains the text. */
const parsed = <T>(error: string, parse: (text: string) => T | undefined) =>
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

const booleanFlag = parsed('must be "true" or "false"', (text) =>
  text === 'true' ? true : text === 'false' ? false : undefined,
)

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  parsed(`must be an integer between ${min} and ${max}`, (text) => {
    const value = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN
    return value >= min && value <= max ? value : undefined
  })

const oneOf = <const T extends string>(values: readonly T[]) =>
  parsed(`must be one of ${values.join(', ')}`, (text) =>
    (values as readonly string[]).includes(text) ? (text as T) : undefined,
  )

const matching = (pattern: RegExp, error: string) =>
  parsed(error, (text) => (pattern.test(text) ? text : undefined))

const httpUrl = parsed('must be an http(s) URL without query or fragment', (text) => {
  const url = URL.parse(text)
  const usable =
    url !== null &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.search === '' &&
    url.hash === '' &&
    !text.includes('?') &&
    !text.includes('#')
  return usable ? text : undefined
})

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY|\*) \/\S*$/
const SCOPE = /^\S+$/

const routeScopes = parsed(
  'must be a JSON object mapping "METHOD /path/*" keys to one scope each',
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
      ([key, scope]) => ROUTE_KEY.test(key) && typeof scope === 'string' && SCOPE.test(scope),
    )
    return valid ? (Object.fromEntries(entries) as Record<string, string>) : undefined
  },
)

/** Environment variables of the contract (DESIGN.md, "Configuration"). */
const ENV_SCHEMA = z.object({
  /** `iss` of minted JWTs and base of the discovery document. */
  ISSUER: z.optional(httpUrl),
  /** `aud` of minted JWTs, required on verify. */
  AUDIENCE: z._default(z.string(), 'tollgate'),
  /** The one algorithm that signs and is accepted on verify. */
  JWT_ALG: z._default(oneOf(['RS256', 'ES256']), 'RS256'),
  /** Where signing keys live. Only the local key file exists so far. */
  KEY_SOURCE: z._default(oneOf(['local']), 'local'),
  /** Local key file and DynamoDB Local data. */
  DATA_DIR: z._default(z.string(), '.data'),
  /** Dev server port; also the default issuer's, so it must be a real one (not 0). */
  PORT: z._default(integer(1, 65_535), 3000),
  /** DynamoDB table. */
  TABLE_NAME: z._default(
    matching(/^[A-Za-z0-9_.-]{3,255}$/, 'must be 3-255 letters, digits, "_", "." or "-"'),
    'tollgate',
  ),
  MAX_JWT_DURATION_SECONDS: z._default(integer(60, 7 * DAY), 43_200),
  DEFAULT_TOKEN_TTL_SECONDS: z._default(integer(60), 90 * DAY),
  MAX_TOKEN_TTL_SECONDS: z._default(integer(60), 365 * DAY),
  ALLOW_NON_EXPIRING_TOKENS: z._default(booleanFlag, false),
  /** The owner item lists every usable token, so the cap also bounds its size (~150 KB at 1000). */
  MAX_ACTIVE_TOKENS_PER_OWNER: z._default(integer(1, 1000), 10),
  /** A person removed at the identity provider loses their personal tokens within this bound. */
  MAX_PERSONAL_TOKEN_TTL_SECONDS: z._default(integer(60), 90 * DAY),
  BASIC_AUTH_ENABLED: z._default(booleanFlag, false),
  BASIC_AUTH_USERNAME: z._default(
    matching(/^[^:\s]+$/, 'must be non-empty, without ":" or spaces'),
    'tollgate',
  ),
  /**
   * Prompt revocation needs the deny list that revoke and regenerate write;
   * until those exist, turning it on must stop the start, not silently do nothing.
   */
  REVOCATION_CHECK: z._default(
    parsed(
      'is not available yet (it arrives with token revocation); leave it unset or "false"',
      (text) => (text === 'false' ? false : undefined),
    ),
    false,
  ),
  /** HTTP API authorizer answer: simple `{isAuthorized, context}` or an IAM policy. */
  HTTP_API_AUTHORIZER_RESPONSE: z._default(oneOf(['simple', 'iam']), 'simple'),
  /** Required scope per downstream route, e.g. {"GET /datasets/*": "datasets:read"}. */
  ROUTE_SCOPES: z._default(routeScopes, {}),
  /** DynamoDB endpoint override (DynamoDB Local, LocalStack). */
  AWS_ENDPOINT_URL_DYNAMODB: z.optional(httpUrl),
  AWS_ENDPOINT_URL: z.optional(httpUrl),
})

export interface Config {
  readonly issuer: string
  readonly audience: string
  readonly jwtAlg: 'RS256' | 'ES256'
  readonly keySource: 'local'
  readonly dataDir: string
  readonly port: number
  readonly tableName: string
  readonly maxJwtDurationSeconds: number
  readonly defaultTokenTtlSeconds: number
  readonly maxTokenTtlSeconds: number
  readonly allowNonExpiringTokens: boolean
  readonly maxActiveTokensPerOwner: number
  readonly maxPersonalTokenTtlSeconds: number
  readonly basicAuthEnabled: boolean
  readonly basicAuthUsername: string
  readonly httpApiAuthorizerResponse: 'simple' | 'iam'
  readonly routeScopes: Readonly<Record<string, string>>
  /** Explicit DynamoDB endpoint; when absent locally, the dev server starts DynamoDB Local. */
  readonly dynamoDbEndpoint: string | undefined
}

/**
 * Parses and validates the environment once. A bad value fails with a
 * message naming the variable and the rule, never the value itself.
 *
 * @example
 * const config = parseConfig(process.env)
 */
export const parseConfig = (env: Readonly<Record<string, string | undefined>>): Config => {
  const present = Object.fromEntries(
    Object.entries(env)
      .map(([key, value]) => [key, value?.trim()] as const)
      .filter(([key, value]) => key in ENV_SCHEMA.shape && value !== undefined && value !== ''),
  )
  const result = ENV_SCHEMA.safeParse(present)
  if (!result.success) {
    // Only the variable name: deeper path members could be pieces of the value.
    const problems = result.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`)
    throw new TollgateError('internal', `Invalid configuration: ${problems.join('; ')}`)
  }
  const e = result.data
  if (e.DEFAULT_TOKEN_TTL_SECONDS > e.MAX_TOKEN_TTL_SECONDS) {
    throw new TollgateError(
      'internal',
      'Invalid configuration: DEFAULT_TOKEN_TTL_SECONDS must not exceed MAX_TOKEN_TTL_SECONDS',
    )
  }
  return Object.freeze({
    issuer: (e.ISSUER ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, ''),
    audience: e.AUDIENCE,
    jwtAlg: e.JWT_ALG,
    keySource: e.KEY_SOURCE,
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
    httpApiAuthorizerResponse: e.HTTP_API_AUTHORIZER_RESPONSE,
    routeScopes: Object.freeze(e.ROUTE_SCOPES),
    dynamoDbEndpoint: e.AWS_ENDPOINT_URL_DYNAMODB ?? e.AWS_ENDPOINT_URL,
  })
}
