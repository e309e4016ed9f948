import { Aws } from 'aws-cdk-lib'
import type * as iam from 'aws-cdk-lib/aws-iam'
import {
  type Capability,
  type GrantTargets,
  type JwtAlg,
  type KeySource,
  statementsFor,
} from './permissions.js'

/**
 * A Tollgate deployment as its JWTs' verifiers see it: who signs, with what,
 * and where the deny-list lives. The `Tollgate` construct is one; a Tollgate
 * deployed elsewhere (another app, the same account and Region) is described
 * with `tollgateIssuer(...)`.
 */
export interface ITollgateIssuer {
  /** `iss` of its JWTs, and the base of its discovery document. */
  readonly issuer: string
  readonly audience: string
  readonly jwtAlg: JwtAlg
  readonly keySource: KeySource
  /** Verifier configuration for a function (docs/design.md#configuration names). */
  readonly verifierEnvironment: Readonly<Record<string, string>>
  /** Gives a function's role what `capabilities` need: IAM statements and, where required, key policies. */
  grant(role: iam.IRole, capabilities: readonly Capability[]): void
}

export interface TollgateIssuerAttributes {
  /** `ISSUER` of that deployment (its API URL unless it set one). */
  readonly issuer: string
  /** @default 'tollgate' */
  readonly audience?: string
  /** @default 'RS256' */
  readonly jwtAlg?: JwtAlg
  /** @default 'kms' */
  readonly keySource?: KeySource
  /** `kms`: every published key's ARN, the signing key first (its `KMS_KEY_IDS`). */
  readonly kmsKeyArns?: readonly string[]
  /** Its DynamoDB table (deny-list; `KEYSET#public` for `secrets-manager`). */
  readonly tableName: string
  /** @default 300 */
  readonly keysCacheTtlSeconds?: number
  /** @default 43200 */
  readonly maxJwtDurationSeconds?: number
}

/**
 * Describes a Tollgate deployed by another app in this account and Region,
 * from its stack outputs, for `TollgateAuthorizer`. Its public KMS keys are
 * readable through IAM (the key policies delegate `kms:GetPublicKey` to the
 * account), its table through IAM; its pepper is not, so Basic auth needs the
 * `Tollgate` construct itself.
 *
 * @example
 * const tollgate = tollgateIssuer({
 *   issuer: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
 *   tableName: 'Tollgate-TokenTable-1A2B3C',
 *   kmsKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/…'],
 * })
 */
export const tollgateIssuer = (attributes: TollgateIssuerAttributes): ITollgateIssuer => {
  const keySource = attributes.keySource ?? 'kms'
  const kmsKeyArns = attributes.kmsKeyArns ?? []
  if (keySource === 'kms' && kmsKeyArns.length === 0) {
    throw new Error('tollgateIssuer: KEY_SOURCE=kms needs kmsKeyArns (its KMS_KEY_IDS)')
  }
  const jwtAlg = attributes.jwtAlg ?? 'RS256'
  const audience = attributes.audience ?? 'tollgate'
  const tableArn = `arn:${Aws.PARTITION}:dynamodb:${Aws.REGION}:${Aws.ACCOUNT_ID}:table/${attributes.tableName}`
  const targets: GrantTargets = {
    keySource,
    jwtAlg,
    tableArn,
    indexArns: [],
    kmsKeyArns,
    secretsManagerService: `secretsmanager.${Aws.REGION}.amazonaws.com`,
  }
  return {
    issuer: attributes.issuer,
    audience,
    jwtAlg,
    keySource,
    verifierEnvironment: {
      ISSUER: attributes.issuer,
      AUDIENCE: audience,
      JWT_ALG: jwtAlg,
      KEY_SOURCE: keySource,
      TABLE_NAME: attributes.tableName,
      ...(keySource === 'kms' ? { KMS_KEY_IDS: kmsKeyArns.join(',') } : {}),
      KEYS_CACHE_TTL_SECONDS: String(attributes.keysCacheTtlSeconds ?? 300),
      MAX_JWT_DURATION_SECONDS: String(attributes.maxJwtDurationSeconds ?? 43_200),
    },
    grant: (role, capabilities) => {
      for (const statement of statementsFor(capabilities, targets))
        role.addToPrincipalPolicy(statement)
    },
  }
}
