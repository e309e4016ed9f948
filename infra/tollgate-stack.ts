import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib'
import type { Construct } from 'constructs'
import { Tollgate, type TollgateProps } from './constructs/tollgate.js'

export interface TollgateStackProps extends StackProps {
  readonly tollgate?: TollgateProps
}

/**
 * The deployable service: one `Tollgate` and the outputs an operator needs
 * (the URL, what verifiers trust, and the bootstrap function's name).
 *
 * @example
 * new TollgateStack(app, 'Tollgate', { tollgate: { keySource: 'kms' } })
 */
export class TollgateStack extends Stack {
  readonly tollgate: Tollgate

  constructor(scope: Construct, id: string, props: TollgateStackProps = {}) {
    super(scope, id, props)
    const tollgate = new Tollgate(this, 'Tollgate', props.tollgate)
    this.tollgate = tollgate
    const outputs: Record<string, [value: string, description: string]> = {
      ApiUrl: [
        tollgate.url,
        'Where callers reach Tollgate: the front door, the custom domain, or the HTTP API',
      ],
      Issuer: [
        tollgate.issuer,
        'ISSUER: iss of minted JWTs, base of /.well-known/openid-configuration',
      ],
      JwksUrl: [tollgate.jwksUrl, 'JWKS URL for verifiers'],
      TableName: [
        tollgate.table.tableName,
        'TABLE_NAME, for tollgate bootstrap and downstream authorizers',
      ],
      TableArn: [
        tollgate.table.tableArn,
        'tableArn of remoteTollgateIssuer: the deny-list, for consumers in denyListReaders',
      ],
      KeySource: [tollgate.keySource, 'KEY_SOURCE'],
      PepperSecretId: [
        tollgate.keys.pepper.secretArn,
        "PEPPER_SECRET_ID (only the stack's functions may decrypt it)",
      ],
      AuthorizerFunctionName: [
        tollgate.authorizer.function?.functionName ?? '',
        'The Lambda authorizer (sam local invoke, logs)',
      ],
      BootstrapFunctionName: [
        tollgate.bootstrap.functionName,
        'The first admin: aws lambda invoke, or tollgate bootstrap --function',
      ],
    }
    const domainTarget =
      tollgate.frontDoor?.distribution.distributionDomainName ??
      tollgate.domainName?.regionalDomainName
    if (domainTarget !== undefined) {
      outputs.DomainTarget = [
        domainTarget,
        'Where the custom domain (or the front door) points: an alias or CNAME record to this',
      ]
    }
    if (tollgate.keySource === 'kms') {
      outputs.KmsKeyIds = [
        tollgate.keys.signingKeys.map((key) => key.keyArn).join(','),
        'KMS_KEY_IDS: the signing key first, for downstream authorizers',
      ]
    } else if (tollgate.keys.signingKeySecret) {
      outputs.SigningKeysSecretId = [
        tollgate.keys.signingKeySecret.secretArn,
        'SIGNING_KEYS_SECRET_ID',
      ]
    }
    for (const [id, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description })
    }
  }
}
