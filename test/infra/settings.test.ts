import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Duration } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import type { IConstruct } from 'constructs'
import { describe, expect, it } from 'vitest'
import { LEAN_CONFIG_VARIABLES } from '../../functions/core/config-lean.js'
import { REPO_ROOT } from '../../infra/bundling.js'
import { STACK_SETTINGS, type StackSettingName } from '../../infra/constructs/settings.js'
import type { TollgateProps } from '../../infra/constructs/tollgate.js'
import { tollgateApp } from '../../infra/tollgate-app.js'
import { coldStart } from './support/cold-start.js'
import { CDK_CONTEXT, deployedEnvironments, logicalId, OUTDIR } from './support/synth.js'

/**
 * Every setting of the configuration table reaches the stack: as a typed
 * prop of `Tollgate`, and as a context value of the stock app, written as
 * its environment variable takes it; both parsed at synth by the parser the
 * functions run at cold start.
 */

const TRUSTED_ISSUERS = [
  {
    id: 'okta',
    issuer: 'https://acme.okta.com/oauth2/default',
    jwks_uri: 'https://acme.okta.com/oauth2/default/v1/keys',
    audience: 'api://tollgate',
    roles_claim: 'groups',
    role_map: { 'Data Analysts': 'analyst' },
  },
]
const ROLE_SCOPES = { analyst: ['datasets:read'] }
const ROUTE_SCOPES = { 'GET /datasets/*': 'datasets:read' }
const FEDERATION_ISSUERS = ['https://token.actions.githubusercontent.com']

/** The variables a deployment does not choose, and why (docs/configuration.md says the same). */
const NOT_STACK_SETTINGS: Readonly<Record<string, string>> = {
  KMS_KEY_IDS: 'the ARNs of the keys the stack creates, named by kmsKeys',
  SIGNING_KEYS_SECRET_ID: 'the secret the stack creates',
  PEPPER_SECRET_ID: 'the secret the stack creates',
  TABLE_NAME: 'the table the stack creates',
  DATA_DIR: 'the local key file and DynamoDB Local only',
  PORT: 'the dev server only',
  AWS_LAMBDA_FUNCTION_NAME: 'set by Lambda',
  AWS_SAM_LOCAL: 'set by sam local',
  AWS_ENDPOINT_URL_DYNAMODB: 'emulators only; on AWS the SDK resolves endpoints',
  AWS_ENDPOINT_URL_KMS: 'emulators only',
  AWS_ENDPOINT_URL_SECRETS_MANAGER: 'emulators only',
  AWS_ENDPOINT_URL: 'emulators only',
  JWKS_URL:
    "a consumer's authorizer only (remoteTollgateIssuer sets it); the stack's functions read their own keys",
}

/** Every setting, each away from its default, as `-c tollgate:<name>=<text>` gives it. */
const EVERY_SETTING: Readonly<
  Record<
    Exclude<
      StackSettingName,
      'kmsKeys' | 'denyListReaders' | 'monitoring' | 'removalPolicy' | 'exchangeConcurrency'
    >,
    string
  >
> = {
  issuer: 'https://auth.example.com',
  audience: 'api',
  jwtAlg: 'ES256',
  keySource: 'secrets-manager',
  keysCacheTtl: '120',
  maxJwtDuration: '3600',
  defaultTokenTtl: '86400',
  maxTokenTtl: '2592000',
  allowNonExpiringTokens: 'true',
  maxActiveTokensPerOwner: '20',
  maxPersonalTokenTtl: '604800',
  trustedIssuers: JSON.stringify(TRUSTED_ISSUERS),
  roleScopes: JSON.stringify(ROLE_SCOPES),
  federationIssuers: JSON.stringify(FEDERATION_ISSUERS),
  basicAuthUsername: 'apikey',
  basicAuth: 'true',
  revocationCheck: 'true',
  revocationRefresh: '5',
  revocationMaxDelay: '20',
  authorizerCacheTtl: '5',
  httpResponses: 'iam',
  routeScopes: JSON.stringify(ROUTE_SCOPES),
}

/** The same deployment as typed props. */
const EVERY_PROP: TollgateProps = {
  issuer: 'https://auth.example.com',
  audience: 'api',
  jwtAlg: 'ES256',
  keySource: 'secrets-manager',
  keysCacheTtl: Duration.minutes(2),
  maxJwtDuration: Duration.hours(1),
  defaultTokenTtl: Duration.days(1),
  maxTokenTtl: Duration.days(30),
  allowNonExpiringTokens: true,
  maxActiveTokensPerOwner: 20,
  maxPersonalTokenTtl: Duration.days(7),
  trustedIssuers: TRUSTED_ISSUERS,
  roleScopes: ROLE_SCOPES,
  federationIssuers: FEDERATION_ISSUERS,
  basicAuthUsername: 'apikey',
  authorizer: {
    basicAuth: true,
    revocationCheck: true,
    revocationRefresh: Duration.seconds(5),
    revocationMaxDelay: Duration.seconds(20),
    cacheTtl: Duration.seconds(5),
    httpResponses: 'iam',
    routeScopes: ROUTE_SCOPES,
  },
}

const EVERY_FUNCTION = [
  'exchange-jwt',
  'jwks',
  'openid-configuration',
  'whoami',
  'service-accounts',
  'access-tokens',
  'trust-policies',
  'oauth2',
  'openapi',
  'console',
  'authorizer',
  'keys-init',
  'key-rotation',
  'bootstrap',
]
// The console names the identity providers people sign in with, and allows their origins.
const PEOPLE = [
  'access-tokens',
  'authorizer',
  'console',
  'oauth2',
  'service-accounts',
  'trust-policies',
  'whoami',
]

/** Which functions read each variable a deployment chooses: the contract this file holds. */
const READERS: Readonly<Record<string, readonly string[]>> = {
  ISSUER: EVERY_FUNCTION,
  AUDIENCE: EVERY_FUNCTION,
  JWT_ALG: EVERY_FUNCTION,
  KEY_SOURCE: EVERY_FUNCTION,
  KEYS_CACHE_TTL_SECONDS: EVERY_FUNCTION,
  MAX_JWT_DURATION_SECONDS: EVERY_FUNCTION,
  // The first admin's token is made by the same token policy.
  DEFAULT_TOKEN_TTL_SECONDS: ['access-tokens', 'bootstrap'],
  MAX_TOKEN_TTL_SECONDS: ['access-tokens', 'bootstrap'],
  ALLOW_NON_EXPIRING_TOKENS: ['access-tokens', 'bootstrap'],
  MAX_ACTIVE_TOKENS_PER_OWNER: ['access-tokens', 'bootstrap'],
  MAX_PERSONAL_TOKEN_TTL_SECONDS: ['access-tokens', 'bootstrap'],
  TRUSTED_ISSUERS: PEOPLE,
  ROLE_SCOPES: PEOPLE,
  FEDERATION_ISSUERS: ['oauth2', 'trust-policies'],
  BASIC_AUTH_USERNAME: ['authorizer'],
  BASIC_AUTH_ENABLED: ['authorizer'],
  REVOCATION_CHECK: ['authorizer'],
  REVOCATION_REFRESH_SECONDS: ['authorizer'],
  REVOCATION_MAX_DELAY_SECONDS: ['authorizer'],
  // key-rotation waits out every cache before it retires a key, the authorizer's included.
  AUTHORIZER_CACHE_TTL_SECONDS: ['authorizer', 'key-rotation'],
  HTTP_API_AUTHORIZER_RESPONSE: ['authorizer'],
  ROUTE_SCOPES: ['authorizer'],
}

const contextOf = (settings: Readonly<Record<string, unknown>>) => ({
  ...CDK_CONTEXT,
  ...Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [`tollgate:${name}`, value]),
  ),
})

/** The stock app as `cdk synth -c tollgate:<name>=…` runs it. */
const synthFromContext = (settings: Readonly<Record<string, unknown>>, stackName: string) => {
  const { stack } = tollgateApp({ outdir: OUTDIR, context: contextOf(settings), stackName })
  return { stack, template: Template.fromStack(stack) }
}

const environmentsByModule = (template: Template) =>
  Object.fromEntries(deployedEnvironments(template).map((fn) => [fn.module, fn.environment]))

describe('the settings of the stack', () => {
  it('reach every variable of the configuration table a deployment chooses', () => {
    const settable = Object.values(STACK_SETTINGS).flatMap((setting) =>
      setting.variable === undefined ? [] : [setting.variable],
    )
    expect([...settable, ...Object.keys(NOT_STACK_SETTINGS)].sort()).toEqual(
      [...LEAN_CONFIG_VARIABLES].sort(),
    )
    expect(Object.keys(READERS).sort()).toEqual([...settable].sort())
  })

  it('are each documented with their context name in docs/configuration.md', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8')
    for (const name of Object.keys(STACK_SETTINGS)) expect(docs).toContain(`tollgate:${name}`)
  })
})

describe('settings from context', () => {
  const { template } = synthFromContext(EVERY_SETTING, 'FromContext')
  const environments = environmentsByModule(template)

  it('synthesizes with trusted issuers and role scopes given as JSON, as their variables take them', () => {
    const { template: people } = synthFromContext(
      { trustedIssuers: JSON.stringify(TRUSTED_ISSUERS), roleScopes: JSON.stringify(ROLE_SCOPES) },
      'People',
    )
    const whoami = environmentsByModule(people).whoami
    expect(JSON.parse(String(whoami?.TRUSTED_ISSUERS))).toEqual(TRUSTED_ISSUERS)
    expect(JSON.parse(String(whoami?.ROLE_SCOPES))).toEqual(ROLE_SCOPES)
  })

  it.each(Object.entries(READERS))(
    'puts %s in exactly the functions that read it',
    (variable, readers) => {
      const setting = Object.entries(STACK_SETTINGS).find(([, s]) => s.variable === variable)
      const text = EVERY_SETTING[setting?.[0] as keyof typeof EVERY_SETTING]
      const holders = Object.entries(environments)
        .filter(([, environment]) => environment[variable] !== undefined)
        .map(([module]) => module)
      expect(holders.sort()).toEqual([...readers].sort())
      for (const module of holders) expect(environments[module]?.[variable]).toBe(text)
    },
  )

  it('gives the functions what the same typed props give them', () => {
    const { stack } = tollgateApp({
      outdir: OUTDIR,
      context: CDK_CONTEXT,
      tollgate: EVERY_PROP,
      stackName: 'FromProps',
    })
    expect(environmentsByModule(Template.fromStack(stack))).toEqual(environments)
  })

  it.each(deployedEnvironments(template).map((fn) => [fn.module, fn] as const))(
    '%s starts with that configuration',
    async (_module, fn) => {
      await expect(coldStart(fn.module, fn.environment)).resolves.toBeUndefined()
    },
  )

  it('names the KMS keys, the signing one first, as kmsKeys', () => {
    const { stack } = synthFromContext({ kmsKeys: 'Next,SigningKey1' }, 'KmsKeys')
    expect(stack.tollgate.keys.signingKeys.map((key) => key.node.id)).toEqual([
      'Next',
      'SigningKey1',
    ])
  })

  it('lets the accounts in denyListReaders read the deny-list, and nothing else of the table', () => {
    const { template } = synthFromContext(
      { denyListReaders: '111122223333,arn:aws:iam::444455556666:role/consumer-authorizer' },
      'DenyListReaders',
    )
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'))
    const policy = JSON.stringify(table?.Properties?.ResourcePolicy)
    expect(policy).toContain('111122223333')
    expect(policy).toContain('arn:aws:iam::444455556666:role/consumer-authorizer')
    expect(policy).toContain('DENY#*')
  })

  it('synthesizes no alarm, dashboard or topic with monitoring=false, and keeps the table on destroy', () => {
    const { template } = synthFromContext(
      { monitoring: 'false', removalPolicy: 'destroy' },
      'NoMonitoring',
    )
    for (const type of [
      'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::Dashboard',
      'AWS::SNS::Topic',
    ]) {
      expect(Object.keys(template.findResources(type))).toEqual([])
    }
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'))
    expect(table?.DeletionPolicy).toBe('Delete')
  })

  it('splits the minting budget exchangeConcurrency between the two functions that sign', () => {
    const { stack, template } = synthFromContext({ exchangeConcurrency: '40' }, 'Concurrency')
    for (const handler of ['exchange-jwt', 'oauth2'] as const) {
      const fn = stack.tollgate.handlers.get(handler) as IConstruct
      expect(
        template.toJSON().Resources[logicalId(fn)].Properties.ReservedConcurrentExecutions,
      ).toBe(20)
    }
  })

  it.each([
    ['monitoring', 'off'],
    ['removalPolicy', 'snapshot'],
  ])('refuses %s=%s, naming the values it takes', (name, value) => {
    expect(() => synthFromContext({ [name]: value }, `Bad${name}`)).toThrow(
      new RegExp(`context tollgate:${name} must be one of`),
    )
  })

  it('takes cdk.json values as JSON too', () => {
    const { template: fromJson } = synthFromContext(
      { trustedIssuers: TRUSTED_ISSUERS, maxActiveTokensPerOwner: 20, basicAuth: true },
      'FromJson',
    )
    const byModule = environmentsByModule(fromJson)
    expect(JSON.parse(String(byModule.whoami?.TRUSTED_ISSUERS))).toEqual(TRUSTED_ISSUERS)
    expect(byModule['access-tokens']?.MAX_ACTIVE_TOKENS_PER_OWNER).toBe('20')
    expect(byModule.authorizer?.BASIC_AUTH_ENABLED).toBe('true')
  })
})

describe('a bad setting fails synth, naming the variable, the rule and where it was set', () => {
  const secret = 'tgs_SECRET-VALUE-PASTED-HERE'

  it.each([
    [
      'trustedIssuers',
      '[{"id": "okta"}]',
      /TRUSTED_ISSUERS must be a JSON list of \{id, issuer, jwks_uri, audience.*context tollgate:trustedIssuers/,
    ],
    [
      'roleScopes',
      '{"analyst": "datasets:read"}',
      /ROLE_SCOPES must be a JSON object mapping role names to lists of scope names.*context tollgate:roleScopes/,
    ],
    ['roleScopes', `{"analyst": ["${secret}`, /ROLE_SCOPES must be a JSON object/],
    ['maxJwtDuration', '30', /MAX_JWT_DURATION_SECONDS must be an integer between 60 and 604800/],
    ['allowNonExpiringTokens', 'yes', /ALLOW_NON_EXPIRING_TOKENS must be "true" or "false"/],
    ['keySource', 'local', /context tollgate:keySource must be one of kms, secrets-manager/],
    ['routeScopes', '{"GET /x": "tollgate:admin"}', /ROUTE_SCOPES must be a JSON object/],
    [
      'federationIssuers',
      '["http://ci.example.com"]',
      /FEDERATION_ISSUERS must be https URLs.*context tollgate:federationIssuers/,
    ],
  ])('-c tollgate:%s=%s', (name, text, message) => {
    const failure = () => tollgateApp({ outdir: OUTDIR, context: contextOf({ [name]: text }) })
    expect(failure).toThrow(message)
    expect(failure).not.toThrow(secret)
  })

  it('checks the settings together, as the cold start does', () => {
    expect(() =>
      tollgateApp({
        outdir: OUTDIR,
        context: contextOf({ defaultTokenTtl: '86400', maxTokenTtl: '3600' }),
      }),
    ).toThrow(/DEFAULT_TOKEN_TTL_SECONDS must not exceed MAX_TOKEN_TTL_SECONDS/)
    expect(() =>
      tollgateApp({
        outdir: OUTDIR,
        context: contextOf({
          audience: 'api://tollgate',
          trustedIssuers: JSON.stringify(TRUSTED_ISSUERS),
        }),
      }),
    ).toThrow(/TRUSTED_ISSUERS audiences may not equal AUDIENCE/)
  })

  it.each<[string, TollgateProps, RegExp]>([
    [
      'maxActiveTokensPerOwner',
      { maxActiveTokensPerOwner: 0 },
      /Tollgate \(AccessTokens, Bootstrap\): Invalid configuration: MAX_ACTIVE_TOKENS_PER_OWNER must be an integer between 1 and 1000 \(MAX_ACTIVE_TOKENS_PER_OWNER is the prop maxActiveTokensPerOwner/,
    ],
    [
      'trustedIssuers',
      { trustedIssuers: [{ ...TRUSTED_ISSUERS[0], jwks_uri: 'not a url' }] as never },
      /Tollgate \(Authorizer\/Function, Oauth2, Whoami, ServiceAccounts, AccessTokens, TrustPolicies, Console\): Invalid configuration: TRUSTED_ISSUERS must be/,
    ],
    [
      'authorizer.revocationMaxDelay',
      { authorizer: { revocationMaxDelay: Duration.hours(2) } },
      /REVOCATION_MAX_DELAY_SECONDS must be an integer between 5 and 3600 \(REVOCATION_MAX_DELAY_SECONDS is the prop authorizer.revocationMaxDelay/,
    ],
  ])('the prop %s', (_name, props, message) => {
    const { app } = tollgateApp({ outdir: OUTDIR, context: CDK_CONTEXT, tollgate: props })
    expect(() => app.synth()).toThrow(message)
  })

  it('refuses a duration that is not whole seconds', () => {
    expect(() =>
      tollgateApp({
        outdir: OUTDIR,
        context: CDK_CONTEXT,
        tollgate: { defaultTokenTtl: Duration.millis(1500) },
      }),
    ).toThrow(/defaultTokenTtl \(DEFAULT_TOKEN_TTL_SECONDS\) must be whole seconds/)
  })
})
