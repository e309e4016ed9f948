import { App, Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import { describe, expect, it } from 'vitest'
import { TokenTable } from '../../infra/constructs/token-table.js'
import {
  remoteTollgateIssuer,
  TollgateAuthorizer,
  type TollgateAuthorizerProps,
  TollgateStack,
} from '../../infra/index.js'
import { coldStart } from './support/cold-start.js'
import {
  baseStatements,
  CDK_CONTEXT,
  type CfnResourceJson,
  logicalId,
  OUTDIR,
  statementsOfRole,
  unacknowledgedFindings,
} from './support/synth.js'

/**
 * A consumer in another account (docs/authorizer.md#a-consumer-in-another-account):
 * its authorizer reads Tollgate's keys from the JWKS URL, so it holds no KMS
 * permission and survives a key rotation without a redeploy; the deny-list
 * is read through Tollgate's table resource policy.
 */

const TOLLGATE_ACCOUNT = '111111111111'
const CONSUMER_ACCOUNT = '222222222222'
const REGION = 'eu-west-1'
/** The Tollgate stack's outputs, as the consumer's app is given them. */
const ISSUER = 'https://abc123.execute-api.eu-west-1.amazonaws.com'
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${TOLLGATE_ACCOUNT}:table/Tollgate-TokenTable-1A2B3C`

const consumerStack = (region = REGION) =>
  new Stack(new App({ outdir: OUTDIR, context: CDK_CONTEXT }), 'Consumer', {
    env: { account: CONSUMER_ACCOUNT, region },
  })

/** The consumer's own API with one route behind the authorizer. */
const consumerApp = (
  options: Partial<Omit<TollgateAuthorizerProps, 'api'>> = {},
  stack = consumerStack(),
) => {
  const api = new apigwv2.HttpApi(stack, 'Api')
  const tollgate = remoteTollgateIssuer({ issuer: ISSUER, tableArn: TABLE_ARN })
  const authorizer = new TollgateAuthorizer(stack, 'Auth', { tollgate, api, ...options })
  api.addRoutes({
    path: '/datasets',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpUrlIntegration('Backend', 'https://backend.example.com/datasets'),
    authorizer: authorizer.httpAuthorizer,
  })
  return { stack, authorizer, template: Template.fromStack(stack) }
}

/** Every action any policy of the template allows. */
const allowedActions = (template: Template): string[] =>
  Object.values(template.toJSON().Resources as Record<string, CfnResourceJson>).flatMap(
    (resource) => {
      const documents = [
        resource.Properties?.PolicyDocument,
        ...(
          (resource.Properties?.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []
        ).map((policy) => policy.PolicyDocument),
      ] as Array<{ Statement: Array<{ Action: string | string[] }> } | undefined>
      return documents.flatMap((document) =>
        (document?.Statement ?? []).flatMap((statement) => [statement.Action].flat()),
      )
    },
  )

const READ_DENY_LIST = {
  Sid: 'ReadDenyList',
  Action: 'dynamodb:Query',
  Effect: 'Allow',
  Resource: TABLE_ARN,
  Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DENY#*'] } },
}

describe('a consumer app in another account, with remoteTollgateIssuer', () => {
  it('synthesizes its authorizer with no KMS permission, reading keys from the JWKS URL', async () => {
    const { stack, authorizer, template } = consumerApp()
    const fn = authorizer.function
    if (fn === undefined) throw new Error('lambda mode makes a function')

    expect(stack.account).toBe(CONSUMER_ACCOUNT)
    expect(allowedActions(template).filter((action) => action.startsWith('kms:'))).toEqual([])
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual([])
    expect(statementsOfRole(template, stack, fn.role)).toEqual([
      ...baseStatements(authorizer.node.findChild('FunctionLogs')),
      READ_DENY_LIST,
    ])
    const environment = template.toJSON().Resources[logicalId(fn)].Properties.Environment
      .Variables as Record<string, string>
    expect(environment).toMatchObject({
      ISSUER,
      KEY_SOURCE: 'jwks',
      JWKS_URL: `${ISSUER}/.well-known/jwks.json`,
      TABLE_NAME: TABLE_ARN,
      REVOCATION_CHECK: 'true',
    })
    expect(Object.keys(environment)).not.toContain('KMS_KEY_IDS')
    expect(Object.keys(environment)).not.toContain('PEPPER_SECRET_ID')
    // Its cold start on Lambda accepts that environment (an https JWKS, no key material).
    await expect(coldStart('authorizer', environment)).resolves.toBeUndefined()
  })

  it('needs no table at all without revocation: logs are all its role may write', () => {
    const stack = consumerStack()
    const api = new apigwv2.HttpApi(stack, 'Api')
    const authorizer = new TollgateAuthorizer(stack, 'Auth', {
      tollgate: remoteTollgateIssuer({ issuer: ISSUER }),
      api,
      revocationCheck: false,
    })
    const fn = authorizer.function
    if (fn === undefined) throw new Error('lambda mode makes a function')

    expect(statementsOfRole(Template.fromStack(stack), stack, fn.role)).toEqual(
      baseStatements(authorizer.node.findChild('FunctionLogs')),
    )
  })

  it.each([
    [
      'Basic auth, which needs the pepper',
      () => consumerApp({ basicAuth: true }),
      /lends no key material \(hash-with-pepper, read-caller-records, record-token-use\)/,
    ],
    [
      'revocation without the table',
      () => {
        const stack = consumerStack()
        return new TollgateAuthorizer(stack, 'Auth', {
          tollgate: remoteTollgateIssuer({ issuer: ISSUER }),
          api: new apigwv2.HttpApi(stack, 'Api'),
        })
      },
      /revocationCheck reads the deny-list: give tableArn/,
    ],
    [
      'a deny-list in another Region, which DynamoDB would never serve it',
      () => consumerApp({}, consumerStack('us-east-1')),
      /table is in eu-west-1 and this authorizer in us-east-1/,
    ],
    [
      'a plain-http issuer',
      () => remoteTollgateIssuer({ issuer: 'http://tollgate.example' }),
      /issuer must be an https URL/,
    ],
    [
      'a plain-http JWKS URL',
      () => remoteTollgateIssuer({ issuer: ISSUER, jwksUrl: 'http://keys.example/jwks.json' }),
      /jwksUrl must be an https URL/,
    ],
  ])('fails synth for %s', (_, synth, message) => {
    expect(synth).toThrow(message)
  })
})

describe("the Tollgate stack's deny-list readers", () => {
  const consumerRole = 'arn:aws:iam::333333333333:role/ConsumerAuthorizer'
  const app = new App({ outdir: OUTDIR, context: CDK_CONTEXT })
  const stack = new TollgateStack(app, 'Tollgate', {
    env: { account: TOLLGATE_ACCOUNT, region: REGION },
    tollgate: { denyListReaders: [CONSUMER_ACCOUNT, consumerRole] },
  })
  const template = Template.fromStack(stack)

  it('may query the deny-list partitions of the table and nothing else (its resource policy)', () => {
    const table = template.toJSON().Resources[logicalId(stack.tollgate.table)]
    expect(table.Properties.ResourcePolicy).toEqual({
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ConsumersReadDenyList',
            Effect: 'Allow',
            Principal: {
              AWS: [`arn:aws:iam::${CONSUMER_ACCOUNT}:root`, consumerRole],
            },
            Action: 'dynamodb:Query',
            Resource: '*',
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DENY#*'] } },
          },
        ],
      },
    })
  })

  it('passes cdk-nag with its readers, acknowledging nothing more', () => {
    expect(unacknowledgedFindings(app)).toEqual([])
  })

  it('outputs the table ARN that remoteTollgateIssuer takes', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>
    expect(outputs.TableArn?.Value).toEqual({
      'Fn::GetAtt': [logicalId(stack.tollgate.table), 'Arn'],
    })
  })

  it('gives a table no resource policy when nobody is listed', () => {
    const bare = new Stack(new App({ outdir: OUTDIR, context: CDK_CONTEXT }), 'Bare')
    const table = new TokenTable(bare, 'Table')
    table.allowDenyListReads([])
    expect(
      Template.fromStack(bare).toJSON().Resources[logicalId(table)].Properties,
    ).not.toHaveProperty('ResourcePolicy')
  })

  it.each([
    '22222222222',
    'arn:aws:iam::222222222222:policy/x',
    '*',
    'arn:aws:sts::222222222222:assumed-role/a/b',
  ])('refuses %j as a reader: an account id or an IAM role or user ARN only', (reader) => {
    const bare = new Stack(new App({ outdir: OUTDIR, context: CDK_CONTEXT }), 'Bare')
    expect(() => new TokenTable(bare, 'Table').allowDenyListReads([reader])).toThrow(
      /denyListReaders holds account ids/,
    )
  })
})
