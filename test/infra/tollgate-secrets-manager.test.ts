import { App, Duration } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { AwsSolutionsChecks } from 'cdk-nag'
import type { IConstruct } from 'constructs'
import { describe, expect, it } from 'vitest'
import { ROUTED_HANDLER_CAPABILITIES } from '../../infra/constructs/permissions.js'
import { routedHandlers } from '../../infra/constructs/routes.js'
import type { TollgateFunction } from '../../infra/constructs/tollgate-function.js'
import { TollgateStack } from '../../infra/tollgate-stack.js'
import { coldStart } from './support/cold-start.js'
import {
  ACCOUNT_ROOT,
  arnOf,
  baseStatements,
  CDK_CONTEXT,
  deployedEnvironments,
  logicalId,
  OUTDIR,
  pepperStatements,
  refOf,
  statementsOfRole,
  unacknowledgedFindings,
  VIA_SECRETS_MANAGER,
} from './support/synth.js'

/**
 * KEY_SOURCE=secrets-manager, ES256, Basic auth on the authorizer: synthesized
 * once, without the cdk-nag plugin (cdk-nag's verdict is asserted apart below).
 */
const app = new App({ outdir: OUTDIR, context: CDK_CONTEXT })
const stack = new TollgateStack(app, 'TollgateSecretsManager', {
  tollgate: { keySource: 'secrets-manager', jwtAlg: 'ES256', authorizer: { basicAuth: true } },
})
const template = Template.fromStack(stack)
const tollgate = stack.tollgate
const child = (name: string) => tollgate.keys.node.findChild(name)
const [pepperKey, pepperSecret, signingSecretKey, signingSecret] = [
  'PepperKey',
  'PepperSecret',
  'SigningKeySecretKey',
  'SigningKeySecret',
].map(child) as [IConstruct, IConstruct, IConstruct, IConstruct]
const handler = (name: string) => tollgate.handlers.get(name as never) as TollgateFunction
const authorizerFn = tollgate.authorizer.function as TollgateFunction
const TABLE = arnOf(tollgate.table)
const statements = (fn: TollgateFunction) => statementsOfRole(template, stack, fn.role)

const READ_PUBLIC_KEY_SET = {
  Sid: 'ReadPublicKeySet',
  Action: 'dynamodb:GetItem',
  Effect: 'Allow',
  Resource: TABLE,
  Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['KEYSET#public'] } },
}
const PEPPER = pepperStatements(pepperSecret, pepperKey)
const onTable = (Sid: string, Action: string, keys: string[]) => ({
  Sid,
  Action,
  Effect: 'Allow',
  Resource: TABLE,
  Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } },
})
const CALLER_RECORDS = [
  {
    Sid: 'ReadCallerRecords',
    Action: 'dynamodb:BatchGetItem',
    Effect: 'Allow',
    Resource: TABLE,
    Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*', 'OWNER#*'] } },
  },
  {
    Sid: 'RecordTokenUse',
    Action: 'dynamodb:UpdateItem',
    Effect: 'Allow',
    Resource: TABLE,
    Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*'] } },
  },
]
const PUBLISH_PUBLIC_KEY_SET = {
  Sid: 'PublishPublicKeySet',
  Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
  Effect: 'Allow',
  Resource: TABLE,
  Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['KEYSET#public'] } },
}

describe('cold starts with the synthesized configuration (KEY_SOURCE=secrets-manager)', () => {
  it.each(deployedEnvironments(template).map((fn) => [fn.module, fn] as const))(
    '%s parses its environment and finds the key material it uses',
    async (_module, fn) => {
      await expect(coldStart(fn.module, fn.environment)).resolves.toBeUndefined()
    },
  )

  it('covers every deployed function, the rotation included', () => {
    expect(
      deployedEnvironments(template)
        .map((fn) => fn.module)
        .sort(),
    ).toEqual([...routedHandlers(), 'authorizer', 'keys-init', 'key-rotation', 'bootstrap'].sort())
  })
})

describe('least privilege, statement by statement (KEY_SOURCE=secrets-manager)', () => {
  it('exchange-jwt reads the private key set and the pepper, never a KMS signing key', () => {
    const fn = handler('exchange-jwt')
    expect(statements(fn)).toEqual([
      ...baseStatements(fn.logGroup),
      {
        Sid: 'ReadSigningKeys',
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: refOf(signingSecret),
      },
      {
        Sid: 'DecryptSigningKeys',
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: arnOf(signingSecretKey),
        Condition: VIA_SECRETS_MANAGER,
      },
      ...PEPPER,
      ...CALLER_RECORDS,
    ])
  })

  it('jwks reads only the KEYSET#public item', () => {
    const fn = handler('jwks')
    expect(statements(fn)).toEqual([...baseStatements(fn.logGroup), READ_PUBLIC_KEY_SET])
  })

  it('openid-configuration reads nothing', () => {
    const fn = handler('openid-configuration')
    expect(statements(fn)).toEqual(baseStatements(fn.logGroup))
  })

  it('whoami reads the public key set and its caller records', () => {
    const fn = handler('whoami')
    expect(statements(fn)).toEqual([
      ...baseStatements(fn.logGroup),
      READ_PUBLIC_KEY_SET,
      CALLER_RECORDS[0],
      onTable('ReadFederatedCallers', 'dynamodb:GetItem', ['TRUST_POLICIES', 'OWNER#*']),
      onTable('ReadRevokedJwts', 'dynamodb:GetItem', ['REVOKED_JWT#*']),
    ])
  })

  it('the authorizer with Basic auth adds the pepper and the token reads of an exchange', () => {
    expect(statements(authorizerFn)).toEqual([
      ...baseStatements(authorizerFn.logGroup),
      READ_PUBLIC_KEY_SET,
      {
        Sid: 'ReadDenyList',
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: TABLE,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DENY#*'] } },
      },
      ...PEPPER,
      ...CALLER_RECORDS,
    ])
  })
  it('key-rotation rotates the signing-key secret and publishes KEYSET#public', () => {
    const fn = tollgate.keyRotation as TollgateFunction
    expect(statements(fn)).toEqual([
      ...baseStatements(fn.logGroup),
      {
        Sid: 'RotateSigningKeys',
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecretVersionStage',
        ],
        Effect: 'Allow',
        Resource: refOf(signingSecret),
      },
      {
        Sid: 'EncryptSigningKeys',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Effect: 'Allow',
        Resource: arnOf(signingSecretKey),
        Condition: VIA_SECRETS_MANAGER,
      },
      PUBLISH_PUBLIC_KEY_SET,
    ])
  })
  it('bootstrap reads the pepper and writes one admin, whatever the key source', () => {
    const fn = tollgate.bootstrap
    expect(statements(fn)).toEqual([
      ...baseStatements(fn.logGroup),
      expect.objectContaining({ Sid: 'ReadBootstrapMarker', Action: 'dynamodb:GetItem' }),
      expect.objectContaining({ Sid: 'MintAdmin', Action: 'dynamodb:PutItem' }),
      ...PEPPER,
    ])
  })
  it('keys-init seeds both secrets and KEYSET#public', () => {
    const fn = tollgate.keysInit
    expect(statements(fn)).toEqual([
      ...baseStatements(fn.logGroup),
      {
        Sid: 'SeedSecrets',
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
        ],
        Effect: 'Allow',
        Resource: [refOf(pepperSecret), refOf(signingSecret)],
      },
      {
        Sid: 'EncryptSeededSecrets',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Effect: 'Allow',
        Resource: [arnOf(pepperKey), arnOf(signingSecretKey)],
        Condition: VIA_SECRETS_MANAGER,
      },
      PUBLISH_PUBLIC_KEY_SET,
    ])
  })
})

describe('keys and secrets (KEY_SOURCE=secrets-manager)', () => {
  const decryptors = (key: IConstruct) =>
    (
      template.toJSON().Resources[logicalId(key)].Properties.KeyPolicy.Statement as {
        Sid: string
        Condition: { ArnEquals: Record<string, unknown> }
      }[]
    ).find((statement) => statement.Sid === 'DecryptOnlyForNamedFunctions')?.Condition.ArnEquals[
      'aws:PrincipalArn'
    ]

  it("creates no KMS signing key, only the two secret keys (and the alarm topic's)", () => {
    const topicKey = logicalId(tollgate.monitoring?.node.findChild('TopicKey') as IConstruct)
    const keys = Object.entries(template.findResources('AWS::KMS::Key'))
      .filter(([id]) => id !== topicKey)
      .map(([, key]) => key)
    expect(keys.map((key) => key.Properties.EnableKeyRotation)).toEqual([true, true])
    expect(keys.some((key) => key.Properties.KeyUsage === 'SIGN_VERIFY')).toBe(false)
  })

  it('lets only the minting, rotating and seeding functions decrypt the private key set', () => {
    // Registration order: the signing functions in route-table order, keys-init, rotation.
    const readers = [
      handler('exchange-jwt'),
      handler('oauth2'),
      tollgate.keysInit,
      tollgate.keyRotation,
    ].filter((fn): fn is TollgateFunction => fn !== undefined)
    expect(decryptors(signingSecretKey)).toEqual(readers.map((fn) => arnOf(fn.role)))
  })

  it('lets the Basic-auth authorizer decrypt the pepper beside the hashing functions and keys-init', () => {
    // Registration order: the authorizer, the routed functions in route-table order, keys-init,
    // bootstrap.
    const readers = [
      authorizerFn,
      ...routedHandlers()
        .filter((name) => ROUTED_HANDLER_CAPABILITIES[name].includes('hash-with-pepper'))
        .map(handler),
      tollgate.keysInit,
      tollgate.bootstrap,
    ]
    expect(decryptors(pepperKey)).toEqual(readers.map((fn) => arnOf(fn.role)))
    expect(
      (
        template.toJSON().Resources[logicalId(pepperKey)].Properties.KeyPolicy.Statement as {
          Principal: unknown
        }[]
      ).every((statement) => JSON.stringify(statement.Principal) === JSON.stringify(ACCOUNT_ROOT)),
    ).toBe(true)
  })

  it('configures the functions with the secret, not KMS key ids, and ES256', () => {
    const variables =
      template.toJSON().Resources[logicalId(handler('jwks'))].Properties.Environment.Variables
    expect(variables).toMatchObject({
      KEY_SOURCE: 'secrets-manager',
      JWT_ALG: 'ES256',
      SIGNING_KEYS_SECRET_ID: refOf(signingSecret),
    })
    expect(variables).not.toHaveProperty('KMS_KEY_IDS')
    expect(
      template.toJSON().Resources[logicalId(authorizerFn)].Properties.Environment.Variables,
    ).toMatchObject({
      BASIC_AUTH_ENABLED: 'true',
    })
  })

  it('leaves the minting route to the stage throttle (no KMS quota to protect)', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]
    expect(stage?.Properties).not.toHaveProperty('RouteSettings')
  })

  it('outputs the signing-key secret instead of KMS key ids', () => {
    const outputs = template.toJSON().Outputs
    expect(outputs.SigningKeysSecretId.Value).toEqual(refOf(signingSecret))
    expect(outputs).not.toHaveProperty('KmsKeyIds')
  })
  it('rotates the signing-key secret daily, after keys init, never at deploy', () => {
    const fn = tollgate.keyRotation as TollgateFunction
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: refOf(signingSecret),
      RotationLambdaARN: arnOf(fn),
      RotationRules: { ScheduleExpression: 'rate(1 day)' },
      RotateImmediatelyOnUpdate: false,
    })
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: arnOf(fn),
      Principal: 'secretsmanager.amazonaws.com',
      SourceArn: refOf(signingSecret),
    })
    expect(unacknowledgedFindings(stack)).toEqual([])
  })

  it('writes a rotation under a day in hours, the form Secrets Manager documents', () => {
    const every12Hours = new TollgateStack(
      new App({ outdir: OUTDIR, context: CDK_CONTEXT }),
      'TollgateRotatingTwiceADay',
      {
        tollgate: { keySource: 'secrets-manager', signingKeyRotation: Duration.hours(12) },
      },
    )
    Template.fromStack(every12Hours).hasResourceProperties(
      'AWS::SecretsManager::RotationSchedule',
      { RotationRules: { ScheduleExpression: 'rate(12 hours)' } },
    )
  })

  it('runs keys init with the signing-key secret too, and rotation only after it', () => {
    const resources = Object.values(template.findResources('Custom::TollgateKeysInit'))
    expect(resources[0]?.Properties).toMatchObject({
      KeySource: 'secrets-manager',
      JwtAlg: 'ES256',
      PepperSecretId: refOf(pepperSecret),
      SigningKeysSecretId: refOf(signingSecret),
    })
    const schedule = Object.values(template.findResources('AWS::SecretsManager::RotationSchedule'))
    expect(schedule[0]?.DependsOn).toEqual(
      expect.arrayContaining([logicalId(tollgate.node.findChild('KeysInitResource'))]),
    )
  })

  it('tells the rotation every cache it waits out, the authorizer result cache included', () => {
    const fn = tollgate.keyRotation as TollgateFunction
    expect(
      template.toJSON().Resources[logicalId(fn)].Properties.Environment.Variables,
    ).toMatchObject({
      KEYS_CACHE_TTL_SECONDS: '300',
      MAX_JWT_DURATION_SECONDS: '43200',
      AUTHORIZER_CACHE_TTL_SECONDS: '10',
      SIGNING_KEYS_SECRET_ID: refOf(signingSecret),
    })
  })

  it('lists no function in cdk-nag findings', () => {
    const findings = new AwsSolutionsChecks().validateScope(stack).violations
    expect(findings.filter((finding) => finding.ruleName.startsWith('AwsSolutions-L'))).toEqual([])
  })

  it('has one function per routed handler module here too', () => {
    expect([...tollgate.handlers.keys()]).toEqual(routedHandlers())
  })
})
