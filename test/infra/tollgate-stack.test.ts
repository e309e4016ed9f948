import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Match } from 'aws-cdk-lib/assertions'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import type { IConstruct } from 'constructs'
import { describe, expect, it } from 'vitest'
import { TOKEN_TABLE } from '../../functions/adapters/token-table.js'
import { ROUTES, routeKey } from '../../functions/core/routes.js'
import { keysInitProperties } from '../../functions/handlers/keys-init.js'
import { REPO_ROOT } from '../../infra/bundling.js'
import { ROUTED_HANDLER_CAPABILITIES } from '../../infra/constructs/permissions.js'
import { authorizationOf, routedHandlers } from '../../infra/constructs/routes.js'
import type { TollgateFunction } from '../../infra/constructs/tollgate-function.js'
import { tollgateApp } from '../../infra/tollgate-app.js'
import { coldStart } from './support/cold-start.js'
import {
  ACCOUNT_ROOT,
  acknowledgements,
  arnOf,
  baseStatements,
  CDK_CONTEXT,
  deployedEnvironments,
  logicalId,
  OUTDIR,
  pepperStatements,
  refOf,
  resourcesOf,
  statementsOfRole,
  synthTollgate,
  unacknowledgedFindings,
  VIA_SECRETS_MANAGER,
} from './support/synth.js'

// Synthesized once for the whole file: the default deployment (KMS, RS256).
const { app, stack, template, synthMs } = synthTollgate()
const tollgate = stack.tollgate
const signingKey = tollgate.keys.signingKeys[0] as IConstruct
const pepperKey = tollgate.keys.node.findChild('PepperKey')
const pepperSecret = tollgate.keys.node.findChild('PepperSecret')
const handler = (name: string) => tollgate.handlers.get(name as never) as TollgateFunction
const authorizerFn = tollgate.authorizer.function as TollgateFunction

const TABLE = arnOf(tollgate.table)
const SIGNING_KEY = arnOf(signingKey)
const PEPPER = pepperStatements(pepperSecret, pepperKey)
const READ_CALLER_RECORDS = {
  Sid: 'ReadCallerRecords',
  Action: 'dynamodb:BatchGetItem',
  Effect: 'Allow',
  Resource: TABLE,
  Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*', 'OWNER#*'] } },
}
const READ_PUBLIC_KEYS = {
  Sid: 'ReadPublicKeys',
  Action: 'kms:GetPublicKey',
  Effect: 'Allow',
  Resource: SIGNING_KEY,
}

describe('synthesis', () => {
  it('synthesizes in seconds, bundling included', () => {
    expect(synthMs).toBeLessThan(60_000)
  })
})

describe('Lambda functions', () => {
  const functions = template.findResources('AWS::Lambda::Function')
  const tollgateFunctions = Object.entries(functions).filter(([, fn]) =>
    String(fn.Properties.Description).startsWith('Tollgate'),
  )

  it('has one function per handler module of the route table, plus the authorizer, keys-init and bootstrap', () => {
    const handlers = tollgateFunctions.map(([, fn]) => fn.Properties.Handler).sort()
    const expected = [...routedHandlers(), 'authorizer', 'keys-init', 'bootstrap']
    expect(handlers).toEqual(expected.map((name) => `${name}.handler`).sort())
  })

  it.each(tollgateFunctions)(
    '%s runs nodejs24.x on arm64, traced, source-mapped, with its own log group',
    (id, fn) => {
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: 512,
        Environment: {
          Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'tollgate' },
        },
      })
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30 },
        DeletionPolicy: 'Retain',
      })
      expect(id).toMatch(/^Tollgate/)
    },
  )

  it('bundles each handler as split ESM, with source maps and a package.json that says so', () => {
    const assets = readdirSync(OUTDIR)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => ({ dir: join(OUTDIR, name), files: readdirSync(join(OUTDIR, name)) }))
    for (const name of [...routedHandlers(), 'authorizer', 'bootstrap']) {
      const asset = assets.find(({ files }) => files.includes(`${name}.js`))
      expect(asset?.files).toEqual(expect.arrayContaining([`${name}.js.map`, 'package.json']))
      expect(readFileSync(join(asset?.dir ?? '', 'package.json'), 'utf8')).toBe(
        '{"type":"module"}\n',
      )
      expect(readFileSync(join(asset?.dir ?? '', `${name}.js`), 'utf8')).toMatch(
        /^import \{ createRequire as __bannerCreateRequire \}/,
      )
    }
  })

  it('gives every function the same configuration, the authorizer its own on top', () => {
    const common = {
      ISSUER: { 'Fn::GetAtt': [logicalId(tollgate.api), 'ApiEndpoint'] },
      AUDIENCE: 'tollgate',
      TABLE_NAME: refOf(tollgate.table),
      KEYS_CACHE_TTL_SECONDS: '300',
      MAX_JWT_DURATION_SECONDS: '43200',
      KEY_SOURCE: 'kms',
      JWT_ALG: 'RS256',
      PEPPER_SECRET_ID: refOf(pepperSecret),
      KMS_KEY_IDS: SIGNING_KEY,
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'tollgate',
    }
    for (const fn of [...routedHandlers().map(handler), tollgate.bootstrap]) {
      expect(functions[logicalId(fn)]?.Properties.Environment.Variables).toEqual(common)
    }
    expect(functions[logicalId(authorizerFn)]?.Properties.Environment.Variables).toEqual({
      ...common,
      REVOCATION_CHECK: 'true',
      REVOCATION_REFRESH_SECONDS: '10',
      REVOCATION_MAX_DELAY_SECONDS: '30',
      AUTHORIZER_CACHE_TTL_SECONDS: '10',
      BASIC_AUTH_ENABLED: 'false',
      HTTP_API_AUTHORIZER_RESPONSE: 'simple',
    })
  })
})

describe('cold starts with the synthesized configuration', () => {
  it.each(deployedEnvironments(template).map((fn) => [fn.module, fn] as const))(
    '%s parses its environment and finds the key material it uses',
    async (_module, fn) => {
      await expect(coldStart(fn.module, fn.environment)).resolves.toBeUndefined()
    },
  )

  it('covers every deployed Tollgate function', () => {
    expect(
      deployedEnvironments(template)
        .map((fn) => fn.module)
        .sort(),
    ).toEqual([...routedHandlers(), 'authorizer', 'keys-init', 'bootstrap'].sort())
  })
})

describe('least privilege, statement by statement (KEY_SOURCE=kms)', () => {
  const statements = (fn: TollgateFunction) => statementsOfRole(template, stack, fn.role)

  it('declares a permission profile for every handler of the route table', () => {
    for (const route of ROUTES) expect(ROUTED_HANDLER_CAPABILITIES[route.handler]).toBeDefined()
  })

  it('exchange-jwt signs with the current key only, with the one algorithm, reads the pepper and the caller records', () => {
    const fn = handler('exchange-jwt')
    expect(statements(fn)).toEqual([
      ...baseStatements(fn.logGroup),
      {
        Sid: 'ReadSigningPublicKey',
        Action: 'kms:GetPublicKey',
        Effect: 'Allow',
        Resource: SIGNING_KEY,
      },
      {
        Sid: 'SignWithCurrentKey',
        Action: 'kms:Sign',
        Effect: 'Allow',
        Resource: SIGNING_KEY,
        Condition: { StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_256' } },
      },
      ...PEPPER,
      READ_CALLER_RECORDS,
      {
        Sid: 'RecordTokenUse',
        Action: 'dynamodb:UpdateItem',
        Effect: 'Allow',
        Resource: TABLE,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*'] } },
      },
    ])
  })

  it('jwks reads public keys and nothing else', () => {
    const fn = handler('jwks')
    expect(statements(fn)).toEqual([...baseStatements(fn.logGroup), READ_PUBLIC_KEYS])
  })

  it.each(['openid-configuration', 'openapi', 'console'])(
    '%s reads nothing: it answers from its configuration',
    (name) => {
      const fn = handler(name)
      expect(statements(fn)).toEqual(baseStatements(fn.logGroup))
    },
  )

  const onTable = (Sid: string, Action: string, keys: string[]) => ({
    Sid,
    Action,
    Effect: 'Allow',
    Resource: TABLE,
    Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } },
  })
  const index = (name: string) => ({ 'Fn::Join': ['', [TABLE, `/index/${name}`]] })

  it('service-accounts verifies callers, hashes, and writes accounts, names, deny entries and their audit, never a token', () => {
    const fn = handler('service-accounts')
    expect(statements(fn)).toEqual([
      ...baseStatements(fn.logGroup),
      READ_PUBLIC_KEYS,
      ...PEPPER,
      READ_CALLER_RECORDS,
      onTable('ReadFederatedCallers', 'dynamodb:GetItem', ['TRUST_POLICIES', 'OWNER#*']),
      onTable('ReadRevokedJwts', 'dynamodb:GetItem', ['REVOKED_JWT#*']),
      onTable('ReadServiceAccounts', 'dynamodb:GetItem', ['OWNER#*']),
      onTable('WriteServiceAccounts', 'dynamodb:PutItem', [
        'OWNER#*',
        'SA_NAME#*',
        'DENY#*',
        'AUDIT#service_account#*',
      ]),
      onTable('FreeAccountNames', 'dynamodb:DeleteItem', ['SA_NAME#*']),
      onTable('ReadServiceAccountEvents', 'dynamodb:Query', ['AUDIT#service_account#*']),
      {
        Sid: 'ListServiceAccounts',
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: index('gsi2'),
      },
    ])
  })

  it('access-tokens verifies callers, hashes, and writes tokens, owners, deny entries and audit, never a name', () => {
    const fn = handler('access-tokens')
    expect(statements(fn)).toEqual([
      ...baseStatements(fn.logGroup),
      READ_PUBLIC_KEYS,
      ...PEPPER,
      READ_CALLER_RECORDS,
      onTable('ReadFederatedCallers', 'dynamodb:GetItem', ['TRUST_POLICIES', 'OWNER#*']),
      onTable('ReadRevokedJwts', 'dynamodb:GetItem', ['REVOKED_JWT#*']),
      onTable('ReadTokenOwners', 'dynamodb:GetItem', ['OWNER#*']),
      onTable('WriteAccessTokens', 'dynamodb:PutItem', [
        'TOKEN#*',
        'OWNER#*',
        'DENY#*',
        'AUDIT#token#*',
        'AUDIT#service_account#*',
        'AUDIT#user#*',
      ]),
      onTable('ChangeAccessTokens', 'dynamodb:UpdateItem', ['TOKEN#*']),
      onTable('ReadTokenEvents', 'dynamodb:Query', ['AUDIT#token#*']),
      {
        Sid: 'ListAccessTokens',
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: [index('gsi1'), index('gsi2')],
      },
    ])
  })

  it('whoami reads public keys and its caller records; it neither signs nor hashes', () => {
    const fn = handler('whoami')
    expect(statements(fn)).toEqual([
      ...baseStatements(fn.logGroup),
      READ_PUBLIC_KEYS,
      READ_CALLER_RECORDS,
      onTable('ReadFederatedCallers', 'dynamodb:GetItem', ['TRUST_POLICIES', 'OWNER#*']),
      onTable('ReadRevokedJwts', 'dynamodb:GetItem', ['REVOKED_JWT#*']),
    ])
  })

  it('the authorizer reads public keys and queries the DENY# partitions only', () => {
    expect(statements(authorizerFn)).toEqual([
      ...baseStatements(authorizerFn.logGroup),
      READ_PUBLIC_KEYS,
      {
        Sid: 'ReadDenyList',
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: TABLE,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DENY#*'] } },
      },
    ])
  })
  it('keys-init seeds the pepper secret through Secrets Manager', () => {
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
        Resource: refOf(pepperSecret),
      },
      {
        Sid: 'EncryptSeededSecrets',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Effect: 'Allow',
        Resource: arnOf(pepperKey),
        Condition: VIA_SECRETS_MANAGER,
      },
    ])
  })

  it('bootstrap reads the bootstrap marker, Puts one admin and reads the pepper; nothing else', () => {
    const fn = tollgate.bootstrap
    expect(statements(fn)).toEqual([
      ...baseStatements(fn.logGroup),
      {
        Sid: 'ReadBootstrapMarker',
        Action: 'dynamodb:GetItem',
        Effect: 'Allow',
        Resource: TABLE,
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['META'] } },
      },
      {
        Sid: 'MintAdmin',
        Action: 'dynamodb:PutItem',
        Effect: 'Allow',
        Resource: TABLE,
        Condition: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': [
              'META',
              'OWNER#*',
              'SA_NAME#*',
              'TOKEN#*',
              'AUDIT#service_account#*',
              'AUDIT#token#*',
            ],
          },
        },
      },
      ...PEPPER,
    ])
  })

  it('lets nobody but the account invoke bootstrap: no trigger, no resource policy', () => {
    const invokers = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (permission) =>
        JSON.stringify(permission.Properties.FunctionName) ===
        JSON.stringify(arnOf(tollgate.bootstrap)),
    )
    expect(invokers).toEqual([])
    expect(
      Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
        (mapping) =>
          JSON.stringify(mapping.Properties.FunctionName) ===
          JSON.stringify(refOf(tollgate.bootstrap)),
      ),
    ).toEqual([])
  })
})

describe('keys and secrets (KEY_SOURCE=kms)', () => {
  const keyPolicy = (key: IConstruct) =>
    template.toJSON().Resources[logicalId(key)].Properties.KeyPolicy.Statement as unknown[]
  const adminStatement = expect.objectContaining({
    Sid: 'KeyAdministration',
    Principal: ACCOUNT_ROOT,
    Action: expect.not.arrayContaining(['kms:Sign', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:*']),
  })

  it('signs with an RSA_2048 SIGN_VERIFY key that outlives the stack', () => {
    expect(template.toJSON().Resources[logicalId(signingKey)]).toMatchObject({
      Properties: { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    })
  })

  it('lets IAM grant the public key, and only the minting functions sign, with RS256 only', () => {
    expect(keyPolicy(signingKey)).toEqual([
      adminStatement,
      {
        Sid: 'ReadPublicKeyThroughIam',
        Action: ['kms:DescribeKey', 'kms:GetPublicKey'],
        Effect: 'Allow',
        Principal: ACCOUNT_ROOT,
        Resource: '*',
      },
      {
        Sid: 'SignOnlyFromMintingFunctions',
        Action: 'kms:Sign',
        Effect: 'Allow',
        Principal: ACCOUNT_ROOT,
        Resource: '*',
        Condition: {
          ArnEquals: {
            'aws:PrincipalArn': [
              arnOf(handler('exchange-jwt').role),
              arnOf(handler('oauth2').role),
            ],
          },
          StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_256' },
        },
      },
    ])
  })

  it('keeps the pepper under its own rotating key that only the hashing functions may decrypt', () => {
    // Registration order: the routed functions in route-table order, keys-init, bootstrap.
    const readers = [
      ...routedHandlers()
        .filter((name) => ROUTED_HANDLER_CAPABILITIES[name].includes('hash-with-pepper'))
        .map(handler),
      tollgate.keysInit,
      tollgate.bootstrap,
    ]
    expect(template.toJSON().Resources[logicalId(pepperKey)]).toMatchObject({
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    })
    expect(keyPolicy(pepperKey)).toEqual([
      adminStatement,
      {
        Sid: 'EncryptThroughSecretsManager',
        Action: 'kms:GenerateDataKey',
        Effect: 'Allow',
        Principal: ACCOUNT_ROOT,
        Resource: '*',
        Condition: VIA_SECRETS_MANAGER,
      },
      {
        Sid: 'DecryptOnlyForNamedFunctions',
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Principal: ACCOUNT_ROOT,
        Resource: '*',
        Condition: {
          ...VIA_SECRETS_MANAGER,
          ArnEquals: { 'aws:PrincipalArn': readers.map((fn) => arnOf(fn.role)) },
        },
      },
    ])
  })

  it('lets only Lambda function roles decrypt the pepper: no person, no other service', () => {
    const decrypt = keyPolicy(pepperKey).find(
      (statement) => (statement as { Sid: string }).Sid === 'DecryptOnlyForNamedFunctions',
    ) as { Condition: { ArnEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [string, string] }[] } } }
    const resources = resourcesOf(template)
    const readers = decrypt.Condition.ArnEquals['aws:PrincipalArn']
    expect(readers).toContainEqual(arnOf(tollgate.bootstrap.role))
    for (const reader of readers) {
      const role = resources[reader['Fn::GetAtt'][0]]
      expect(role?.Type).toBe('AWS::IAM::Role')
      expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'lambda.amazonaws.com' },
        },
      ])
    }
  })

  it('creates the pepper secret with a placeholder keys-init replaces, and keeps it', () => {
    expect(template.toJSON().Resources[logicalId(pepperSecret)]).toMatchObject({
      Properties: {
        KmsKeyId: arnOf(pepperKey),
        GenerateSecretString: {
          SecretStringTemplate: '{"uninitialized":true}',
          GenerateStringKey: 'placeholder',
        },
      },
      DeletionPolicy: 'Retain',
    })
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0)
  })

  it('runs keys init once at deploy through a custom resource, with the keys-init contract', () => {
    const resources = Object.values(template.findResources('Custom::TollgateKeysInit'))
    expect(resources).toHaveLength(1)
    expect(resources[0]?.Properties).toEqual({
      ServiceToken: expect.anything(),
      ServiceTimeout: '300',
      KeySource: 'kms',
      JwtAlg: 'RS256',
      TableName: refOf(tollgate.table),
      PepperSecretId: refOf(pepperSecret),
    })
    // The properties keys-init reads (functions/handlers/keys-init.ts) accept what the stack sets.
    expect(
      keysInitProperties({
        ...resources[0]?.Properties,
        TableName: 'tollgate',
        PepperSecretId: 'arn:secret',
      }),
    ).toMatchObject({ keySource: 'kms', signingKeysSecretId: undefined })
  })
})

describe('the token table', () => {
  const table = () => template.toJSON().Resources[logicalId(tollgate.table)]

  it('has the key schema, indexes and TTL of functions/adapters/token-table.ts', () => {
    const { partitionKey, sortKey, ownerIndex, listIndex, timeToLiveAttribute } = TOKEN_TABLE
    const index = (i: typeof ownerIndex | typeof listIndex) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      // Never last_used_at: a recorded use writes the item alone (docs/cost-and-scale.md).
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['name'] },
    })
    expect(table().Properties).toMatchObject({
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [index(ownerIndex), index(listIndex)],
      TimeToLiveSpecification: { AttributeName: timeToLiveAttribute, Enabled: true },
    })
  })

  it('is on demand, point-in-time recoverable, deletion protected and retained', () => {
    expect(table()).toMatchObject({
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    })
  })
})

describe('the HTTP API', () => {
  const resources = resourcesOf(template)
  const routes = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')

  it('has exactly the routes of the route table', () => {
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(
      ROUTES.map(routeKey).sort(),
    )
  })

  it.each(ROUTES.map((route) => [routeKey(route), route] as const))(
    '%s goes to its handler function, guarded as the route table says',
    (key, route) => {
      const cfnRoute = routes.find((r) => r.Properties.RouteKey === key)
      const integrationId = cfnRoute?.Properties.Target['Fn::Join'][1][1].Ref
      expect(resources[integrationId]?.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: arnOf(handler(route.handler)),
      })
      const guarded = authorizationOf(route) === 'authorizer'
      expect(cfnRoute?.Properties.AuthorizationType).toBe(guarded ? 'CUSTOM' : 'NONE')
      if (guarded) {
        expect(cfnRoute?.Properties.AuthorizerId).toEqual(
          refOf(tollgate.authorizer.node.findChild('HttpAuthorizer')),
        )
      }
    },
  )

  it.each(ROUTES.map((route) => [routeKey(route), route] as const))(
    'API Gateway may invoke %s only through its own path',
    (_key, route) => {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: arnOf(handler(route.handler)),
        Principal: 'apigateway.amazonaws.com',
        SourceArn: {
          'Fn::Join': ['', Match.arrayWith([refOf(tollgate.api), `/*/*${route.path}`])],
        },
      })
    },
  )

  it('puts the Lambda authorizer in front with $context.routeKey and the 10 s cache', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization', '$context.routeKey'],
      AuthorizerResultTtlInSeconds: 10,
      AuthorizerUri: { 'Fn::Join': ['', Match.arrayWith([arnOf(authorizerFn), '/invocations'])] },
    })
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: arnOf(authorizerFn),
      Principal: 'apigateway.amazonaws.com',
      SourceArn: {
        'Fn::Join': [
          '',
          Match.arrayWith([
            '/authorizers/',
            refOf(tollgate.authorizer.node.findChild('HttpAuthorizer')),
          ]),
        ],
      },
    })
  })

  it('throttles the stage only: no route throttle that garbage on the mint route could spend', () => {
    const [stage] = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Stage')
    expect(stage?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
    })
    expect(stage?.Properties.RouteSettings).toBeUndefined()
  })

  it('bounds KMS Sign calls by the signing functions’ reserved concurrency: the RSA quota × 25 ms between them, nothing else reserved', () => {
    const reserved = Object.entries(template.findResources('AWS::Lambda::Function')).flatMap(
      ([id, fn]) =>
        fn.Properties.ReservedConcurrentExecutions === undefined
          ? []
          : [[id, fn.Properties.ReservedConcurrentExecutions]],
    )
    // 13 in all: the exchange takes the odd one.
    expect(reserved).toEqual([
      [logicalId(handler('exchange-jwt')), 7],
      [logicalId(handler('oauth2')), 6],
    ])
  })

  it('keeps the execute-api endpoint when there is no custom domain', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      DisableExecuteApiEndpoint: Match.absent(),
    })
    expect(template.findResources('AWS::ApiGatewayV2::DomainName')).toEqual({})
    expect(template.findResources('AWS::CloudFront::Distribution')).toEqual({})
    expect(template.findResources('AWS::WAFv2::WebACL')).toEqual({})
  })

  it('writes JSON access logs with the caller but never a header or body', () => {
    const stage = Object.values(resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')
    const format = JSON.parse(stage?.Properties.AccessLogSettings.Format)
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      sub: '$context.authorizer.sub',
      atid: '$context.authorizer.atid',
    })
    expect(JSON.stringify(format)).not.toMatch(/header|body/i)
    expect(stage?.Properties.AccessLogSettings.DestinationArn).toEqual(
      arnOf(tollgate.node.findChild('AccessLogs')),
    )
  })

  it('tells a 429 from an authorizer deny or throw, and the integration from the gateway, in the access log', () => {
    const stage = Object.values(resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')
    expect(JSON.parse(stage?.Properties.AccessLogSettings.Format)).toMatchObject({
      apiId: '$context.apiId',
      errorResponseType: '$context.error.responseType',
      integrationStatus: '$context.integrationStatus',
      integrationLatencyMs: '$context.integrationLatency',
      authorizerError: '$context.authorizer.error',
    })
  })
})

describe('outputs', () => {
  it('give the API URL, issuer, JWKS URL and what bootstrap and downstream authorizers read', () => {
    const endpoint = { 'Fn::GetAtt': [logicalId(tollgate.api), 'ApiEndpoint'] }
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>
    expect(
      Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.Value])),
    ).toEqual({
      ApiUrl: endpoint,
      Issuer: endpoint,
      JwksUrl: { 'Fn::Join': ['', [endpoint, '/.well-known/jwks.json']] },
      TableName: refOf(tollgate.table),
      TableArn: arnOf(tollgate.table),
      KeySource: 'kms',
      PepperSecretId: refOf(pepperSecret),
      KmsKeyIds: SIGNING_KEY,
      AuthorizerFunctionName: refOf(authorizerFn),
      BootstrapFunctionName: refOf(tollgate.bootstrap),
    })
  })
})

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing that is not acknowledged', () => {
    expect(unacknowledgedFindings(app)).toEqual([])
  })

  it('acknowledges only these findings, each with a reason', () => {
    const acks = acknowledgements(stack)
    for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(60)
    const byRule = (id: string) =>
      acks.filter((ack) => ack.id === id).map((ack) => ack.path.replace('Tollgate/Tollgate/', ''))
    expect(
      new Set(acks.map((ack) => ack.id.replace(/\[Resource::<.*>:\*\]$/, '[Resource::<fn>:*]'))),
    ).toEqual(
      new Set([
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-SMG4',
        ...(ROUTES.some((route) => authorizationOf(route) !== 'authorizer')
          ? ['AwsSolutions-APIG4']
          : []),
        'AwsSolutions-IAM5[Resource::<fn>:*]',
      ]),
    )
    expect(byRule('AwsSolutions-SMG4')).toEqual(['Keys/PepperSecret'])
    expect(byRule('AwsSolutions-APIG4').sort()).toEqual(
      ROUTES.filter((route) => authorizationOf(route) !== 'authorizer')
        .map((route) => `Route ${routeKey(route).replaceAll('/', '|')}`)
        .sort(),
    )
  })

  it('fails synthesis on any finding nobody acknowledged', () => {
    const { app: other, stack: otherStack } = tollgateApp({ outdir: OUTDIR, context: CDK_CONTEXT })
    new sqs.Queue(otherStack, 'UnencryptedQueue')
    expect(() => other.synth()).toThrow(/AwsSolutions-SQS3/)
  })
})

describe('cdk.json', () => {
  it('runs the app offline with telemetry and notices off', () => {
    expect(CDK_CONTEXT['cli-telemetry']).toBe(false)
    expect(readdirSync(REPO_ROOT)).toContain('cdk.json')
  })
})
