import type { Config, KeySourceConfig, Runtime, SharedConfig } from './config-types.js'
import { jwksUrlOf } from './env-rules.js'
import { TollgateError } from './errors.js'
import { federationIssuersProblem } from './federation-issuers.js'

/**
 * What both parsers of the configuration (parseConfig with zod, and
 * parseConfigLean for the authorizer's cold start) hand on once every
 * variable has passed its own rule and taken its default: the checks across
 * variables and the frozen Config are made here, once, for both. No zod
 * here: the authorizer's cold start loads this module.
 */
export interface ParsedVariables {
  readonly ISSUER?: string | undefined
  readonly PORT: number
  readonly AUDIENCE: string
  readonly JWT_ALG: SharedConfig['jwtAlg']
  readonly KEY_SOURCE: SharedConfig['keySource']
  readonly KMS_KEY_IDS?: readonly string[] | undefined
  readonly PEPPER_SECRET_ID?: string | undefined
  readonly SIGNING_KEYS_SECRET_ID?: string | undefined
  readonly JWKS_URL?: string | undefined
  readonly DATA_DIR: string
  readonly TABLE_NAME: string
  readonly MAX_JWT_DURATION_SECONDS: number
  readonly DEFAULT_TOKEN_TTL_SECONDS: number
  readonly MAX_TOKEN_TTL_SECONDS: number
  readonly ALLOW_NON_EXPIRING_TOKENS: boolean
  readonly MAX_ACTIVE_TOKENS_PER_OWNER: number
  readonly MAX_PERSONAL_TOKEN_TTL_SECONDS: number
  readonly BASIC_AUTH_ENABLED: boolean
  readonly BASIC_AUTH_USERNAME: string
  readonly KEYS_CACHE_TTL_SECONDS: number
  readonly HTTP_API_AUTHORIZER_RESPONSE: SharedConfig['httpApiAuthorizerResponse']
  readonly ROUTE_SCOPES: SharedConfig['routeScopes']
  readonly REVOCATION_CHECK: boolean
  readonly REVOCATION_MAX_DELAY_SECONDS: number
  readonly REVOCATION_REFRESH_SECONDS: number
  readonly AUTHORIZER_CACHE_TTL_SECONDS: number
  readonly FEDERATION_ISSUERS: readonly string[]
  readonly AWS_LAMBDA_FUNCTION_NAME?: string | undefined
  readonly AWS_SAM_LOCAL?: string | undefined
  readonly AWS_ENDPOINT_URL?: string | undefined
  readonly AWS_ENDPOINT_URL_DYNAMODB?: string | undefined
  readonly AWS_ENDPOINT_URL_KMS?: string | undefined
  readonly AWS_ENDPOINT_URL_SECRETS_MANAGER?: string | undefined
}

/** People's settings, parsed by parseConfig only (parseConfigLean leaves them empty). */
export interface PeopleSettings {
  readonly trustedIssuers: SharedConfig['trustedIssuers']
  readonly roleScopes: SharedConfig['roleScopes']
  /** What is wrong with them, checked against the issuer and audience; else undefined. */
  readonly problem: string | undefined
}

/** `ISSUER`, or the dev server's own origin, without a trailing slash. */
export const issuerOf = (e: Pick<ParsedVariables, 'ISSUER' | 'PORT'>): string =>
  (e.ISSUER ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, '')

const isOrigin = (url: string): boolean => {
  const parsed = URL.parse(url)
  return parsed !== null && parsed.origin === url
}

/**
 * The checks across variables, then the frozen Config. Throws `internal`
 * naming variables, never a value.
 *
 * @example
 * const config = assembleConfig(parsed, { trustedIssuers: [], roleScopes: {}, problem: undefined })
 */
export const assembleConfig = (e: ParsedVariables, people: PeopleSettings): Config => {
  const issuer = issuerOf(e)
  const runtime: Runtime =
    e.AWS_LAMBDA_FUNCTION_NAME === undefined
      ? 'process'
      : e.AWS_SAM_LOCAL === 'true'
        ? 'sam-local'
        : 'lambda'
  const localMode = e.KEY_SOURCE === 'local' && runtime !== 'lambda'
  const problem = [
    e.DEFAULT_TOKEN_TTL_SECONDS > e.MAX_TOKEN_TTL_SECONDS &&
      'DEFAULT_TOKEN_TTL_SECONDS must not exceed MAX_TOKEN_TTL_SECONDS',
    // A copy older than max delay − cache TTL is an outage: refreshing later than that never works.
    e.REVOCATION_REFRESH_SECONDS + e.AUTHORIZER_CACHE_TTL_SECONDS >=
      e.REVOCATION_MAX_DELAY_SECONDS &&
      'REVOCATION_REFRESH_SECONDS + AUTHORIZER_CACHE_TTL_SECONDS must be below REVOCATION_MAX_DELAY_SECONDS',
    people.problem,
    // RFC 8414 §3: the metadata lives at <origin>/.well-known/oauth-authorization-server.
    !isOrigin(issuer) &&
      'ISSUER must be an origin without a path, query or fragment (https://auth.example.com)',
    federationIssuersProblem(e.FEDERATION_ISSUERS, { issuer, localMode }),
    keySourceProblem(e, issuer),
  ].find((text) => typeof text === 'string')
  if (problem !== undefined) {
    throw new TollgateError('internal', `Invalid configuration: ${problem}`)
  }
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
    trustedIssuers: people.trustedIssuers,
    roleScopes: Object.freeze(people.roleScopes),
    federationIssuers: e.FEDERATION_ISSUERS,
    localMode,
    dynamoDbEndpoint: e.AWS_ENDPOINT_URL_DYNAMODB ?? e.AWS_ENDPOINT_URL,
    kmsEndpoint: e.AWS_ENDPOINT_URL_KMS ?? e.AWS_ENDPOINT_URL,
    secretsManagerEndpoint: e.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? e.AWS_ENDPOINT_URL,
  })
}

/** The key source's own settings; another source's variables are ignored. */
const keySourceConfig = (e: ParsedVariables, issuer: string): KeySourceConfig => {
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
const keySourceProblem = (e: ParsedVariables, issuer: string): string | undefined =>
  e.KEY_SOURCE === 'local' && e.AWS_LAMBDA_FUNCTION_NAME !== undefined && e.AWS_SAM_LOCAL !== 'true'
    ? 'KEY_SOURCE=local is refused on Lambda (AWS_LAMBDA_FUNCTION_NAME is set): each instance would make its own keys and pepper; use KEY_SOURCE=kms or secrets-manager'
    : e.KEY_SOURCE === 'jwks' &&
        e.AWS_LAMBDA_FUNCTION_NAME !== undefined &&
        !jwksUrlOf(e.JWKS_URL, issuer).startsWith('https:')
      ? 'KEY_SOURCE=jwks fetches keys over https only on Lambda: set an https JWKS_URL (or an https ISSUER, whose /.well-known/jwks.json is the default)'
      : undefined
