import { App, Duration, Stack } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import * as apigw from 'aws-cdk-lib/aws-apigateway'
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import { describe, expect, it } from 'vitest'
import {
  remoteTollgateIssuer,
  TollgateAuthorizer,
  type TollgateAuthorizerProps,
  tollgateIssuer,
} from '../../infra/index.js'
import { coldStart } from './support/cold-start.js'
import {
  baseStatements,
  CDK_CONTEXT,
  type CfnResourceJson,
  OUTDIR,
  resolveIntrinsics,
} from './support/synth.js'

const resolvedEnvironment = (template: Template, variables: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, resolveIntrinsics(template, value)]),
  )

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'
const ISSUER = 'https://abc123.execute-api.eu-west-1.amazonaws.com'
/** The `TableArn` output of a Tollgate stack, in whatever account. */
const REMOTE_TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:111111111111:table/Tollgate-TokenTable-1A2B3C'
/** A Tollgate deployed by another app: what its stack outputs say. */
const deployedTollgate = () =>
  tollgateIssuer({ issuer: ISSUER, tableName: 'Tollgate-TokenTable-1A2B3C', kmsKeyArns: [KEY_ARN] })

const userStack = () => new Stack(new App({ outdir: OUTDIR, context: CDK_CONTEXT }), 'UserApp')
/** A fresh integration per app: an integration binds to one API. */
const backend = () => new HttpUrlIntegration('Backend', 'https://backend.example.com/datasets')

const fnOf = (template: Template) => {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'))
  expect(functions).toHaveLength(1)
  return functions[0] as CfnResourceJson
}

describe('TollgateAuthorizer on a user HTTP API', () => {
  it('is added in five lines (the README example)', async () => {
    const stack = userStack()
    // --- the README's five lines ---
    const api = new apigwv2.HttpApi(stack, 'Api')
    const tollgate = remoteTollgateIssuer({ issuer: ISSUER, tableArn: REMOTE_TABLE_ARN })
    const routeScopes = { 'GET /datasets': 'datasets:read' }
    const authorizer = new TollgateAuthorizer(stack, 'Auth', { tollgate, api, routeScopes })
    api.addRoutes({
      path: '/datasets',
      methods: [apigwv2.HttpMethod.GET],
      integration: backend(),
      authorizer: authorizer.httpAuthorizer,
    })
    // ---
    const template = Template.fromStack(stack)

    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /datasets',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: Match.stringLikeRegexp('^AuthHttpAuthorizer') },
    })
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization', '$context.routeKey'],
      AuthorizerResultTtlInSeconds: 10,
    })
    const fn = fnOf(template)
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'authorizer.handler',
    })
    expect(fn.Properties.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'tollgate',
      ISSUER,
      AUDIENCE: 'tollgate',
      JWT_ALG: 'RS256',
      KEY_SOURCE: 'jwks',
      JWKS_URL: `${ISSUER}/.well-known/jwks.json`,
      TABLE_NAME: REMOTE_TABLE_ARN,
      KEYS_CACHE_TTL_SECONDS: '300',
      MAX_JWT_DURATION_SECONDS: '43200',
      REVOCATION_CHECK: 'true',
      REVOCATION_REFRESH_SECONDS: '10',
      REVOCATION_MAX_DELAY_SECONDS: '30',
      AUTHORIZER_CACHE_TTL_SECONDS: '10',
      BASIC_AUTH_ENABLED: 'false',
      HTTP_API_AUTHORIZER_RESPONSE: 'simple',
      ROUTE_SCOPES: '{"GET /datasets":"datasets:read"}',
    })
    // Told no key, no pepper and no signing secret (it needs none), it still starts.
    await expect(
      coldStart('authorizer', resolvedEnvironment(template, fn.Properties.Environment.Variables)),
    ).resolves.toBeUndefined()
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))[0]
    expect(policy?.Properties.PolicyDocument.Statement).toEqual([
      ...baseStatements(authorizer.node.findChild('FunctionLogs'))
        .map((statement) =>
          statement.Sid === 'WriteOwnLogs'
            ? { ...statement, Resource: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } }
            : statement,
        )
        .map((statement) => expect.objectContaining({ ...statement, Resource: expect.anything() })),
      // No KMS permission: the keys come from the JWKS URL.
      {
        Sid: 'ReadDenyList',
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: REMOTE_TABLE_ARN,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DENY#*'] } },
      },
    ])
  })

  const httpApiWith = (props: Partial<TollgateAuthorizerProps>, paths: (string | undefined)[]) => {
    const stack = userStack()
    const api = new apigwv2.HttpApi(stack, 'Api')
    const authorizer = new TollgateAuthorizer(stack, 'Auth', {
      tollgate: deployedTollgate(),
      api,
      ...props,
    })
    for (const path of paths) {
      new apigwv2.HttpRoute(stack, `Route${path ?? 'Default'}`, {
        httpApi: api,
        routeKey:
          path === undefined
            ? apigwv2.HttpRouteKey.DEFAULT
            : apigwv2.HttpRouteKey.with(path, apigwv2.HttpMethod.GET),
        integration: backend(),
        authorizer: authorizer.httpAuthorizer,
      })
    }
    const template = Template.fromStack(stack)
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer')
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
    const ttlOf = (routeKey: string) => {
      const route = routes.find((r) => r.Properties.RouteKey === routeKey)
      return authorizers[route?.Properties.AuthorizerId.Ref]?.Properties
        .AuthorizerResultTtlInSeconds
    }
    return { template, ttlOf, authorizers }
  }

  const PATHS = ['/datasets', '/datasets/{proxy+}', '/teams/{id}', '/teams/{id}/keys', undefined]
  const KEYS = [
    'GET /datasets',
    'GET /datasets/{proxy+}',
    'GET /teams/{id}',
    'GET /teams/{id}/keys',
    '$default',
  ]

  it.each(['simple', 'iam'] as const)(
    'turns the cache off for $default, greedy and parameterized routes when scope rules exist (%s answers)',
    (httpResponses) => {
      // Issue 16: a cached answer for /teams/a must not answer /teams/admin, which a narrower
      // rule covers; nor, whatever the rules, /teams/a%2F..%2Fadmin, which has no canonical form.
      const { ttlOf, authorizers } = httpApiWith(
        { routeScopes: { 'GET /teams/admin': 'teams:admin' }, httpResponses },
        PATHS,
      )
      expect(KEYS.map(ttlOf)).toEqual([10, 0, 0, 0, 0])
      expect(Object.keys(authorizers)).toHaveLength(2)
      for (const authorizer of Object.values(authorizers)) {
        expect(authorizer.Properties.IdentitySource).toEqual([
          '$request.header.Authorization',
          '$context.routeKey',
        ])
      }
    },
  )

  it('keeps the cache on every route when there are no scope rules', () => {
    expect(KEYS.map(httpApiWith({}, PATHS).ttlOf)).toEqual([10, 10, 10, 10, 10])
    const iam = httpApiWith({ httpResponses: 'iam' }, ['/datasets/{proxy+}'])
    expect(iam.ttlOf('GET /datasets/{proxy+}')).toBe(10)
    iam.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      EnableSimpleResponses: false,
      AuthorizerPayloadFormatVersion: '2.0',
    })
    iam.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HTTP_API_AUTHORIZER_RESPONSE: 'iam' }) },
    })
  })

  it('uses AUTHORIZER_CACHE_TTL_SECONDS from cacheTtl, and leaves the deny-list alone without revocation', () => {
    const { ttlOf, template } = httpApiWith(
      { cacheTtl: Duration.seconds(20), revocationCheck: false },
      ['/datasets'],
    )
    expect(ttlOf('GET /datasets')).toBe(20)
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          AUTHORIZER_CACHE_TTL_SECONDS: '20',
          REVOCATION_CHECK: 'false',
        }),
      },
    })
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))[0]?.Properties
      .PolicyDocument.Statement
    expect(statements.map((s: { Sid?: string }) => s.Sid)).not.toContain('ReadDenyList')
  })
})

describe('TollgateAuthorizer on a user REST API', () => {
  const restApiWith = (props: Partial<TollgateAuthorizerProps>) => {
    const stack = userStack()
    const api = new apigw.RestApi(stack, 'Api')
    const authorizer = new TollgateAuthorizer(stack, 'Auth', {
      tollgate: deployedTollgate(),
      api,
      ...props,
    })
    api.root
      .addResource('{proxy+}')
      .addMethod('ANY', new apigw.MockIntegration(), { authorizer: authorizer.restAuthorizer })
    return Template.fromStack(stack)
  }

  it('turns the cache off when scope rules exist, and keeps it without', () => {
    // Issue 16: IAM globs are case-sensitive and no policy can name every spelling of a
    // path, so a policy cached for /datasets/1 would let /Datasets/1 past its Deny.
    restApiWith({ routeScopes: { 'GET /datasets/*': 'datasets:read' } }).hasResourceProperties(
      'AWS::ApiGateway::Authorizer',
      { Type: 'TOKEN', AuthorizerResultTtlInSeconds: 0 },
    )
    restApiWith({}).hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      AuthorizerResultTtlInSeconds: 10,
    })
  })

  it('is added in five lines and answers problem+json from its gateway responses', () => {
    const stack = userStack()
    const api = new apigw.RestApi(stack, 'Api', { deployOptions: { tracingEnabled: true } })
    const authorizer = new TollgateAuthorizer(stack, 'Auth', { tollgate: deployedTollgate(), api })
    api.root
      .addResource('datasets')
      .addMethod('GET', new apigw.MockIntegration(), { authorizer: authorizer.restAuthorizer })
    const template = Template.fromStack(stack)

    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 10,
    })
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'CUSTOM',
    })
    expect(fnOf(template).Properties.Environment.Variables).not.toHaveProperty(
      'HTTP_API_AUTHORIZER_RESPONSE',
    )

    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map(
      (response) => response.Properties,
    )
    const byType = Object.fromEntries(responses.map((r) => [r.ResponseType, r]))
    const problem = (type: string) => JSON.parse(byType[type].ResponseTemplates['application/json'])
    expect(Object.keys(byType).sort()).toEqual([
      'ACCESS_DENIED',
      'AUTHORIZER_CONFIGURATION_ERROR',
      'AUTHORIZER_FAILURE',
      'UNAUTHORIZED',
    ])
    expect(byType.UNAUTHORIZED).toMatchObject({
      StatusCode: '401',
      ResponseParameters: {
        'gatewayresponse.header.Content-Type': "'application/problem+json'",
        'gatewayresponse.header.WWW-Authenticate': "'Bearer'",
        'gatewayresponse.header.Cache-Control': "'no-store'",
      },
    })
    expect(problem('UNAUTHORIZED')).toMatchObject({
      status: 401,
      code: 'invalid_token',
      request_id: '$context.requestId',
    })
    expect(byType.ACCESS_DENIED).toMatchObject({
      StatusCode: '403',
      ResponseParameters: {
        'gatewayresponse.header.WWW-Authenticate': `'Bearer error="insufficient_scope"'`,
      },
    })
    expect(problem('ACCESS_DENIED')).toMatchObject({ status: 403, code: 'insufficient_scope' })
    for (const type of ['AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR']) {
      expect(byType[type]).toMatchObject({
        StatusCode: '503',
        ResponseParameters: { 'gatewayresponse.header.Retry-After': "'10'" },
      })
      expect(problem(type)).toMatchObject({
        type: 'urn:tollgate:problem:unavailable',
        status: 503,
        code: 'unavailable',
      })
    }
  })
})

describe('TollgateAuthorizer safe defaults', () => {
  const create = (props: Partial<TollgateAuthorizerProps> & Record<string, unknown>) => {
    const stack = userStack()
    return () =>
      new TollgateAuthorizer(stack, 'Auth', {
        tollgate: deployedTollgate(),
        api: new apigwv2.HttpApi(stack, 'Api'),
        ...props,
      } as TollgateAuthorizerProps)
  }

  it('fails synth when refresh + cache TTL exceed the revocation budget', () => {
    expect(create({ cacheTtl: Duration.seconds(25) })).toThrow(
      /REVOCATION_REFRESH_SECONDS \(10\) \+ AUTHORIZER_CACHE_TTL_SECONDS \(25\) exceed REVOCATION_MAX_DELAY_SECONDS \(30\)/,
    )
    expect(create({ cacheTtl: Duration.seconds(20) })).not.toThrow()
    expect(
      create({
        revocationRefresh: Duration.seconds(5),
        revocationMaxDelay: Duration.seconds(60),
        cacheTtl: Duration.seconds(55),
      }),
    ).not.toThrow()
  })

  it('refuses cache TTLs API Gateway cannot honour', () => {
    expect(create({ cacheTtl: Duration.millis(1500) })).toThrow(/whole seconds/)
    expect(create({ cacheTtl: Duration.hours(2), revocationCheck: false })).toThrow(/0 to 3600/)
  })

  it('rejects unknown options, as middy does', () => {
    expect(create({ cacheTTL: Duration.seconds(5) })).toThrow(/unknown option\(s\) cacheTTL/)
  })

  it('checks ROUTE_SCOPES at synth with the same rules as at cold start', () => {
    expect(create({ routeScopes: { '/datasets': 'datasets:read' } })).toThrow(
      /ROUTE_SCOPES must be a JSON object/,
    )
  })

  it('needs the Tollgate construct itself for Basic auth (the pepper)', () => {
    expect(create({ basicAuth: true })).toThrow(/the pepper secret is not configured/)
  })
})

describe('TollgateAuthorizer native mode (API Gateway JWT authorizer)', () => {
  it('points API Gateway at the issuer and audience, with no Lambda at all', () => {
    const stack = userStack()
    const api = new apigwv2.HttpApi(stack, 'Api')
    const authorizer = new TollgateAuthorizer(stack, 'Auth', {
      tollgate: deployedTollgate(),
      api,
      mode: 'native',
      revocationCheck: false,
    })
    api.addRoutes({
      path: '/reports',
      methods: [apigwv2.HttpMethod.GET],
      integration: backend(),
      authorizer: authorizer.httpAuthorizer,
      authorizationScopes: ['reports:read'],
    })
    const template = Template.fromStack(stack)
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: ISSUER, Audience: ['tollgate'] },
    })
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      AuthorizationType: 'JWT',
      AuthorizationScopes: ['reports:read'],
    })
    template.resourceCountIs('AWS::Lambda::Function', 0)
    expect(authorizer.function).toBeUndefined()
  })

  it('says what it cannot do instead of doing less', () => {
    const stack = userStack()
    const native = (props: Partial<TollgateAuthorizerProps>) => () =>
      new TollgateAuthorizer(stack, `Auth${Math.random()}`, {
        tollgate: deployedTollgate(),
        api: new apigwv2.HttpApi(stack, `Api${Math.random()}`),
        mode: 'native',
        revocationCheck: false,
        ...props,
      })
    expect(native({ revocationCheck: undefined })).toThrow(/set revocationCheck: false/)
    expect(native({ basicAuth: true })).toThrow(/Basic/)
    expect(native({ routeScopes: { 'GET /x': 'x:read' } })).toThrow(/authorizationScopes/)
    expect(
      native({
        tollgate: tollgateIssuer({
          issuer: ISSUER,
          tableName: 't-1',
          kmsKeyArns: [KEY_ARN],
          jwtAlg: 'ES256',
        }),
      }),
    ).toThrow(/RS256/)
    expect(native({ api: new apigw.RestApi(stack, 'Rest') })).toThrow(/HTTP APIs only/)
  })
})
