import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { App, Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import * as iam from 'aws-cdk-lib/aws-iam'
import { describe, expect, it } from 'vitest'
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
import { CDK_CONTEXT, UNROUTED_HANDLERS } from './support/synth.js'

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
const MANAGE = [
  {
    Sid: 'ManageTokens',
    Action: [
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ],
    Effect: 'Allow',
    Resource: TARGETS.tableArn,
    Condition: {
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': ['TOKEN#*', 'OWNER#*', 'SA_NAME#*', 'AUDIT#*', 'DENY#*'],
      },
    },
  },
  { Sid: 'ListTokens', Action: 'dynamodb:Query', Effect: 'Allow', Resource: TARGETS.indexArns },
]

describe('the per-handler permission map', () => {
  it('covers every routed Lambda entry of functions/entries/, and every handler of the route table', () => {
    const modules = readdirSync(join(REPO_ROOT, 'functions', 'entries'))
      .filter((file) => /^[a-z-]+\.ts$/.test(file))
      .map((file) => file.slice(0, -3))
      .filter((name) => readHandlerExport(name))
    const routed = modules.filter(
      (name) => !(UNROUTED_HANDLERS as readonly string[]).includes(name),
    )
    expect(Object.keys(ROUTED_HANDLER_CAPABILITIES).sort()).toEqual(routed.sort())
    for (const route of ROUTES)
      expect(Object.keys(ROUTED_HANDLER_CAPABILITIES)).toContain(route.handler)
  })

  it.each(['service-accounts', 'access-tokens'] as const)(
    '%s verifies callers, hashes, and reads and writes its partitions, never signs',
    (name) => {
      expect(render(ROUTED_HANDLER_CAPABILITIES[name])).toEqual([PUBLIC_KEYS, ...PEPPER, ...MANAGE])
      expect(
        JSON.stringify(render(ROUTED_HANDLER_CAPABILITIES[name], SECRETS_MANAGER_TARGETS)),
      ).not.toMatch(/kms:Sign|secret:jwks|key\/jwks/)
    },
  )

  it.each(['openapi', 'openid-configuration'] as const)(
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
              'dynamodb:LeadingKeys': ['META', 'OWNER#*', 'SA_NAME#*', 'TOKEN#*', 'AUDIT#*'],
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
      audit: 'AUDIT#*',
      denyList: 'DENY#*',
      publicKeySet: itemKeys.publicKeySet().pk,
    })
  })

  it('refuses a grant whose resource is not configured', () => {
    expect(() => statementsFor(['hash-with-pepper'], { ...TARGETS, pepper: undefined })).toThrow(
      /the pepper secret is not configured/,
    )
    expect(() => statementsFor(['rotate-signing-keys'], TARGETS)).toThrow(/signing-key secret/)
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

  it('Tollgate refuses props it does not know and configuration it owns', () => {
    const stack = () => new Stack(new App({ context: CDK_CONTEXT }), 'T')
    expect(() => new Tollgate(stack(), 'T', { keysource: 'kms' } as never)).toThrow(
      /unknown option\(s\) keysource/,
    )
    expect(() => new Tollgate(stack(), 'T', { environment: { ISSUER: 'https://x' } })).toThrow(
      /environment may not set ISSUER; use the props/,
    )
  })
})
