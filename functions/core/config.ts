import * as z from 'zod/mini'
import {
  booleanFlag,
  httpUrl,
  integer,
  json,
  kmsKeyIds,
  matching,
  oneOf,
  routeScopes,
  secretId,
  tableName,
} from './config-values.js'
import { jwksUrlOf } from './env-rules.js'
import { TollgateError } from './errors.js'
import { PERMISSION_NAME } from './names.js'
import { TOLLGATE_ADMIN_SCOPE } from './routes.js'
import {
  type TrustedIssuer,
  toTrustedIssuers,
  trustedIssuersProblem,
  trustedIssuersSchema,
} from './trusted-issuers.js'

// zod/mini: the same validator with a tree-shakeable API, so every Lambda that
// parses config at cold start (the authorizer above all) carries ~20 KB, not ~450 KB.

const DAY = 86_400

export const KEY_SOURCES = ['local', 'kms', 'secrets-manager', 'jwks'] as const
export type KeySource = (typeof KEY_SOURCES)[number]

/** Environment variables of the contract (docs/design.md#configuration). */
const ENV_SCHEMA = z.object({
  /** `iss` of minted JWTs and base of the discovery document. */
  ISSUER: z.optional(httpUrl),
  /** `aud` of minted JWTs, required on verify. */
  AUDIENCE: z._default(z.string(), 'tollgate'),
  /** The one algorithm that signs and is accepted on verify. */
  JWT_ALG: z._default(oneOf(['RS256', 'ES256']), 'RS256'),
  /** Where signing keys live (docs/design.md#keys); `jwks`: only the issuer's public keys, fetched. */
  KEY_SOURCE: z._default(oneOf(KEY_SOURCES), 'local'),
  /** KEY_SOURCE=kms: key ids, ARNs or aliases, comma-separated; the first signs, all are published. */
  KMS_KEY_IDS: z.optional(kmsKeyIds),
  /** KEY_SOURCE=secrets-manager: the secret holding the private JWK set. */
  SIGNING_KEYS_SECRET_ID: z.optional(secretId),
  /** KEY_SOURCE=kms or secrets-manager: the secret holding the versioned pepper. */
  PEPPER_SECRET_ID: z.optional(secretId),
  /** KEY_SOURCE=jwks: the issuer's JWK set; ISSUER + /.well-known/jwks.json unless set. */
  JWKS_URL: z.optional(httpUrl),
  /** Local key file and DynamoDB Local data. */
  DATA_DIR: z._default(z.string(), '.data'),
  /** Dev server port; also the default issuer's, so it must be a real one (not 0). */
  PORT: z._default(integer(1, 65_535), 3000),
  /** DynamoDB table: its name, or its ARN (another account's table, through its resource policy). */
  TABLE_NAME: z._default(tableName, 'tollgate'),
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
  /** The authorizer refuses JWTs of revoked tokens from its deny-list copy (docs/design.md#prompt-revocation). */
  REVOCATION_CHECK: z._default(booleanFlag, true),
  /** End to end bound on a revoked token's JWTs being refused, API Gateway's cache included. */
  REVOCATION_MAX_DELAY_SECONDS: z._default(integer(5, 3600), 30),
  /** How old the authorizer's deny-list copy may get before an invocation refreshes it. */
  REVOCATION_REFRESH_SECONDS: z._default(integer(1, 3600), 10),
  /** API Gateway's authorizer result cache TTL, as the constructs set it. */
  AUTHORIZER_CACHE_TTL_SECONDS: z._default(integer(0, 3600), 10),
  /** People's identity providers. */
  TRUSTED_ISSUERS: z._default(
    json(
      'must be a JSON list of {id, issuer, jwks_uri, audience, subject_claim?, roles_claim?, role_map?}',
      trustedIssuersSchema,
    ),
    [],
  ),
  /**
   * Role → scopes that people holding the role may use; `tollgate:admin`
   * comes only from the `admin` role, never from this map.
   */
  ROLE_SCOPES: z._default(
    json(
      `must be a JSON object mapping role names to lists of scope names other than ${TOLLGATE_ADMIN_SCOPE}`,
      z.record(
        z.string().check(z.regex(PERMISSION_NAME)),
        z
          .array(
            z.string().check(
              z.regex(PERMISSION_NAME),
              z.refine((scope) => scope !== TOLLGATE_ADMIN_SCOPE),
            ),
          )
          .check(z.maxLength(100)),
      ),
    ),
    {},
  ),
  /** One setting for every key cache, also the JWKS answer's max-age (docs/design.md#keys). */
  KEYS_CACHE_TTL_SECONDS: z._default(integer(1, 7200), 300),
  /** HTTP API authorizer answer: simple `{isAuthorized, context}` or an IAM policy. */
  HTTP_API_AUTHORIZER_RESPONSE: z._default(oneOf(['simple', 'iam']), 'simple'),
  /** Required scope per downstream route, e.g. {"GET /datasets/*": "datasets:read"}. */
  ROUTE_SCOPES: z._default(routeScopes, {}),
  /** Set by the Lambda runtime (and by sam local): a key file here would be one per instance. */
  AWS_LAMBDA_FUNCTION_NAME: z.optional(z.string()),
  /** Set by `sam local`, where an existing key file may be read but never created. */
  AWS_SAM_LOCAL: z.optional(z.string()),
  /** DynamoDB endpoint override (DynamoDB Local, LocalStack). */
  AWS_ENDPOINT_URL_DYNAMODB: z.optional(httpUrl),
  /** KMS endpoint override (LocalStack, the tests' fake). */
  AWS_ENDPOINT_URL_KMS: z.optional(httpUrl),
  /** Secrets Manager endpoint override (LocalStack, the tests' fake). */
  AWS_ENDPOINT_URL_SECRETS_MANAGER: z.optional(httpUrl),
  /** Every service's endpoint, where no per-service variable says otherwise. */
  AWS_ENDPOINT_URL: z.optional(httpUrl),
})

/** KEY_SOURCE=local: the key file under DATA_DIR holds keys and pepper. */
export interface LocalKeySource {
  readonly keySource: 'local'
}

/** KEY_SOURCE=kms: KMS signs; the pepper is in Secrets Manager. */
export interface KmsKeySource {
  readonly keySource: 'kms'
  /** KMS_KEY_IDS: the signing key first, every one published (empty where not given). */
  readonly kmsKeyIds: readonly string[]
  /**
   * PEPPER_SECRET_ID, where this function hashes. Not every function is told
   * (an authorizer without Basic auth never is): `requireKeyMaterial` checks
   * at cold start that a function has what it uses.
   */
  readonly pepperSecretId: string | undefined
}

/** KEY_SOURCE=secrets-manager: a private JWK set and the pepper in Secrets Manager. */
export interface SecretsManagerKeySource {
  readonly keySource: 'secrets-manager'
  /** SIGNING_KEYS_SECRET_ID, where this function signs. */
  readonly signingKeysSecretId: string | undefined
  readonly pepperSecretId: string | undefined
}

/**
 * KEY_SOURCE=jwks: a verifier of another deployment's JWTs (a consumer's
 * authorizer, in any account) that reads the issuer's public keys from its
 * JWKS URL and holds no key material at all: no signer, no pepper.
 */
export interface JwksKeySource {
  readonly keySource: 'jwks'
  /** JWKS_URL, else ISSUER + `/.well-known/jwks.json`. */
  readonly jwksUrl: string
}

/**
 * Where key material lives: each source carries only its own settings, so a
 * consumer narrows on `keySource` and reads them without a cast.
 */
export type KeySourceConfig =
  | LocalKeySource
  | KmsKeySource
  | SecretsManagerKeySource
  | JwksKeySource

/**
 * Where this process runs: `lambda` (AWS_LAMBDA_FUNCTION_NAME set),
 * `sam-local` (also AWS_SAM_LOCAL=true), or `process` (the dev server, the
 * CLI, tests: they differ by what they call, not by their configuration).
 */
export type Runtime = 'lambda' | 'sam-local' | 'process'

/** The whole configuration: the settings every function shares, and its key source's. */
export type Config = SharedConfig & KeySourceConfig

/** A configuration whose keys live in AWS: what keys init seeds. */
export type RemoteKeyConfig = SharedConfig & (KmsKeySource | SecretsManagerKeySource)

export interface SharedConfig {
  readonly issuer: string
  readonly audience: string
  readonly jwtAlg: 'RS256' | 'ES256'
  readonly keySource: KeySource
  readonly runtime: Runtime
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
  readonly keysCacheTtlSeconds: number
  readonly httpApiAuthorizerResponse: 'simple' | 'iam'
  readonly routeScopes: Readonly<Record<string, string>>
  readonly revocationCheck: boolean
  readonly revocationMaxDelaySeconds: number
  readonly revocationRefreshSeconds: number
  readonly authorizerCacheTtlSeconds: number
  readonly trustedIssuers: readonly TrustedIssuer[]
  readonly roleScopes: Readonly<Record<string, readonly string[]>>
  /**
   * KEY_SOURCE=local off Lambda (or under sam local): the development issuer
   * and http JWKS on loopback exist only here (docs/design.md#local-mode).
   */
  readonly localMode: boolean
  /** Explicit DynamoDB endpoint; when absent locally, the dev server starts DynamoDB Local. */
  readonly dynamoDbEndpoint: string | undefined
  /** Explicit KMS endpoint (AWS_ENDPOINT_URL_KMS, else AWS_ENDPOINT_URL); else the SDK's own. */
  readonly kmsEndpoint: string | undefined
  /** Explicit Secrets Manager endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL). */
  readonly secretsManagerEndpoint: string | undefined
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
  const issuer = (e.ISSUER ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, '')
  const trustedIssuers = toTrustedIssuers(e.TRUSTED_ISSUERS)
  const problem = [
    e.DEFAULT_TOKEN_TTL_SECONDS > e.MAX_TOKEN_TTL_SECONDS &&
      'DEFAULT_TOKEN_TTL_SECONDS must not exceed MAX_TOKEN_TTL_SECONDS',
    // A copy older than max delay − cache TTL is an outage: refreshing later than that never works.
    e.REVOCATION_REFRESH_SECONDS + e.AUTHORIZER_CACHE_TTL_SECONDS >=
      e.REVOCATION_MAX_DELAY_SECONDS &&
      'REVOCATION_REFRESH_SECONDS + AUTHORIZER_CACHE_TTL_SECONDS must be below REVOCATION_MAX_DELAY_SECONDS',
    trustedIssuersProblem(trustedIssuers, { issuer, audience: e.AUDIENCE }),
    keySourceProblem(e, issuer),
  ].find((text) => typeof text === 'string')
  if (problem !== undefined)
    throw new TollgateError('internal', `Invalid configuration: ${problem}`)
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
    trustedIssuers,
    roleScopes: Object.freeze(e.ROLE_SCOPES),
    localMode: e.KEY_SOURCE === 'local' && runtime !== 'lambda',
    dynamoDbEndpoint: e.AWS_ENDPOINT_URL_DYNAMODB ?? e.AWS_ENDPOINT_URL,
    kmsEndpoint: e.AWS_ENDPOINT_URL_KMS ?? e.AWS_ENDPOINT_URL,
    secretsManagerEndpoint: e.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? e.AWS_ENDPOINT_URL,
  })
}

type ParsedEnv = z.infer<typeof ENV_SCHEMA>

/** The key source's own settings; another source's variables are ignored. */
const keySourceConfig = (e: ParsedEnv, issuer: string): KeySourceConfig => {
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

/**
 * Where the local key file may be used (docs/design.md#keys): it would be one per
 * Lambda instance, so nothing would verify; `sam local` may read an existing
 * one. Where a JWKS may be fetched over plain http: only off Lambda, to
 * loopback (the fetcher's own rule), so on Lambda it must be https.
 * Names variables, never values.
 */
const keySourceProblem = (e: ParsedEnv, issuer: string): string | undefined =>
  e.KEY_SOURCE === 'local' && e.AWS_LAMBDA_FUNCTION_NAME !== undefined && e.AWS_SAM_LOCAL !== 'true'
    ? 'KEY_SOURCE=local is refused on Lambda (AWS_LAMBDA_FUNCTION_NAME is set): each instance would make its own keys and pepper; use KEY_SOURCE=kms or secrets-manager'
    : e.KEY_SOURCE === 'jwks' &&
        e.AWS_LAMBDA_FUNCTION_NAME !== undefined &&
        !jwksUrlOf(e.JWKS_URL, issuer).startsWith('https:')
      ? 'KEY_SOURCE=jwks fetches keys over https only on Lambda: set an https JWKS_URL (or an https ISSUER, whose /.well-known/jwks.json is the default)'
      : undefined
