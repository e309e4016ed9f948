import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  AssetHashType,
  type BundlingOptions,
  Duration,
  type ILocalBundling,
  RemovalPolicy,
  Validations,
} from 'aws-cdk-lib'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as logs from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import { bundleSync, lambdaHandlerOf, REPO_ROOT } from '../bundling.js'
import { withDefaults } from './options.js'

export interface TollgateFunctionProps {
  /** Handler module, relative to the repository root: `functions/entries/jwks.ts`. */
  readonly entry: string
  /** Configuration (docs/design.md#configuration names), parsed by the handler at cold start. */
  readonly environment?: Readonly<Record<string, string>>
  /** @default 512 (MB): also the share of a vCPU that RSA and HMAC run on */
  readonly memorySize?: number
  /** @default 10 seconds (API Gateway gives up on an HTTP API integration after 30) */
  readonly timeout?: Duration
  /** @default one month */
  readonly logRetention?: logs.RetentionDays
  readonly description?: string
}

const DEFAULTS = {
  entry: '',
  environment: {} as Readonly<Record<string, string>>,
  memorySize: 512,
  timeout: Duration.seconds(10),
  logRetention: logs.RetentionDays.ONE_MONTH,
  description: undefined as string | undefined,
}

/**
 * A Tollgate Lambda function with the defaults every one of them shares:
 * Node.js 24 on arm64, bundled by the local esbuild (never Docker) with the
 * options in `infra/bundling.ts`, source maps on, X-Ray tracing, its own log
 * group with a retention, and its own role that may write to that log group
 * and nothing else until a grant adds exactly what the handler needs.
 *
 * @example
 * const jwks = new TollgateFunction(this, 'Jwks', { entry: 'functions/entries/jwks.ts' })
 * jwks.addToRolePolicy(statement)
 */
export class TollgateFunction extends lambda.Function {
  /** The execution role: only the log group, X-Ray and whatever is granted to it. */
  declare readonly role: iam.Role

  constructor(scope: Construct, id: string, props: TollgateFunctionProps) {
    const options = withDefaults('TollgateFunction', DEFAULTS, props)
    if (!existsSync(join(REPO_ROOT, options.entry))) {
      throw new Error(`TollgateFunction ${id}: handler module ${options.entry} does not exist`)
    }
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Tollgate ${options.entry}: its log group, X-Ray, and the grants it is given`,
    })
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: options.logRetention,
      // Logs hold the audit line of every minted JWT; they outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    })
    super(scope, id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: lambdaHandlerOf(options.entry),
      code: lambda.Code.fromAsset(REPO_ROOT, {
        // Hash what is shipped, not the repository (which would mean node_modules too).
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never used: local bundling either succeeds or throws.
          image: lambda.Runtime.NODEJS_24_X.bundlingImage,
          local: new EsbuildBundling(options.entry),
        },
      }),
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: options.memorySize,
      timeout: options.timeout,
      description: options.description ?? `Tollgate ${options.entry}`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'tollgate',
        ...options.environment,
      },
    })
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    )
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords (added by tracing: ACTIVE) support no resource-level permissions; every other statement of this role names its resources.',
    })
  }
}

/**
 * CDK's local bundling hook. Its data fields are part of CDK's asset cache
 * key, so two functions never share a bundle; it throws rather than returning
 * false, since false would make CDK fall back to Docker.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string, _options: BundlingOptions): boolean {
    bundleSync({ entry: this.entry, outdir: outputDir })
    return true
  }
}
