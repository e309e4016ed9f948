import type { TrustedIssuer } from './trusted-issuer.js'

/**
 * The configuration's types, apart from parseConfig's zod schema so that
 * the zod-free parts (./config-assembly.ts, ./config-lean.ts) can use them
 * without loading it.
 */

export const KEY_SOURCES = ['local', 'kms', 'secrets-manager', 'jwks'] as const
export type KeySource = (typeof KEY_SOURCES)[number]

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
  /** FEDERATION_ISSUERS: the exact `iss` of each issuer trust policies may name (docs/federation.md). */
  readonly federationIssuers: readonly string[]
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
