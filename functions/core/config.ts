import * as z from 'zod/mini'
import { assembleConfig, issuerOf } from './config-assembly.js'
import type { Config } from './config-types.js'
import { KEY_SOURCES } from './config-types.js'

export type {
  Config,
  JwksKeySource,
  KeySource,
  KeySourceConfig,
  KmsKeySource,
  LocalKeySource,
  RemoteKeyConfig,
  Runtime,
  SecretsManagerKeySource,
  SharedConfig,
} from './config-types.js'
export { KEY_SOURCES }

import {
  booleanFlag,
  federationIssuers,
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
import { TollgateError } from './errors.js'
import { PERMISSION_NAME } from './names.js'
import { TOLLGATE_ADMIN_SCOPE } from './routes.js'
import { toTrustedIssuers, trustedIssuersProblem, trustedIssuersSchema } from './trusted-issuers.js'

// zod/mini: the same validator with a tree-shakeable API, so every Lambda that
// parses config at cold start (the authorizer above all) carries ~20 KB, not ~450 KB.

const DAY = 86_400

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
      'must be a JSON list of {id, issuer, jwks_uri, audience, client_id?, subject_claim?, roles_claim?, role_map?}',
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
  /** Outside issuers (CI, Kubernetes) whose JWTs trust policies may exchange (docs/federation.md). */
  FEDERATION_ISSUERS: z._default(federationIssuers, []),
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
  const trustedIssuers = toTrustedIssuers(e.TRUSTED_ISSUERS)
  return assembleConfig(e, {
    trustedIssuers,
    roleScopes: e.ROLE_SCOPES,
    problem: trustedIssuersProblem(trustedIssuers, { issuer: issuerOf(e), audience: e.AUDIENCE }),
  })
}
