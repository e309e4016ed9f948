import { Aws, type Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import * as events from 'aws-cdk-lib/aws-events'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as kms from 'aws-cdk-lib/aws-kms'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import {
  type Capability,
  type EncryptedSecret,
  type JwtAlg,
  KEY_POLICY_CAPABILITIES,
  type KeySource,
  KMS_SIGNING_ALGORITHM,
} from './permissions.js'

export interface KeyMaterialProps {
  readonly keySource: KeySource
  readonly jwtAlg: JwtAlg
  /**
   * `kms`: construct ids of the signing keys, the one that signs first, in
   * `KMS_KEY_IDS` order. Rotation (docs/design.md#keys) is an edit of this list:
   * add a key last, deploy, wait ≥ 2 h, move it first, deploy, remove the old
   * one after `MAX_JWT_DURATION_SECONDS`. Ids, not positions, name the
   * resources, so reordering never replaces a key.
   */
  readonly kmsKeys: readonly string[]
}

/** Key administration without any cryptographic use: admins can manage, never read or sign. */
const ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:Create*',
  'kms:Delete*',
  'kms:Describe*',
  'kms:Disable*',
  'kms:Enable*',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:List*',
  'kms:Put*',
  'kms:Revoke*',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:Update*',
]

/**
 * Tollgate's keys and secrets, and key policies that name who may use them.
 *
 * - `kms`: one asymmetric SIGN_VERIFY key per entry of `kmsKeys`. Anyone the
 *   account's IAM allows may read the *public* key (downstream authorizers in
 *   other stacks need that); `kms:Sign`, with the one algorithm of `JWT_ALG`,
 *   only the roles registered as signers.
 * - The pepper secret (always) and the signing-key secret
 *   (`secrets-manager`), each under its own symmetric customer managed key
 *   with rotation on. Writing a value through Secrets Manager is left to IAM
 *   (CloudFormation creates the placeholder, operators may rotate by hand);
 *   *decrypting* it is allowed only to the roles registered as readers, so
 *   not even an account administrator reads the pepper without first
 *   changing the key policy, which CloudTrail records.
 *
 * Secrets are L1 resources on purpose: the L2 `Secret` adds a key policy
 * statement letting every principal of the account decrypt through Secrets
 * Manager, which is exactly what the tight policies here forbid.
 */
export class KeyMaterial extends Construct {
  readonly keySource: KeySource
  readonly jwtAlg: JwtAlg
  /** `kms`: the signing keys, the one that signs first; empty for `secrets-manager`. */
  readonly signingKeys: readonly kms.Key[]
  readonly pepper: EncryptedSecret
  readonly signingKeySecret: EncryptedSecret | undefined
  private readonly pepperKey: kms.Key
  private readonly signingSecretKey: kms.Key | undefined
  private readonly signingSecret: secretsmanager.CfnSecret | undefined
  private readonly principals = {
    signers: [] as string[],
    pepper: [] as string[],
    signing: [] as string[],
  }

  constructor(scope: Construct, id: string, props: KeyMaterialProps) {
    super(scope, id)
    this.keySource = props.keySource
    this.jwtAlg = props.jwtAlg
    if (props.keySource === 'kms' && props.kmsKeys.length === 0) {
      throw new Error('Tollgate: KEY_SOURCE=kms needs at least one KMS key')
    }
    if (new Set(props.kmsKeys).size !== props.kmsKeys.length) {
      throw new Error('Tollgate: kmsKeys must not repeat a key')
    }
    this.signingKeys =
      props.keySource === 'kms'
        ? props.kmsKeys.map((name, i) => this.signingKey(name, i === 0))
        : []

    this.pepperKey = this.secretKey('PepperKey', 'Tollgate pepper secret', this.principals.pepper)
    const pepperSecret = this.secret(
      'PepperSecret',
      this.pepperKey,
      'Tollgate pepper: {"current", "versions": {version: base64url key}} for access-token HMACs. Seeded by keys-init.',
    )
    this.pepper = { secretArn: pepperSecret.ref, keyArn: this.pepperKey.keyArn }
    Validations.of(pepperSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The pepper rotates by adding a version (records carry the version that hashed them); replacing it on a schedule would make every stored hash unverifiable, so there is no rotation function.',
    })

    if (props.keySource === 'secrets-manager') {
      this.signingSecretKey = this.secretKey(
        'SigningKeySecretKey',
        'Tollgate signing-key secret',
        this.principals.signing,
      )
      this.signingSecret = this.secret(
        'SigningKeySecret',
        this.signingSecretKey,
        'Tollgate private JWK set {"current", "previous"?, "next"?}. Seeded by keys-init, advanced by key-rotation.',
      )
      this.signingKeySecret = {
        secretArn: this.signingSecret.ref,
        keyArn: this.signingSecretKey.keyArn,
      }
    }
    // A condition on an empty list is invalid, and a key nobody may use is a wiring mistake.
    this.node.addValidation({
      validate: () =>
        Object.entries(this.principals)
          .filter(([kind, arns]) => arns.length === 0 && this.uses(kind))
          .map(([kind]) => `Tollgate: no function was registered as ${kind} of ${id}`),
    })
  }

  private uses(kind: string): boolean {
    if (kind === 'signers') return this.keySource === 'kms'
    if (kind === 'signing') return this.keySource === 'secrets-manager'
    return true
  }

  /** The key-material part of the functions' configuration (docs/design.md#configuration). */
  get environment(): Record<string, string> {
    return {
      KEY_SOURCE: this.keySource,
      JWT_ALG: this.jwtAlg,
      PEPPER_SECRET_ID: this.pepper.secretArn,
      ...(this.keySource === 'kms'
        ? { KMS_KEY_IDS: this.signingKeys.map((key) => key.keyArn).join(',') }
        : { SIGNING_KEYS_SECRET_ID: this.signingKeySecret?.secretArn ?? '' }),
    }
  }

  /** Names `role` in the key policies its capabilities need (its IAM statements come from `statementsFor`). */
  allow(role: iam.IRole, capabilities: readonly Capability[]): void {
    const named =
      KEY_POLICY_CAPABILITIES.signers(capabilities) ||
      KEY_POLICY_CAPABILITIES.pepperReaders(capabilities) ||
      KEY_POLICY_CAPABILITIES.signingKeyReaders(capabilities)
    if (named && Stack.of(role) !== Stack.of(this)) {
      // The key policy would reference the other stack while it references this one: a cycle.
      throw new Error(
        `Tollgate: ${role.node.path} is in another stack; only functions in the Tollgate stack may sign or read the pepper (Basic auth)`,
      )
    }
    if (KEY_POLICY_CAPABILITIES.signers(capabilities) && this.keySource === 'kms') {
      this.principals.signers.push(role.roleArn)
    }
    if (KEY_POLICY_CAPABILITIES.pepperReaders(capabilities))
      this.principals.pepper.push(role.roleArn)
    if (KEY_POLICY_CAPABILITIES.signingKeyReaders(capabilities) && this.signingSecretKey) {
      this.principals.signing.push(role.roleArn)
    }
  }

  /**
   * Rotates the signing-key secret with `fn` on a schedule, once `after` (the
   * keys-init custom resource) has seeded it, never at deploy time.
   */
  rotateWith(fn: lambda.IFunction, every: Duration, after?: Construct): void {
    if (this.signingSecret === undefined)
      throw new Error('Tollgate: only secrets-manager keys rotate')
    const permission = new lambda.CfnPermission(this, 'RotationInvokePermission', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionArn,
      principal: 'secretsmanager.amazonaws.com',
      sourceArn: this.signingSecret.ref,
      sourceAccount: Aws.ACCOUNT_ID,
    })
    const schedule = new secretsmanager.CfnRotationSchedule(this, 'SigningKeyRotation', {
      secretId: this.signingSecret.ref,
      rotationLambdaArn: fn.functionArn,
      // CDK's own RotationSchedule form: whole days as `rate(1 day)`/`rate(N days)`, else hours.
      rotationRules: { scheduleExpression: events.Schedule.rate(every).expressionString },
      rotateImmediatelyOnUpdate: false,
    })
    schedule.node.addDependency(permission)
    if (after) schedule.node.addDependency(after)
  }

  private signingKey(name: string, signs: boolean): kms.Key {
    const key = new kms.Key(this, name, {
      description: `Tollgate JWT signing key ${name} (${this.jwtAlg})`,
      keySpec: this.jwtAlg === 'RS256' ? kms.KeySpec.RSA_2048 : kms.KeySpec.ECC_NIST_P256,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      policy: adminOnlyPolicy(),
      removalPolicy: RemovalPolicy.RETAIN,
    })
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ReadPublicKeyThroughIam',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:DescribeKey', 'kms:GetPublicKey'],
        resources: ['*'],
      }),
    )
    if (signs) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'SignOnlyFromMintingFunctions',
          principals: [new iam.AccountRootPrincipal()],
          actions: ['kms:Sign'],
          resources: ['*'],
          conditions: {
            ArnEquals: { 'aws:PrincipalArn': this.lazyList(this.principals.signers) },
            StringEquals: { 'kms:SigningAlgorithm': KMS_SIGNING_ALGORITHM[this.jwtAlg] },
          },
        }),
      )
    }
    return key
  }

  private secretKey(id: string, what: string, readers: string[]): kms.Key {
    const key = new kms.Key(this, id, {
      description: `Encrypts the ${what}`,
      enableKeyRotation: true,
      policy: adminOnlyPolicy(),
      removalPolicy: RemovalPolicy.RETAIN,
    })
    const viaSecretsManager = {
      'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com`,
    }
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EncryptThroughSecretsManager',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: viaSecretsManager },
      }),
    )
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DecryptOnlyForNamedFunctions',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: viaSecretsManager,
          ArnEquals: { 'aws:PrincipalArn': this.lazyList(readers) },
        },
      }),
    )
    return key
  }

  private secret(id: string, key: kms.Key, description: string): secretsmanager.CfnSecret {
    const secret = new secretsmanager.CfnSecret(this, id, {
      description,
      kmsKeyId: key.keyArn,
      // CloudFormation must create some value; keys-init replaces it (no `current` = not seeded).
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ uninitialized: true }),
        generateStringKey: 'placeholder',
        excludePunctuation: true,
      },
    })
    // Losing the pepper makes every token unverifiable; losing signing keys, every JWT.
    secret.applyRemovalPolicy(RemovalPolicy.RETAIN)
    return secret
  }

  /** Role ARNs registered until synthesis (functions are added after the keys). */
  private lazyList(arns: string[]): string[] {
    return Lazy.list({ produce: () => arns })
  }
}

const adminOnlyPolicy = (): iam.PolicyDocument =>
  new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'KeyAdministration',
        principals: [new iam.AccountRootPrincipal()],
        actions: ADMIN_ACTIONS,
        resources: ['*'],
      }),
    ],
  })
