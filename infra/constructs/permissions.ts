import * as iam from 'aws-cdk-lib/aws-iam'
import { auditPartition } from '../../functions/adapters/dynamodb-log-items.js'
import { itemKeys, TOKEN_TABLE } from '../../functions/adapters/token-table.js'
import type { HandlerName } from '../../functions/core/routes.js'

/**
 * Least privilege, per function (docs/design.md#keys). A handler declares what it
 * does as capabilities; `statementsFor` turns them into IAM statements for the
 * configured key source, and `KeyMaterial` names the same roles in the key
 * policies. Tests pin every statement of every function.
 */
export type Capability =
  /**
   * Verify JWTs: kms:GetPublicKey on every published key, or GetItem of
   * KEYSET#public; with a remote issuer's JWKS (`jwks`), nothing at all.
   */
  | 'read-public-keys'
  /** Mint: kms:Sign with the current key, or read (and decrypt) the private key set. */
  | 'sign'
  /** HMAC access tokens, seal cursors: read (and decrypt) the pepper secret. */
  | 'hash-with-pepper'
  /** One strongly consistent BatchGetItem of a caller's token record and owner item. */
  | 'read-caller-records'
  /** A federated JWT's trust policy and service account (GetItem), checked on every call. */
  | 'read-federated-callers'
  /** Whether a caller's JWT was revoked by `jti` (RFC 7009): GetItem on its marker. */
  | 'read-revoked-jwts'
  /** The federated exchange: query the trust policies' partition (an issuer's policies). */
  | 'federated-exchange'
  /** `last_used_at`: UpdateItem on token records only. */
  | 'record-token-use'
  /** Query the deny-list's hourly partitions, nothing else. */
  | 'read-deny-list'
  /**
   * `/service-accounts`: read owner items; write owners, name reservations,
   * deny-list entries and accounts' audit records (and free a name); query
   * accounts' audit partitions and the list index. Never a token item.
   */
  | 'manage-service-accounts'
  /**
   * `/access-tokens`: read owner items; write tokens, owners, deny-list
   * entries and audit records; query tokens' audit partitions and both
   * indexes. Never a name reservation, never a delete.
   */
  | 'manage-access-tokens'
  /**
   * `/trust-policies`: read, list, write and delete trust policies (their one
   * partition); read service accounts' owner items; write deny-list
   * entries and policies' audit records, and query those. Never a token or
   * an owner write.
   */
  | 'manage-trust-policies'
  /**
   * `/oauth2/revoke`: a client revokes its own token (update token and
   * owner, write a deny-list entry and the token's audit record) or denies
   * one of its JWTs by `jti`. Never a query, never a delete.
   */
  | 'revoke-own-tokens'
  /** Secrets Manager rotation of the signing-key secret, and publishing KEYSET#public. */
  | 'rotate-signing-keys'
  /** `tollgate keys init` at deploy: seed the secrets (and KEYSET#public). */
  | 'seed-keys'
  /**
   * The bootstrap function: read the bootstrap marker, and write one admin
   * (marker, owner, name, token, audit) in one transaction of Puts.
   */
  | 'bootstrap-admin'

export type RoutedHandlerName = HandlerName

/**
 * What each routed handler module may do. Typed over `HandlerName`: a handler
 * added to the route table does not compile until its grants are declared here.
 */
export const ROUTED_HANDLER_CAPABILITIES: Readonly<
  Record<RoutedHandlerName, readonly Capability[]>
> = {
  'exchange-jwt': ['sign', 'hash-with-pepper', 'read-caller-records', 'record-token-use'],
  jwks: ['read-public-keys'],
  // Names the JWKS URL and the algorithm from its configuration; reads no key.
  'openid-configuration': [],
  // Verifies its caller in the handler (token + owner item); never hashes or signs.
  whoami: [
    'read-public-keys',
    'read-caller-records',
    'read-federated-callers',
    'read-revoked-jwts',
  ],
  // Both authenticate callers in the handler and seal list cursors with the pepper;
  // caller records also cover their other batch reads (an account's tokens, tokens' owners).
  'service-accounts': [
    'read-public-keys',
    'hash-with-pepper',
    'read-caller-records',
    'read-federated-callers',
    'read-revoked-jwts',
    'manage-service-accounts',
  ],
  'access-tokens': [
    'read-public-keys',
    'hash-with-pepper',
    'read-caller-records',
    'read-federated-callers',
    'read-revoked-jwts',
    'manage-access-tokens',
  ],
  'trust-policies': [
    'read-public-keys',
    'hash-with-pepper',
    'read-caller-records',
    'read-revoked-jwts',
    'manage-trust-policies',
  ],
  // token: the exchange's grants (and the federated exchange's); introspect: verify JWTs and
  // read what a handler reads of its caller; revoke: revoke the client's own token or JWTs.
  oauth2: [
    'sign',
    'hash-with-pepper',
    'read-caller-records',
    'record-token-use',
    'read-public-keys',
    'revoke-own-tokens',
    'read-federated-callers',
    'read-revoked-jwts',
    'federated-exchange',
  ],
  // A document generated from the schemas at build time: no data, no keys.
  openapi: [],
  // Static files built into the bundle, and the issuers' public client ids: no data, no keys.
  console: [],
}

/** The authorizer: public keys, the deny-list when revocation is on, Basic auth's reads when on. */
export const authorizerCapabilities = (options: {
  readonly revocationCheck: boolean
  readonly basicAuth: boolean
}): readonly Capability[] => [
  'read-public-keys',
  ...(options.revocationCheck ? (['read-deny-list'] as const) : []),
  ...(options.basicAuth
    ? (['hash-with-pepper', 'read-caller-records', 'record-token-use'] as const)
    : []),
]

export const KEY_ROTATION_CAPABILITIES: readonly Capability[] = ['rotate-signing-keys']
export const KEYS_INIT_CAPABILITIES: readonly Capability[] = ['seed-keys']
/** The bootstrap function: mints an admin's access token, so it hashes with the pepper. */
export const BOOTSTRAP_CAPABILITIES: readonly Capability[] = ['bootstrap-admin', 'hash-with-pepper']

export type KeySource = 'kms' | 'secrets-manager'
export type JwtAlg = 'RS256' | 'ES256'

/** A secret and the customer managed key that encrypts it. */
export interface EncryptedSecret {
  readonly secretArn: string
  readonly keyArn: string
}

/** The resources grants are made on; plain ARNs, so another stack's Tollgate works too. */
export interface GrantTargets {
  /** `jwks`: a verifier of a remote issuer, which reads its public keys over https. */
  readonly keySource: KeySource | 'jwks'
  readonly jwtAlg: JwtAlg
  readonly tableArn: string
  readonly indexArns: readonly string[]
  /** `kms`: every published key, the signing key first (`KMS_KEY_IDS` order). */
  readonly kmsKeyArns: readonly string[]
  readonly pepper?: EncryptedSecret | undefined
  /** `secrets-manager`: the private JWK set. */
  readonly signingKeys?: EncryptedSecret | undefined
  /** `secretsmanager.<region>.amazonaws.com`, for kms:ViaService. */
  readonly secretsManagerService: string
}

/** KMS signing algorithm for each JWT `alg`: the key policy allows only this one. */
export const KMS_SIGNING_ALGORITHM: Readonly<Record<JwtAlg, string>> = {
  RS256: 'RSASSA_PKCS1_V1_5_SHA_256',
  ES256: 'ECDSA_SHA_256',
}

/** `TOKEN#abc` → `TOKEN#*`: partition patterns from the table module, never restated. */
const partitionPattern = (key: string): string => `${key.slice(0, key.indexOf('#') + 1)}*`

/** `AUDIT#token#abc` → `AUDIT#token#*`: one subject type's audit partitions. */
const auditPattern = (type: 'token' | 'service_account' | 'user' | 'trust_policy'): string =>
  `${auditPartition({ type, id: '' })}*`

export const PARTITIONS = {
  tokens: partitionPattern(itemKeys.token('id').pk),
  owners: partitionPattern(itemKeys.owner('tag').pk),
  accountNames: partitionPattern(itemKeys.accountName('name').pk),
  tokenAudit: auditPattern('token'),
  serviceAccountAudit: auditPattern('service_account'),
  userAudit: auditPattern('user'),
  trustPolicyAudit: auditPattern('trust_policy'),
  /** Every trust policy: one partition, no pattern. */
  trustPolicies: itemKeys.trustPolicy('id').pk,
  denyList: partitionPattern(itemKeys.denyListPartition('hour').pk),
  revokedJwts: partitionPattern(itemKeys.revokedJwt('jti').pk),
  publicKeySet: itemKeys.publicKeySet().pk,
} as const

/** The one item of the bootstrap marker's partition (`META`). */
const BOOTSTRAP_MARKER = itemKeys.bootstrap().pk

const leadingKeys = (...patterns: string[]) => ({
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns },
})

/**
 * The IAM statements for a set of capabilities. Each statement names its
 * resources; DynamoDB reads of other people's partitions are cut off with
 * `dynamodb:LeadingKeys` wherever the handler's partitions are known.
 */
export const statementsFor = (
  capabilities: readonly Capability[],
  targets: GrantTargets,
): iam.PolicyStatement[] =>
  [...new Set(capabilities)].flatMap((capability) =>
    STATEMENTS[capability](targets).map((props) => new iam.PolicyStatement(props)),
  )

type StatementProps = iam.PolicyStatementProps

const required = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`Tollgate grants: ${what} is not configured`)
  return value
}

/** One index's ARN, never `index/*`. */
const indexArn = (t: GrantTargets, index: { readonly name: string }): string =>
  required(
    t.indexArns.find((arn) => arn.endsWith(`/index/${index.name}`)),
    `the index ${index.name}`,
  )

/**
 * Item statements on the table, one per action, each cut to its partitions.
 * TransactWriteItems is authorized per item, as the PutItem, UpdateItem and
 * DeleteItem it holds (dynamodb-transactions.ts writes no ConditionCheck).
 */
const onPartitions = (
  t: GrantTargets,
  sid: string,
  action: string,
  ...patterns: string[]
): StatementProps => ({
  sid,
  actions: [`dynamodb:${action}`],
  resources: [t.tableArn],
  conditions: leadingKeys(...patterns),
})

const viaSecretsManager = (t: GrantTargets) => ({
  StringEquals: { 'kms:ViaService': t.secretsManagerService },
})

const readSecret = (sid: string, secret: EncryptedSecret, t: GrantTargets): StatementProps[] => [
  { sid: `Read${sid}`, actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] },
  {
    sid: `Decrypt${sid}`,
    actions: ['kms:Decrypt'],
    resources: [secret.keyArn],
    conditions: viaSecretsManager(t),
  },
]

const STATEMENTS: Readonly<Record<Capability, (t: GrantTargets) => StatementProps[]>> = {
  'read-public-keys': (t) =>
    t.keySource === 'jwks'
      ? []
      : t.keySource === 'kms'
        ? [{ sid: 'ReadPublicKeys', actions: ['kms:GetPublicKey'], resources: [...t.kmsKeyArns] }]
        : [
            {
              sid: 'ReadPublicKeySet',
              actions: ['dynamodb:GetItem'],
              resources: [t.tableArn],
              conditions: {
                'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [PARTITIONS.publicKeySet] },
              },
            },
          ],
  sign: (t) => {
    if (t.keySource === 'secrets-manager') {
      return readSecret('SigningKeys', required(t.signingKeys, 'the signing-key secret'), t)
    }
    const signingKey = required(t.kmsKeyArns[0], 'a KMS signing key')
    return [
      { sid: 'ReadSigningPublicKey', actions: ['kms:GetPublicKey'], resources: [signingKey] },
      {
        sid: 'SignWithCurrentKey',
        actions: ['kms:Sign'],
        resources: [signingKey],
        conditions: { StringEquals: { 'kms:SigningAlgorithm': KMS_SIGNING_ALGORITHM[t.jwtAlg] } },
      },
    ]
  },
  'hash-with-pepper': (t) => readSecret('Pepper', required(t.pepper, 'the pepper secret'), t),
  'read-caller-records': (t) => [
    {
      sid: 'ReadCallerRecords',
      actions: ['dynamodb:BatchGetItem'],
      resources: [t.tableArn],
      conditions: leadingKeys(PARTITIONS.tokens, PARTITIONS.owners),
    },
  ],
  'read-federated-callers': (t) => [
    onPartitions(t, 'ReadFederatedCallers', 'GetItem', PARTITIONS.trustPolicies, PARTITIONS.owners),
  ],
  'read-revoked-jwts': (t) => [
    onPartitions(t, 'ReadRevokedJwts', 'GetItem', PARTITIONS.revokedJwts),
  ],
  'federated-exchange': (t) => [
    onPartitions(t, 'QueryTrustPolicies', 'Query', PARTITIONS.trustPolicies),
  ],
  'record-token-use': (t) => [
    {
      sid: 'RecordTokenUse',
      actions: ['dynamodb:UpdateItem'],
      resources: [t.tableArn],
      conditions: leadingKeys(PARTITIONS.tokens),
    },
  ],
  'read-deny-list': (t) => [
    {
      sid: 'ReadDenyList',
      actions: ['dynamodb:Query'],
      resources: [t.tableArn],
      conditions: leadingKeys(PARTITIONS.denyList),
    },
  ],
  'manage-service-accounts': (t) => [
    onPartitions(t, 'ReadServiceAccounts', 'GetItem', PARTITIONS.owners),
    onPartitions(
      t,
      'WriteServiceAccounts',
      'PutItem',
      PARTITIONS.owners,
      PARTITIONS.accountNames,
      PARTITIONS.denyList,
      PARTITIONS.serviceAccountAudit,
    ),
    onPartitions(t, 'FreeAccountNames', 'DeleteItem', PARTITIONS.accountNames),
    onPartitions(t, 'ReadServiceAccountEvents', 'Query', PARTITIONS.serviceAccountAudit),
    // gsi2, partition SERVICE_ACCOUNTS. Index queries are held to the index alone:
    // IAM does not document dynamodb:LeadingKeys as the index's partition key.
    {
      sid: 'ListServiceAccounts',
      actions: ['dynamodb:Query'],
      resources: [indexArn(t, TOKEN_TABLE.listIndex)],
    },
  ],
  'manage-access-tokens': (t) => [
    onPartitions(t, 'ReadTokenOwners', 'GetItem', PARTITIONS.owners),
    onPartitions(
      t,
      'WriteAccessTokens',
      'PutItem',
      PARTITIONS.tokens,
      PARTITIONS.owners,
      PARTITIONS.denyList,
      PARTITIONS.tokenAudit,
      PARTITIONS.serviceAccountAudit,
      PARTITIONS.userAudit,
    ),
    onPartitions(t, 'ChangeAccessTokens', 'UpdateItem', PARTITIONS.tokens),
    onPartitions(t, 'ReadTokenEvents', 'Query', PARTITIONS.tokenAudit),
    // gsi1 (one owner's tokens) and gsi2 (every token).
    {
      sid: 'ListAccessTokens',
      actions: ['dynamodb:Query'],
      resources: [indexArn(t, TOKEN_TABLE.ownerIndex), indexArn(t, TOKEN_TABLE.listIndex)],
    },
  ],
  'manage-trust-policies': (t) => [
    onPartitions(t, 'ReadTrustPolicies', 'GetItem', PARTITIONS.trustPolicies, PARTITIONS.owners),
    onPartitions(
      t,
      'WriteTrustPolicies',
      'PutItem',
      PARTITIONS.trustPolicies,
      PARTITIONS.denyList,
      PARTITIONS.trustPolicyAudit,
    ),
    onPartitions(t, 'DeleteTrustPolicies', 'DeleteItem', PARTITIONS.trustPolicies),
    onPartitions(
      t,
      'ListTrustPolicies',
      'Query',
      PARTITIONS.trustPolicies,
      PARTITIONS.trustPolicyAudit,
    ),
  ],
  'revoke-own-tokens': (t) => [
    onPartitions(
      t,
      'RevokeOwnTokens',
      'PutItem',
      PARTITIONS.owners,
      PARTITIONS.denyList,
      PARTITIONS.revokedJwts,
      PARTITIONS.tokenAudit,
    ),
    onPartitions(t, 'MarkOwnTokensRevoked', 'UpdateItem', PARTITIONS.tokens),
  ],
  'bootstrap-admin': (t) => [
    {
      sid: 'ReadBootstrapMarker',
      actions: ['dynamodb:GetItem'],
      resources: [t.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [BOOTSTRAP_MARKER] } },
    },
    {
      sid: 'MintAdmin',
      // bootstrap-admin.ts writes one TransactWriteItems of Puts only, each authorized as PutItem:
      // the marker (first admin only), the owner item, the name, the token, two audit records.
      actions: ['dynamodb:PutItem'],
      resources: [t.tableArn],
      conditions: leadingKeys(
        BOOTSTRAP_MARKER,
        PARTITIONS.owners,
        PARTITIONS.accountNames,
        PARTITIONS.tokens,
        PARTITIONS.serviceAccountAudit,
        PARTITIONS.tokenAudit,
      ),
    },
  ],
  'rotate-signing-keys': (t) => {
    const secret = required(t.signingKeys, 'the signing-key secret')
    return [
      {
        sid: 'RotateSigningKeys',
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        resources: [secret.secretArn],
      },
      {
        sid: 'EncryptSigningKeys',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [secret.keyArn],
        conditions: viaSecretsManager(t),
      },
      publishPublicKeySet(t),
    ]
  },
  'seed-keys': (t) => {
    const secrets = [
      required(t.pepper, 'the pepper secret'),
      ...(t.signingKeys ? [t.signingKeys] : []),
    ]
    return [
      {
        sid: 'SeedSecrets',
        actions: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
        ],
        resources: secrets.map((secret) => secret.secretArn),
      },
      {
        sid: 'EncryptSeededSecrets',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: secrets.map((secret) => secret.keyArn),
        conditions: viaSecretsManager(t),
      },
      ...(t.keySource === 'secrets-manager' ? [publishPublicKeySet(t)] : []),
    ]
  },
}

/** Write KEYSET#public, and read it back (the rotation's testSecret, keys init's check). */
const publishPublicKeySet = (t: GrantTargets): StatementProps => ({
  sid: 'PublishPublicKeySet',
  actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  resources: [t.tableArn],
  conditions: {
    'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [PARTITIONS.publicKeySet] },
  },
})

/** Capabilities whose holders must be named in a key policy (the rest go through IAM alone). */
export const KEY_POLICY_CAPABILITIES = {
  /** May call kms:Sign on the current KMS key. */
  signers: (capabilities: readonly Capability[]) => capabilities.includes('sign'),
  /** May decrypt the pepper. */
  pepperReaders: (capabilities: readonly Capability[]) =>
    capabilities.includes('hash-with-pepper') || capabilities.includes('seed-keys'),
  /** May decrypt the signing-key secret. */
  signingKeyReaders: (capabilities: readonly Capability[]) =>
    capabilities.includes('sign') ||
    capabilities.includes('rotate-signing-keys') ||
    capabilities.includes('seed-keys'),
} as const
