import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as logs from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import { type FunctionCode, functionCode } from './function-code.js'
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
  /** Concurrency kept for this function, which is also its ceiling. @default none: the account's unreserved pool */
  readonly reservedConcurrentExecutions?: number
}

const DEFAULTS = {
  entry: '',
  environment: {} as Readonly<Record<string, string>>,
  memorySize: 512,
  timeout: Duration.seconds(10),
  logRetention: logs.RetentionDays.ONE_MONTH,
  description: undefined as string | undefined,
  reservedConcurrentExecutions: undefined as number | undefined,
}

/**
 * A Tollgate Lambda function with the defaults every one of them shares:
 * Node.js 24 on arm64; its code bundled from source by the local esbuild
 * (never Docker) with source maps on in the repository, prebuilt in the
 * package (`function-code.ts` says how); X-Ray tracing, its own log group
 * with a retention, and its own role that may write to that log group and
 * nothing else until a grant adds exactly what the handler needs.
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
    const code = codeOf(id, options.entry)
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
      handler: code.handler,
      code: code.code,
      role,
      logGroup,
      tracing: lambda.Tracing.ACTIVE,
      memorySize: options.memorySize,
      timeout: options.timeout,
      reservedConcurrentExecutions: options.reservedConcurrentExecutions,
      description: options.description ?? `Tollgate ${options.entry}`,
      environment: {
        ...code.environment,
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

const codeOf = (id: string, entry: string): FunctionCode => {
  try {
    return functionCode(entry)
  } catch (error) {
    throw new Error(`TollgateFunction ${id}: ${(error as Error).message}`, { cause: error })
  }
}
