import { App, Stack } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import * as acm from 'aws-cdk-lib/aws-certificatemanager'
import type { IConstruct } from 'constructs'
import { describe, expect, it } from 'vitest'
import type { TollgateProps } from '../../infra/constructs/tollgate.js'
import { TollgateStack } from '../../infra/tollgate-stack.js'
import {
  CDK_CONTEXT,
  logicalId,
  OUTDIR,
  synthTollgate,
  unacknowledgedFindings,
} from './support/synth.js'

const DOMAIN = 'auth.example.com'
const certificateIn = (region: string) =>
  acm.Certificate.fromCertificateArn(
    new Stack(new App(), `Certificates-${region}`),
    'Certificate',
    `arn:aws:acm:${region}:111122223333:certificate/0b5e4c2a-1111-2222-3333-444455556666`,
  )
const WEB_ACL_ARN =
  'arn:aws:wafv2:us-east-1:111122223333:global/webacl/tollgate/a1b2c3d4-5678-90ab-cdef-111122223333'

/** CloudFront's managed policies, by their fixed ids. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad'
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac'

/** The ISSUER of every Tollgate function in the template. */
const issuers = (template: Template) =>
  Object.values(template.findResources('AWS::Lambda::Function'))
    .filter((fn) => String(fn.Properties.Description).startsWith('Tollgate'))
    .map((fn) => fn.Properties.Environment.Variables.ISSUER)

/** Builds (not synthesizes) the stack in a Region, as `cdk deploy` with an env does. */
const stackIn = (region: string, tollgate: TollgateProps) =>
  new TollgateStack(new App({ outdir: OUTDIR, context: CDK_CONTEXT }), 'InRegion', {
    env: { account: '111122223333', region },
    tollgate,
  })

describe('frontDoor', () => {
  const { app, stack, template } = synthTollgate({ frontDoor: {} }, 'FrontDoor')
  const frontDoor = stack.tollgate.frontDoor as NonNullable<typeof stack.tollgate.frontDoor>
  const distribution = logicalId(frontDoor.distribution)
  const webAcl = logicalId(frontDoor.node.findChild('WebAcl'))

  it('puts CloudFront in front of the execute-api endpoint, every method, nothing cached, the WAF attached', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        Origins: [
          Match.objectLike({
            DomainName: {
              'Fn::Join': [
                '',
                [
                  { Ref: logicalId(stack.tollgate.api) },
                  '.execute-api.',
                  { Ref: 'AWS::Region' },
                  '.',
                  { Ref: 'AWS::URLSuffix' },
                ],
              ],
            },
            CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only' }),
          }),
        ],
        DefaultCacheBehavior: Match.objectLike({
          AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
          CachePolicyId: CACHING_DISABLED,
          OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
          ViewerProtocolPolicy: 'https-only',
        }),
        WebACLId: { 'Fn::GetAtt': [webAcl, 'Arn'] },
      },
    })
  })

  it('limits each address to 3,000 requests in 5 minutes and drops the Amazon IP reputation list', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'RateLimitPerAddress',
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: { Limit: 3000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 },
          },
        }),
        Match.objectLike({
          Name: 'AmazonIpReputationList',
          OverrideAction: { None: {} },
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: 'AWS',
              Name: 'AWSManagedRulesAmazonIpReputationList',
            },
          },
        }),
      ],
    })
  })

  it('refuses to deploy outside us-east-1 when the stack does not know its Region at synth', () => {
    // Beside CDK's own bootstrap-version rule.
    const rules = template.toJSON().Rules as Record<string, { Assertions: unknown[] }>
    expect(Object.values(rules).flatMap((rule) => rule.Assertions)).toContainEqual({
      Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
      AssertDescription: expect.stringMatching(/frontDoor\.webAclArn/),
    })
  })

  it("makes the distribution's URL the issuer of every function and the ApiUrl output", () => {
    const url = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] }
    expect(new Set(issuers(template).map((issuer) => JSON.stringify(issuer)))).toEqual(
      new Set([JSON.stringify(url)]),
    )
    const outputs = template.toJSON().Outputs
    expect(outputs.ApiUrl.Value).toEqual(url)
    expect(outputs.DomainTarget.Value).toEqual({ 'Fn::GetAtt': [distribution, 'DomainName'] })
  })

  it('keeps the execute-api endpoint, the origin, and the stage throttle', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      DisableExecuteApiEndpoint: Match.absent(),
    })
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
    })
  })

  it('is cdk-nag clean', () => {
    expect(unacknowledgedFindings(app)).toEqual([])
  })

  it('uses a web ACL made elsewhere, and adds a per-header limit when asked', () => {
    const given = synthTollgate({ frontDoor: { webAclArn: WEB_ACL_ARN } }, 'GivenWebAcl')
    expect(given.template.findResources('AWS::WAFv2::WebACL')).toEqual({})
    given.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: WEB_ACL_ARN }),
    })
    expect(unacknowledgedFindings(given.app)).toEqual([])
    const perHeader = synthTollgate(
      { frontDoor: { headerRateLimit: { header: 'x-client-id', limitPer5Min: 600 } } },
      'PerHeader',
    )
    perHeader.template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RateLimitPerHeader',
          Statement: {
            RateBasedStatement: {
              Limit: 600,
              AggregateKeyType: 'CUSTOM_KEYS',
              EvaluationWindowSec: 300,
              CustomKeys: [
                {
                  Header: {
                    Name: 'x-client-id',
                    TextTransformations: [{ Priority: 0, Type: 'NONE' }],
                  },
                },
              ],
            },
          },
        }),
      ]),
    })
  })

  it('makes its web ACL in a us-east-1 stack without the deploy-time rule', () => {
    const inUsEast1 = Template.fromStack(stackIn('us-east-1', { frontDoor: {} }))
    inUsEast1.resourceCountIs('AWS::WAFv2::WebACL', 1)
    expect(JSON.stringify(inUsEast1.toJSON().Rules ?? {})).not.toMatch(/frontDoor/)
  })
})

describe('domain', () => {
  const { app, stack, template } = synthTollgate(
    { domain: { domainName: DOMAIN, certificate: certificateIn('eu-west-1') } },
    'Domain',
  )

  it('maps an API Gateway custom domain to the stage and turns the execute-api endpoint off', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: DOMAIN,
      DomainNameConfigurations: [
        Match.objectLike({
          CertificateArn: certificateIn('eu-west-1').certificateArn,
          EndpointType: 'REGIONAL',
        }),
      ],
    })
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: { Ref: logicalId(stack.tollgate.api) },
      DomainName: { Ref: logicalId(stack.tollgate.domainName as IConstruct) },
      Stage: '$default',
    })
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true })
    expect(template.findResources('AWS::CloudFront::Distribution')).toEqual({})
  })

  it('makes https://<domain> the issuer of every function and the ApiUrl, and says where DNS points', () => {
    expect(new Set(issuers(template))).toEqual(new Set([`https://${DOMAIN}`]))
    const outputs = template.toJSON().Outputs
    expect(outputs.ApiUrl.Value).toBe(`https://${DOMAIN}`)
    expect(outputs.Issuer.Value).toBe(`https://${DOMAIN}`)
    expect(outputs.DomainTarget.Value).toEqual({
      'Fn::GetAtt': [logicalId(stack.tollgate.domainName as IConstruct), 'RegionalDomainName'],
    })
  })

  it('is cdk-nag clean', () => {
    expect(unacknowledgedFindings(app)).toEqual([])
  })

  it('goes on CloudFront with frontDoor, with TLS 1.2, and the API keeps its origin endpoint', () => {
    const both = synthTollgate(
      { frontDoor: {}, domain: { domainName: DOMAIN, certificate: certificateIn('us-east-1') } },
      'DomainOnFrontDoor',
    )
    both.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: [DOMAIN],
        ViewerCertificate: {
          AcmCertificateArn: certificateIn('us-east-1').certificateArn,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
      }),
    })
    expect(both.template.findResources('AWS::ApiGatewayV2::DomainName')).toEqual({})
    both.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      DisableExecuteApiEndpoint: Match.absent(),
    })
    expect(new Set(issuers(both.template))).toEqual(new Set([`https://${DOMAIN}`]))
    expect(unacknowledgedFindings(both.app)).toEqual([])
  })
})

describe('combinations that cannot work fail synth, saying what to do', () => {
  it.each([
    [
      'a web ACL made outside us-east-1',
      () => stackIn('eu-west-1', { frontDoor: {} }),
      /CLOUDFRONT web ACL can only be made in us-east-1.*frontDoor\.webAclArn/,
    ],
    [
      "a front door's domain with a certificate outside us-east-1",
      () =>
        stackIn('us-east-1', {
          frontDoor: {},
          domain: { domainName: DOMAIN, certificate: certificateIn('eu-west-1') },
        }),
      /CloudFront takes certificates from us-east-1 only/,
    ],
    [
      "an API domain with a certificate outside the stack's Region",
      () =>
        stackIn('eu-west-1', {
          domain: { domainName: DOMAIN, certificate: certificateIn('us-east-1') },
        }),
      /certificate must be in the stack's Region \(eu-west-1\)/,
    ],
    [
      'a regional web ACL',
      () =>
        stackIn('us-east-1', {
          frontDoor: { webAclArn: WEB_ACL_ARN.replace(':global/', ':regional/') },
        }),
      /webAclArn must be a CLOUDFRONT-scope web ACL/,
    ],
    [
      'a rate limit under WAF minimum',
      () => stackIn('us-east-1', { frontDoor: { rateLimitPer5Min: 5 } }),
      /rateLimitPer5Min must be a whole number of at least 10/,
    ],
    [
      'the old signingRateLimit',
      () => stackIn('eu-west-1', { signingRateLimit: 400 } as unknown as TollgateProps),
      /signingRateLimit is gone.*exchangeConcurrency/,
    ],
    [
      'no concurrency at all',
      () => stackIn('eu-west-1', { exchangeConcurrency: 0 }),
      /exchangeConcurrency must be a whole number of at least 2/,
    ],
  ])('%s', (_case, build, message) => {
    expect(build).toThrow(message)
  })
})

describe('exchangeConcurrency', () => {
  /** The minting budget as the two signing functions share it: [exchange, /oauth2]. */
  const reservedOfMinting = (tollgate: TollgateProps, name: string) => {
    const { stack, template } = synthTollgate(tollgate, name)
    const reserved = (handler: 'exchange-jwt' | 'oauth2') =>
      template.toJSON().Resources[logicalId(stack.tollgate.handlers.get(handler) as IConstruct)]
        .Properties.ReservedConcurrentExecutions
    const shares = [reserved('exchange-jwt'), reserved('oauth2')]
    return shares.every((share) => share === undefined) ? undefined : shares
  }

  it.each([
    ['ES256 keys: the ECC quota × 25 ms', 'Es256', { jwtAlg: 'ES256' }, [4, 4]],
    ['a number given, the odd one to the exchange', 'Given', { exchangeConcurrency: 51 }, [26, 25]],
    ['false: none reserved', 'Unreserved', { exchangeConcurrency: false }, undefined],
    [
      'secrets-manager: none, no KMS call per exchange',
      'Sm',
      { keySource: 'secrets-manager' },
      undefined,
    ],
  ] as const)('%s', (_case, name, tollgate, expected) => {
    expect(reservedOfMinting(tollgate as TollgateProps, `Concurrency${name}`)).toEqual(expected)
  })
})
