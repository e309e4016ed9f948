import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { App, Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import * as iam from 'aws-cdk-lib/aws-iam'
import { beforeAll, describe, expect, it } from 'vitest'
import { itemKeys } from '../../functions/adapters/token-table.js'
import { ROUTES } from '../../functions/core/routes.js'
import { REPO_ROOT } from '../../infra/bundling.js'
import { KeyMaterial } from '../../infra/constructs/key-material.js'
import { withDefaults } from '../../infra/constructs/options.js'
import {
  authorizerCapabilities,
  BOOTSTRAP_CAPABILITIES,
  type Capability,
  type GrantTargets,
  PARTITIONS,
  ROUTED_HANDLER_CAPABILITIES,
  statementsFor,
} from '../../infra/constructs/permissions.js'
import { authorizationOf } from '../../infra/constructs/routes.js'
import { Tollgate } from '../../infra/constructs/tollgate.js'
import type { TollgateFunction } from '../../infra/constructs/tollgate-function.js'
import {
  arnOf,
  CDK_CONTEXT,
  statementsOfRole,
  synthTollgate,
  UNROUTED_HANDLERS,
} from './support/synth.js'

const TARGETS: GrantTargets = {
  keySource: 'kms',
  jwtAlg: 'RS256',
  tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/tollgate',
  indexArns: [
    'arn:aws:dynamodb:eu-west-1:123456789012:table/tollgate/index/gsi1',
    'arn:aws:dynamodb:eu-west-1:123456789012:table/tollgate/index/gsi2',
  ],
  kmsKeyArns: [
    'arn:aws:kms:eu-west-1:123456789012:key/signing',
    'arn:aws:kms:eu-west-1:123456789012:key/next',
  ],
  pepper: {
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pepper',
    keyArn: 'arn:aws:kms:eu-west-1:123456789012:key/pepper',
  },
  secretsManagerService: 'secretsmanager.eu-west-1.amazonaws.com',
}
const SECRETS_MANAGER_TARGETS: GrantTargets = {
  ...TARGETS,
  keySource: 'secrets-manager',
  kmsKeyArns: [],
  signingKeys: {
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:jwks',
    keyArn: 'arn:aws:kms:eu-west-1:123456789012:key/jwks',
  },
}
/** Whether a module under functions/entries/ exports a Lambda `handler`. */
const readHandlerExport = (name: string): boolean =>
  /^export const handler\b/m.test(
    readFileSync(join(REPO_ROOT, 'functions', 'entries', `${name}.ts`), 'utf8'),
  )

const render = (capabilities: readonly Capability[], targets = TARGETS) =>
  statementsFor(capabilities, targets).map((statement) => statement.toStatementJson())

const VIA_SM = { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } }
const PUBLIC_KEYS = {
  Sid: 'ReadPublicKeys',
  Action: 'kms:GetPublicKey',
  Effect: 'Allow',
  Resource: TARGETS.kmsKeyArns,
}
const PEPPER = [
  {
    Sid: 'ReadPepper',
    Action: 'secretsmanager:GetSecretValue',
    Effect: 'Allow',
    Resource: TARGETS.pepper?.secretArn,
  },
  {
    Sid: 'DecryptPepper',
    Action: 'kms:Decrypt',
    Effect: 'Allow',
    Resource: TARGETS.pepper?.keyArn,
    Condition: VIA_SM,
  },
]
const READ_CALLER_RECORDS = {
  Sid: 'ReadCallerRecords',
  Action: 'dynamodb:BatchGetItem',
  Effect: 'Allow',
  Resource: TARGETS.tableArn,
  Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TOKEN#*', 'OWNER#*'] } },
}
const onTable = (Sid: string, Action: string, keys: string[]) => ({
  Sid,
  Action,
  Effect: 'Allow',
  Resource: TARGETS.tableArn,
  Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': keys } },
})
const [GSI1, GSI2] = TARGETS.indexArns

describe('the per-handler permission map', () => {
  it('covers every routed Lambda entry of functions/entries/, and every handler of the route table', () => {
    const modules = readdirSync(join(REPO_ROOT, 'functions', 'entries'))
      .filter((file) => /^[a-z][a-z0-9-]*\.ts$/.test(file))
      .map((file) => file.slice(0, -3))
      .filter((name) => readHandlerExport(name))
    const routed = modules.filter(
      (name) => !(UNROUTED_HANDLERS as readonly string[]).includes(name),
    )
    expect(Object.keys(ROUTED_HANDLER_CAPABILITIES).sort()).toEqual(routed.sort())
    for (const route of ROUTES)
      expect(Object.keys(ROUTED_HANDLER_CAPABILITIES)).toContain(route.handler)
  })

  it('service-accounts verifies callers, hashes, and writes accounts, names, deny entries and their audit, never a token', () => {
    expect(render(ROUTED_HANDLER_CAPABILITIES['service-accounts'])).toEqual([
      PUBLIC_KEYS,
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
      { Sid: 'ListServiceAccounts', Action: 'dynamodb:Query', Effect: 'Allow', Resource: GSI2 },
    ])
  })

  it('access-tokens verifies callers, hashes, and writes tokens, owners, deny entries and audit, never a name', () => {
    expect(render(ROUTED_HANDLER_CAPABILITIES['access-tokens'])).toEqual([
      PUBLIC_KEYS,
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
        Resource: [GSI1, GSI2],
      },
    ])
  })

  it('trust-policies verifies callers, hashes, and manages policies, deny entries and their audit, never a token or an owner', () => {
    expect(render(ROUTED_HANDLER_CAPABILITIES['trust-policies'])).toEqual([
      PUBLIC_KEYS,
      ...PEPPER,
      READ_CALLER_RECORDS,
      onTable('ReadRevokedJwts', 'dynamodb:GetItem', ['REVOKED_JWT#*']),
      onTable('ReadTrustPolicies', 'dynamodb:GetItem', ['TRUST_POLICIES', 'OWNER#*']),
      onTable('WriteTrustPolicies', 'dynamodb:PutItem', [
        'TRUST_POLICIES',
        'DENY#*',
        'AUDIT#trust_policy#*',
      ]),
      onTable('DeleteTrustPolicies', 'dynamodb:DeleteItem', ['TRUST_POLICIES']),
      onTable('ListTrustPolicies', 'dynamodb:Query', ['TRUST_POLICIES', 'AUDIT#trust_policy#*']),
    ])
  })

  it('oauth2 mints, verifies, reads revoked JWTs, and writes only a revocation: never a query of an index, never a name', () => {
    const statements = render(ROUTED_HANDLER_CAPABILITIES.oauth2)

    expect(statements).toContainEqual(READ_CALLER_RECORDS)
    expect(statements).toContainEqual(
      onTable('ReadRevokedJwts', 'dynamodb:GetItem', ['REVOKED_JWT#*']),
    )
    expect(statements).toContainEqual(
      onTable('RevokeOwnTokens', 'dynamodb:PutItem', [
        'OWNER#*',
        'DENY#*',
        'REVOKED_JWT#*',
        'AUDIT#token#*',
      ]),
    )
    expect(statements).toContainEqual(
      onTable('MarkOwnTokensRevoked', 'dynamodb:UpdateItem', ['TOKEN#*']),
    )
    expect(JSON.stringify(statements)).not.toMatch(
      /index|SA_NAME|DeleteItem|AUDIT#user|AUDIT#service_account/,
    )
  })

  it.each(['service-accounts', 'access-tokens', 'trust-policies'] as const)(
    '%s never signs',
    (name) => {
      expect(
        JSON.stringify(render(ROUTED_HANDLER_CAPABILITIES[name], SECRETS_MANAGER_TARGETS)),
      ).not.toMatch(/kms:Sign|secret:jwks|key\/jwks/)
    },
  )

  it.each(['openapi', 'openid-configuration', 'console'] as const)(
    '%s gets no grant at all: it answers from its configuration',
    (name) => {
      expect(render(ROUTED_HANDLER_CAPABILITIES[name])).toEqual([])
    },
  )

  it('never grants a wildcard resource or action', () => {
    const all = [
      ...Object.values(ROUTED_HANDLER_CAPABILITIES),
      authorizerCapabilities({ revocationCheck: true, basicAuth: true }),
      ['rotate-signing-keys', 'seed-keys'] as Capability[],
      BOOTSTRAP_CAPABILITIES,
    ]
    for (const targets of [TARGETS, SECRETS_MANAGER_TARGETS]) {
      const capabilities =
        targets.keySource === 'kms'
          ? all.map((c) => c.filter((x) => x !== 'rotate-signing-keys'))
          : all
      for (const statement of capabilities.flatMap((c) => render(c, targets))) {
        expect([statement.Resource].flat()).not.toContain('*')
        expect([statement.Action].flat().some((action: string) => action.endsWith('*'))).toBe(false)
      }
    }
  })

  it.each([
    ['kms', TARGETS],
    ['secrets-manager', SECRETS_MANAGER_TARGETS],
  ] as const)(
    'bootstrap (%s) may read only the marker and Put only what one admin is made of',
    (_source, targets) => {
      const statements = render(BOOTSTRAP_CAPABILITIES, targets)

      expect(statements).toEqual([
        {
          Sid: 'ReadBootstrapMarker',
          Action: 'dynamodb:GetItem',
          Effect: 'Allow',
          Resource: TARGETS.tableArn,
          Condition: {
            'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [itemKeys.bootstrap().pk] },
          },
        },
        {
          Sid: 'MintAdmin',
          Action: 'dynamodb:PutItem',
          Effect: 'Allow',
          Resource: TARGETS.tableArn,
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
      // Never changes or deletes what exists, lists nothing, touches no deny-list or key.
      expect(JSON.stringify(statements)).not.toMatch(
        /UpdateItem|DeleteItem|Query|BatchGetItem|DENY#|KEYSET#|kms:Sign|secret:jwks|index\//,
      )
    },
  )

  it('takes partition patterns from the table module', () => {
    expect(PARTITIONS).toEqual({
      tokens: `${itemKeys.token('x').pk.split('#')[0]}#*`,
      owners: `${itemKeys.owner('x').pk.split('#')[0]}#*`,
      accountNames: `${itemKeys.accountName('x').pk.split('#')[0]}#*`,
      tokenAudit: 'AUDIT#token#*',
      serviceAccountAudit: 'AUDIT#service_account#*',
      userAudit: 'AUDIT#user#*',
      trustPolicyAudit: 'AUDIT#trust_policy#*',
      trustPolicies: itemKeys.trustPolicy('x').pk,
      denyList: 'DENY#*',
      revokedJwts: 'REVOKED_JWT#*',
      publicKeySet: itemKeys.publicKeySet().pk,
    })
  })

  it('refuses a grant whose resource is not configured', () => {
    expect(() => statementsFor(['hash-with-pepper'], { ...TARGETS, pepper: undefined })).toThrow(
      /the pepper secret is not configured/,
    )
    expect(() => statementsFor(['rotate-signing-keys'], TARGETS)).toThrow(/signing-key secret/)
    expect(() => statementsFor(['manage-access-tokens'], { ...TARGETS, indexArns: [] })).toThrow(
      /the index gsi1 is not configured/,
    )
  })

  it('reads authorization from the route table', () => {
    for (const route of ROUTES)
      expect(['none', 'handler', 'authorizer']).toContain(authorizationOf(route))
  })
})

describe('KeyMaterial', () => {
  const keyMaterial = (
    props: Partial<ConstructorParameters<typeof KeyMaterial>[2]>,
    register = true,
  ) => {
    const stack = new Stack(new App({ context: CDK_CONTEXT }), 'Keys')
    const keys = new KeyMaterial(stack, 'Keys', {
      keySource: 'kms',
      jwtAlg: 'RS256',
      kmsKeys: ['A'],
      ...props,
    })
    const role = new iam.Role(stack, 'Minter', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    })
    if (register) keys.allow(role, ['sign', 'hash-with-pepper'])
    return { stack, keys }
  }

  it('makes ES256 keys ECC_NIST_P256 and allows only ECDSA_SHA_256', () => {
    const template = Template.fromStack(keyMaterial({ jwtAlg: 'ES256' }).stack)
    template.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
    })
    expect(JSON.stringify(template.toJSON())).toContain('"kms:SigningAlgorithm":"ECDSA_SHA_256"')
  })

  it('lets only the first key of KMS_KEY_IDS sign; the others are published only', () => {
    const { stack, keys } = keyMaterial({ kmsKeys: ['Next', 'Current'] })
    const template = Template.fromStack(stack)
    const policies = keys.signingKeys.map(
      (key) =>
        template.toJSON().Resources[stack.getLogicalId(key.node.defaultChild as never)].Properties
          .KeyPolicy,
    )
    expect(policies.map((policy) => policy.Statement.map((s: { Sid: string }) => s.Sid))).toEqual([
      ['KeyAdministration', 'ReadPublicKeyThroughIam', 'SignOnlyFromMintingFunctions'],
      ['KeyAdministration', 'ReadPublicKeyThroughIam'],
    ])
    expect(keys.environment.KMS_KEY_IDS).toMatch(/,/)
  })

  it('fails synth when no function may use a key it created', () => {
    const { stack } = keyMaterial({}, false)
    expect(() => Template.fromStack(stack)).toThrow(/no function was registered as signers/)
  })

  it('refuses to name a role of another stack in its key policies (a dependency cycle)', () => {
    const { stack, keys } = keyMaterial({})
    const other = new Stack(stack.node.root as App, 'UserApp')
    const role = new iam.Role(other, 'Authorizer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    })
    expect(() => keys.allow(role, ['hash-with-pepper'])).toThrow(/in another stack/)
    expect(() => keys.allow(role, ['read-public-keys', 'read-deny-list'])).not.toThrow()
  })

  it('refuses an empty or repeated key list', () => {
    expect(() => keyMaterial({ kmsKeys: [] })).toThrow(/at least one KMS key/)
    expect(() => keyMaterial({ kmsKeys: ['A', 'A'] })).toThrow(/must not repeat/)
  })
})

describe('options', () => {
  it('keeps defaults for undefined options and rejects unknown keys', () => {
    expect(withDefaults('X', { a: 1, b: 2 }, { a: undefined, b: 3 })).toEqual({ a: 1, b: 3 })
    expect(() => withDefaults('X', { a: 1 }, { c: 1 })).toThrow('X: unknown option(s) c; known: a')
  })

  it('Tollgate refuses props it does not know, raw environment among them', () => {
    const stack = () => new Stack(new App({ context: CDK_CONTEXT }), 'T')
    expect(() => new Tollgate(stack(), 'T', { keysource: 'kms' } as never)).toThrow(
      /unknown option\(s\) keysource/,
    )
    expect(
      () => new Tollgate(stack(), 'T', { environment: { TRUSTED_ISSUERS: '[]' } } as never),
    ).toThrow(/unknown option\(s\) environment/)
  })
})

describe("every function's DynamoDB grant, as synthesized", () => {
  /** One line per DynamoDB statement: `Sid action(s) on table|index …, partitions …`. */
  const dynamoDbGrant = (synth: ReturnType<typeof synthTollgate>, fn: TollgateFunction) => {
    const table = JSON.stringify(arnOf(synth.stack.tollgate.table))
    const resourceName = (resource: unknown): string => {
      if (JSON.stringify(resource) === table) return 'table'
      const [, parts] = (resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join']
      expect(JSON.stringify(parts[0])).toBe(table)
      return String(parts[1]).replace('/index/', 'index ')
    }
    return (
      statementsOfRole(synth.template, synth.stack, fn.role) as Array<{
        Sid: string
        Action: string | string[]
        Resource: unknown
        Condition?: Record<string, Record<string, string[]>>
      }>
    )
      .filter((statement) => [statement.Action].flat().some((a) => a.startsWith('dynamodb:')))
      .map((statement) => {
        const keys = Object.values(statement.Condition ?? {}).flatMap(
          (condition) => condition['dynamodb:LeadingKeys'] ?? [],
        )
        return [
          statement.Sid,
          [statement.Action].flat().join(','),
          [statement.Resource].flat().map(resourceName).join(', '),
          ...(keys.length > 0 ? [keys.join(' ')] : []),
        ].join(' | ')
      })
  }
  const functionsOf = (synth: ReturnType<typeof synthTollgate>) => {
    const tollgate = synth.stack.tollgate
    return {
      ...Object.fromEntries([...tollgate.handlers].map(([name, fn]) => [name, fn])),
      authorizer: tollgate.authorizer.function as TollgateFunction,
      'keys-init': tollgate.keysInit,
      ...(tollgate.keyRotation ? { 'key-rotation': tollgate.keyRotation } : {}),
      bootstrap: tollgate.bootstrap,
    }
  }
  const CALLER_RECORDS = 'ReadCallerRecords | dynamodb:BatchGetItem | table | TOKEN#* OWNER#*'
  const FEDERATED_CALLERS =
    'ReadFederatedCallers | dynamodb:GetItem | table | TRUST_POLICIES OWNER#*'
  const REVOKED_JWTS = 'ReadRevokedJwts | dynamodb:GetItem | table | REVOKED_JWT#*'
  const MANAGE_SERVICE_ACCOUNTS = [
    CALLER_RECORDS,
    FEDERATED_CALLERS,
    REVOKED_JWTS,
    'ReadServiceAccounts | dynamodb:GetItem | table | OWNER#*',
    'WriteServiceAccounts | dynamodb:PutItem | table | OWNER#* SA_NAME#* DENY#* AUDIT#service_account#*',
    'FreeAccountNames | dynamodb:DeleteItem | table | SA_NAME#*',
    'ReadServiceAccountEvents | dynamodb:Query | table | AUDIT#service_account#*',
    'ListServiceAccounts | dynamodb:Query | index gsi2',
  ]
  const MANAGE_ACCESS_TOKENS = [
    CALLER_RECORDS,
    FEDERATED_CALLERS,
    REVOKED_JWTS,
    'ReadTokenOwners | dynamodb:GetItem | table | OWNER#*',
    'WriteAccessTokens | dynamodb:PutItem | table | TOKEN#* OWNER#* DENY#* AUDIT#token#* AUDIT#service_account#* AUDIT#user#*',
    'ChangeAccessTokens | dynamodb:UpdateItem | table | TOKEN#*',
    'ReadTokenEvents | dynamodb:Query | table | AUDIT#token#*',
    'ListAccessTokens | dynamodb:Query | index gsi1, index gsi2',
  ]
  const MANAGE_TRUST_POLICIES = [
    CALLER_RECORDS,
    REVOKED_JWTS,
    'ReadTrustPolicies | dynamodb:GetItem | table | TRUST_POLICIES OWNER#*',
    'WriteTrustPolicies | dynamodb:PutItem | table | TRUST_POLICIES DENY#* AUDIT#trust_policy#*',
    'DeleteTrustPolicies | dynamodb:DeleteItem | table | TRUST_POLICIES',
    'ListTrustPolicies | dynamodb:Query | table | TRUST_POLICIES AUDIT#trust_policy#*',
  ]
  const DENY_LIST = 'ReadDenyList | dynamodb:Query | table | DENY#*'
  const OAUTH2 = [
    CALLER_RECORDS,
    'RecordTokenUse | dynamodb:UpdateItem | table | TOKEN#*',
    'RevokeOwnTokens | dynamodb:PutItem | table | OWNER#* DENY#* REVOKED_JWT#* AUDIT#token#*',
    'MarkOwnTokensRevoked | dynamodb:UpdateItem | table | TOKEN#*',
    FEDERATED_CALLERS,
    REVOKED_JWTS,
    'QueryTrustPolicies | dynamodb:Query | table | TRUST_POLICIES',
  ]
  const BOOTSTRAP = [
    'ReadBootstrapMarker | dynamodb:GetItem | table | META',
    'MintAdmin | dynamodb:PutItem | table | META OWNER#* SA_NAME#* TOKEN#* AUDIT#service_account#* AUDIT#token#*',
  ]
  const PUBLIC_KEY_SET = 'ReadPublicKeySet | dynamodb:GetItem | table | KEYSET#public'
  const PUBLISH_KEY_SET =
    'PublishPublicKeySet | dynamodb:GetItem,dynamodb:PutItem | table | KEYSET#public'

  // Synthesized before the tests: a first synth bundles every function.
  let kms: ReturnType<typeof synthTollgate>
  let secretsManager: ReturnType<typeof synthTollgate>
  beforeAll(() => {
    kms = synthTollgate()
    secretsManager = synthTollgate({ keySource: 'secrets-manager' }, 'TollgateSecretsManager')
  })

  it('pins each function of a KMS deployment', () => {
    const synth = kms
    const grants = Object.fromEntries(
      Object.entries(functionsOf(synth)).map(([name, fn]) => [name, dynamoDbGrant(synth, fn)]),
    )
    expect(grants).toEqual({
      'exchange-jwt': [CALLER_RECORDS, 'RecordTokenUse | dynamodb:UpdateItem | table | TOKEN#*'],
      jwks: [],
      'openid-configuration': [],
      whoami: [CALLER_RECORDS, FEDERATED_CALLERS, REVOKED_JWTS],
      'service-accounts': MANAGE_SERVICE_ACCOUNTS,
      'access-tokens': MANAGE_ACCESS_TOKENS,
      'trust-policies': MANAGE_TRUST_POLICIES,
      oauth2: OAUTH2,
      openapi: [],
      console: [],
      authorizer: [DENY_LIST],
      'keys-init': [],
      bootstrap: BOOTSTRAP,
    })
  })

  it('pins each function of a Secrets Manager deployment', () => {
    const synth = secretsManager
    const grants = Object.fromEntries(
      Object.entries(functionsOf(synth)).map(([name, fn]) => [name, dynamoDbGrant(synth, fn)]),
    )
    expect(grants).toEqual({
      'exchange-jwt': [CALLER_RECORDS, 'RecordTokenUse | dynamodb:UpdateItem | table | TOKEN#*'],
      jwks: [PUBLIC_KEY_SET],
      'openid-configuration': [],
      whoami: [PUBLIC_KEY_SET, CALLER_RECORDS, FEDERATED_CALLERS, REVOKED_JWTS],
      'service-accounts': [PUBLIC_KEY_SET, ...MANAGE_SERVICE_ACCOUNTS],
      'access-tokens': [PUBLIC_KEY_SET, ...MANAGE_ACCESS_TOKENS],
      'trust-policies': [PUBLIC_KEY_SET, ...MANAGE_TRUST_POLICIES],
      oauth2: [...OAUTH2.slice(0, 2), PUBLIC_KEY_SET, ...OAUTH2.slice(2)],
      openapi: [],
      console: [],
      authorizer: [PUBLIC_KEY_SET, DENY_LIST],
      'keys-init': [PUBLISH_KEY_SET],
      'key-rotation': [PUBLISH_KEY_SET],
      bootstrap: BOOTSTRAP,
    })
  })
})
