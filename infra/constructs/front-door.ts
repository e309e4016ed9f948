import { CfnRule, Fn, Stack, Token, Validations } from 'aws-cdk-lib'
import type * as acm from 'aws-cdk-lib/aws-certificatemanager'
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront'
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins'
import * as wafv2 from 'aws-cdk-lib/aws-wafv2'
import { Construct } from 'constructs'
import { withDefaults } from './options.js'

/** CloudFront's WAF web ACLs and certificates live in this Region, whatever the stack's. */
const CLOUDFRONT_REGION = 'us-east-1'

export interface FrontDoorOptions {
  /**
   * Requests one client address may make in any 5 minutes before WAF
   * blocks it (403) for as long as it stays above (WAF's minimum is 10).
   * @default 3000 (10 requests/s sustained)
   */
  readonly rateLimitPer5Min?: number
  /**
   * A second limit per value of this request header (a client id your
   * callers send), counted apart from the address; requests without it
   * are not counted by this rule. @default none
   */
  readonly headerRateLimit?: { readonly header: string; readonly limitPer5Min: number }
  /**
   * A CLOUDFRONT-scope web ACL made elsewhere (in us-east-1) to use instead
   * of making one: what a stack in another Region passes. @default one made here, which needs the stack in us-east-1
   */
  readonly webAclArn?: string
}

export interface FrontDoorProps extends FrontDoorOptions {
  /** The HTTP API's id; its execute-api endpoint in `region` is the origin. */
  readonly apiId: string
  /** A custom domain for the distribution, with its certificate (in us-east-1). */
  readonly domain?: { readonly domainName: string; readonly certificate: acm.ICertificate }
}

const DEFAULTS = {
  apiId: '',
  domain: undefined as FrontDoorProps['domain'],
  rateLimitPer5Min: 3000,
  headerRateLimit: undefined as FrontDoorOptions['headerRateLimit'],
  webAclArn: undefined as string | undefined,
}

/**
 * A CloudFront distribution in front of the HTTP API with a WAF web ACL
 * that limits each client (by address, optionally by a header) and drops
 * addresses on AWS's reputation list, so one client's flood is refused at
 * the edge instead of spending the stage throttle every caller shares.
 * Nothing is cached: every request reaches the API with its Authorization
 * header, query string and body.
 */
export class FrontDoor extends Construct {
  readonly distribution: cloudfront.Distribution
  /** The web ACL's ARN: the one made here, or `webAclArn`. */
  readonly webAclArn: string
  /** `https://` and the distribution's domain, or the custom domain. */
  readonly url: string

  constructor(scope: Construct, id: string, props: FrontDoorProps) {
    super(scope, id)
    const options = withDefaults('Tollgate frontDoor', DEFAULTS, props)
    const stack = Stack.of(this)
    const limits = {
      rateLimitPer5Min: options.rateLimitPer5Min,
      'headerRateLimit.limitPer5Min': options.headerRateLimit?.limitPer5Min ?? 10,
    }
    for (const [name, limit] of Object.entries(limits)) {
      if (!Number.isInteger(limit) || limit < 10) {
        throw new Error(
          `Tollgate frontDoor: ${name} must be a whole number of at least 10 (WAF's minimum)`,
        )
      }
    }
    if (
      options.webAclArn !== undefined &&
      !Token.isUnresolved(options.webAclArn) &&
      !options.webAclArn.includes(':global/webacl/')
    ) {
      throw new Error(
        `Tollgate frontDoor: webAclArn must be a CLOUDFRONT-scope web ACL (arn:aws:wafv2:us-east-1:<account>:global/webacl/…); ${options.webAclArn} is not`,
      )
    }
    this.webAclArn = options.webAclArn ?? this.createWebAcl(options).attrArn
    if (options.domain !== undefined) requireCloudFrontCertificate(options.domain.certificate)
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Tollgate front door: WAF rate limits per client, nothing cached',
      defaultBehavior: {
        origin: new origins.HttpOrigin(
          `${options.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
          { protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY },
        ),
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        // Host stays the origin's: API Gateway routes on it.
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      webAclId: this.webAclArn,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      ...(options.domain === undefined
        ? {}
        : {
            domainNames: [options.domain.domainName],
            certificate: options.domain.certificate,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }),
    })
    this.url = `https://${options.domain?.domainName ?? this.distribution.distributionDomainName}`
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Tollgate serves machine callers worldwide; who may call is decided by credentials and the WAF rate limits, not by country.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          "Every request that passes the WAF reaches the HTTP API, whose access log records it; WAF's blocks show in its metrics and sampled requests. Standard CloudFront logs would need an ACL-enabled S3 bucket for a second copy.",
      },
      ...(options.domain === undefined
        ? [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                "Without a custom domain the distribution uses CloudFront's default certificate, whose viewer TLS policy cannot be set; with `domain` it is TLSv1.2_2021.",
            },
          ]
        : []),
    )
  }

  private createWebAcl(options: typeof DEFAULTS): wafv2.CfnWebACL {
    const region = Stack.of(this).region
    const message = `Tollgate frontDoor: a CLOUDFRONT web ACL can only be made in ${CLOUDFRONT_REGION}; deploy this stack there, or make the web ACL in ${CLOUDFRONT_REGION} and pass its ARN as frontDoor.webAclArn (docs/deploy.md#a-front-door-with-waf)`
    if (!Token.isUnresolved(region) && region !== CLOUDFRONT_REGION) throw new Error(message)
    if (Token.isUnresolved(region)) {
      // An environment-agnostic stack learns its Region at deploy: refuse there, with the same words.
      new CfnRule(this, 'WebAclRegion', {
        assertions: [
          { assert: Fn.conditionEquals(region, CLOUDFRONT_REGION), assertDescription: message },
        ],
      })
    }
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    })
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      {
        name: 'RateLimitPerAddress',
        priority: 0,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: options.rateLimitPer5Min,
            aggregateKeyType: 'IP',
            evaluationWindowSec: 300,
          },
        },
        visibilityConfig: visibility('TollgateRateLimitPerAddress'),
      },
      {
        name: 'AmazonIpReputationList',
        priority: 1,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: 'AWSManagedRulesAmazonIpReputationList',
          },
        },
        visibilityConfig: visibility('TollgateAmazonIpReputationList'),
      },
    ]
    if (options.headerRateLimit !== undefined) {
      rules.push({
        name: 'RateLimitPerHeader',
        priority: 2,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: options.headerRateLimit.limitPer5Min,
            aggregateKeyType: 'CUSTOM_KEYS',
            evaluationWindowSec: 300,
            customKeys: [
              {
                header: {
                  name: options.headerRateLimit.header,
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            ],
          },
        },
        visibilityConfig: visibility('TollgateRateLimitPerHeader'),
      })
    }
    return new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description: 'Tollgate front door: per-client rate limits and the Amazon IP reputation list',
      visibilityConfig: visibility('TollgateFrontDoor'),
      rules,
    })
  }
}

/** CloudFront takes certificates from us-east-1 only: refuse another Region at synth when it is known. */
const requireCloudFrontCertificate = (certificate: acm.ICertificate): void => {
  const region = Token.isUnresolved(certificate.certificateArn)
    ? undefined
    : certificate.certificateArn.split(':')[3]
  if (region !== undefined && region !== CLOUDFRONT_REGION) {
    throw new Error(
      `Tollgate: with frontDoor, the domain is CloudFront's, and CloudFront takes certificates from ${CLOUDFRONT_REGION} only; ${certificate.certificateArn} is in ${region} (request or import one in ${CLOUDFRONT_REGION}: docs/deploy.md#a-custom-domain)`,
    )
  }
}
