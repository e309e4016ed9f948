import { z } from 'zod'
import { TollgateError } from './errors.js'

const DAY = 86_400

const booleanFlag = z
  .enum(['true', 'false'], { error: 'must be "true" or "false"' })
  .transform((v) => v === 'true')

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be an integer between ${min} and ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min)
        .max(max, { error: `must be at most ${max}` }),
    )

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY|\*) \/\S*$/
const SCOPE = /^\S+$/

const parseJsonObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

const routeScopes = z.string().transform((text, ctx) => {
  const value = parseJsonObject(text)
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object' })
    return z.NEVER
  }
  // Checked by hand so that a bad key or value is never echoed into the error.
  const entries = Object.entries(value)
  const valid = entries.every(
    ([key, scope]) => ROUTE_KEY.test(key) && typeof scope === 'string' && SCOPE.test(scope),
  )
  if (!valid) {
    ctx.addIssue({ code: 'custom', message: 'must map "METHOD /path/*" keys to one scope each' })
    return z.NEVER
  }
  return Object.fromEntries(entries) as Record<string, string>
})

const endpointUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

/** Environment variables of the contract (DESIGN.md, "Configuration"). */
const ENV_SCHEMA = z.object({
  /** `iss` of minted JWTs and base of the discovery document. */
  ISSUER: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** `aud` of minted JWTs, required on verify. */
  AUDIENCE: z.string().min(1).default('tollgate'),
  /** The one algorithm that signs and is accepted on verify. */
  JWT_ALG: z.enum(['RS256', 'ES256']).default('RS256'),
  /** Where signing keys live. Only the local key file exists so far. */
  KEY_SOURCE: z.enum(['local']).default('local'),
  /** Local key file and DynamoDB Local data. */
  DATA_DIR: z.string().min(1).default('.data'),
  /** Dev server port; 0 picks a free one. */
  PORT: integer(0, 65_535).default(3000),
  /** DynamoDB table. */
  TABLE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{3,255}$/)
    .default('tollgate'),
  MAX_JWT_DURATION_SECONDS: integer(60, 7 * DAY).default(43_200),
  DEFAULT_TOKEN_TTL_SECONDS: integer(60).default(90 * DAY),
  MAX_TOKEN_TTL_SECONDS: integer(60).default(365 * DAY),
  ALLOW_NON_EXPIRING_TOKENS: booleanFlag.default(false),
  MAX_ACTIVE_TOKENS_PER_OWNER: integer(1, 10_000).default(10),
  BASIC_AUTH_ENABLED: booleanFlag.default(false),
  BASIC_AUTH_USERNAME: z
    .string()
    .regex(/^[^:\s]+$/, { error: 'must be non-empty, without ":" or spaces' })
    .default('tollgate'),
  REVOCATION_CHECK: booleanFlag.default(false),
  /** HTTP API authorizer answer: simple `{isAuthorized, context}` or an IAM policy. */
  HTTP_API_AUTHORIZER_RESPONSE: z.enum(['simple', 'iam']).default('simple'),
  /** Required scope per downstream route, e.g. {"GET /datasets/*": "datasets:read"}. */
  ROUTE_SCOPES: routeScopes.default({}),
  /** DynamoDB endpoint override (DynamoDB Local, LocalStack). */
  AWS_ENDPOINT_URL_DYNAMODB: endpointUrl.optional(),
  AWS_ENDPOINT_URL: endpointUrl.optional(),
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
  readonly basicAuthEnabled: boolean
  readonly basicAuthUsername: string
  readonly revocationCheck: boolean
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
    basicAuthEnabled: e.BASIC_AUTH_ENABLED,
    basicAuthUsername: e.BASIC_AUTH_USERNAME,
    revocationCheck: e.REVOCATION_CHECK,
    httpApiAuthorizerResponse: e.HTTP_API_AUTHORIZER_RESPONSE,
    routeScopes: Object.freeze(e.ROUTE_SCOPES),
    dynamoDbEndpoint: e.AWS_ENDPOINT_URL_DYNAMODB ?? e.AWS_ENDPOINT_URL,
  })
}
