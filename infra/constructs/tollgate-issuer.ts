import { Arn, ArnFormat, Aws, Stack, Token } from 'aws-cdk-lib'
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
 * deployed elsewhere is described by its URLs with `remoteTollgateIssuer(...)`
 * (any account: keys from its JWKS), or by its KMS keys with
 * `tollgateIssuer(...)` (the same account and Region).
 */
export interface ITollgateIssuer {
  /** `iss` of its JWTs, and the base of its discovery document. */
  readonly issuer: string
  readonly audience: string
  readonly jwtAlg: JwtAlg
  /** Where verifiers read its public keys: `jwks` for a remote issuer's JWKS URL. */
  readonly keySource: KeySource | 'jwks'
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
 * `Tollgate` construct itself. The key ARNs are baked into the authorizer, so
 * every step of a KMS key rotation means redeploying it:
 * `remoteTollgateIssuer` reads the keys from the JWKS URL instead.
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

export interface RemoteTollgateIssuerAttributes {
  /** `ISSUER` of that deployment (its `Issuer` output): an https origin. */
  readonly issuer: string
  /** Its `JwksUrl` output. @default `${issuer}/.well-known/jwks.json` */
  readonly jwksUrl?: string
  /**
   * Its `TableArn` output: the deny-list, for `revocationCheck` (on by
   * default). That Tollgate must list this account (or the authorizer's
   * role) in its `denyListReaders`, and this authorizer must run in its
   * Region. Leave it out only with `revocationCheck: false`.
   */
  readonly tableArn?: string
  /** @default 'tollgate' */
  readonly audience?: string
  /** @default 'RS256' */
  readonly jwtAlg?: JwtAlg
  /** How long its JWKS is cached (it is refetched at once, throttled, on an unknown `kid`). @default 300 */
  readonly keysCacheTtlSeconds?: number
  /** Its `MAX_JWT_DURATION_SECONDS`: how far back the deny-list is read. @default 43200 */
  readonly maxJwtDurationSeconds?: number
}

/** Capabilities a verifier of a remote issuer can be given: it holds no key and no pepper. */
const REMOTE_CAPABILITIES: readonly Capability[] = ['read-public-keys', 'read-deny-list']

/**
 * Describes a Tollgate deployed anywhere, in this account or another, by
 * its URLs, for `TollgateAuthorizer`: the authorizer reads the public keys
 * from the JWKS URL (`KEY_SOURCE=jwks`: the hardened fetcher, cached, and
 * refetched on an unknown `kid`), so a key rotation at the issuer needs no
 * redeploy here and the authorizer has no KMS permission at all. With
 * revocation on it queries the deny-list partitions of the issuer's table,
 * which that stack's resource policy opens to the accounts it lists in
 * `denyListReaders` (docs/authorizer.md#a-consumer-in-another-account).
 *
 * @example
 * const tollgate = remoteTollgateIssuer({
 *   issuer: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
 *   tableArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/Tollgate-TokenTable-1A2B3C',
 * })
 */
export const remoteTollgateIssuer = (
  attributes: RemoteTollgateIssuerAttributes,
): ITollgateIssuer => {
  const issuer = attributes.issuer.replace(/\/+$/, '')
  const jwksUrl = attributes.jwksUrl ?? `${issuer}/.well-known/jwks.json`
  for (const [name, url] of [
    ['issuer', issuer],
    ['jwksUrl', jwksUrl],
  ] as const) {
    if (!Token.isUnresolved(url) && !url.startsWith('https://')) {
      throw new Error(
        `remoteTollgateIssuer: ${name} must be an https URL (the authorizer fetches keys over https only)`,
      )
    }
  }
  const jwtAlg = attributes.jwtAlg ?? 'RS256'
  const audience = attributes.audience ?? 'tollgate'
  const { tableArn } = attributes
  return {
    issuer,
    audience,
    jwtAlg,
    keySource: 'jwks',
    verifierEnvironment: {
      ISSUER: issuer,
      AUDIENCE: audience,
      JWT_ALG: jwtAlg,
      KEY_SOURCE: 'jwks',
      JWKS_URL: jwksUrl,
      // An ARN, so that DynamoDB finds the table in the issuer's account.
      ...(tableArn === undefined ? {} : { TABLE_NAME: tableArn }),
      KEYS_CACHE_TTL_SECONDS: String(attributes.keysCacheTtlSeconds ?? 300),
      MAX_JWT_DURATION_SECONDS: String(attributes.maxJwtDurationSeconds ?? 43_200),
    },
    grant: (role, capabilities) => {
      const held = capabilities.filter((capability) => !REMOTE_CAPABILITIES.includes(capability))
      if (held.length > 0) {
        throw new Error(
          `remoteTollgateIssuer: a remote issuer lends no key material (${held.join(', ')}); Basic auth needs the Tollgate construct itself`,
        )
      }
      if (!capabilities.includes('read-deny-list')) return
      if (tableArn === undefined) {
        throw new Error(
          "remoteTollgateIssuer: revocationCheck reads the deny-list: give tableArn (the Tollgate stack's TableArn output), or set revocationCheck: false",
        )
      }
      checkSameRegion(role, tableArn)
      const targets: GrantTargets = {
        keySource: 'jwks',
        jwtAlg,
        tableArn,
        indexArns: [],
        kmsKeyArns: [],
        secretsManagerService: `secretsmanager.${Aws.REGION}.amazonaws.com`,
      }
      for (const statement of statementsFor(capabilities, targets)) {
        role.addToPrincipalPolicy(statement)
      }
    },
  }
}

/** DynamoDB serves a table in its own Region only: an authorizer elsewhere could never read it. */
const checkSameRegion = (role: iam.IRole, tableArn: string): void => {
  if (Token.isUnresolved(tableArn)) return
  const tableRegion = Arn.split(tableArn, ArnFormat.SLASH_RESOURCE_NAME).region
  const region = Stack.of(role).region
  if (!Token.isUnresolved(region) && tableRegion !== undefined && tableRegion !== region) {
    throw new Error(
      `remoteTollgateIssuer: the deny-list's table is in ${tableRegion} and this authorizer in ${region}; deploy it in ${tableRegion}, or set revocationCheck: false`,
    )
  }
}
