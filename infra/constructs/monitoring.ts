import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib'
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions'
import * as events from 'aws-cdk-lib/aws-events'
import * as targets from 'aws-cdk-lib/aws-events-targets'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as kms from 'aws-cdk-lib/aws-kms'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import * as logs from 'aws-cdk-lib/aws-logs'
import * as sns from 'aws-cdk-lib/aws-sns'
import { Construct } from 'constructs'
import { TOKEN_TABLE } from '../../functions/adapters/token-table.js'
import {
  CODE_DIMENSION,
  FUNCTION_DIMENSION,
  METRIC_NAMESPACE,
  METRICS,
} from '../../functions/core/metrics.js'
import type { KeySource, RoutedHandlerName } from './permissions.js'
import type { TollgateAuthorizer } from './tollgate-authorizer.js'

/** What is watched: the `Tollgate` construct, by its parts (tollgate.ts imports this file, not the reverse). */
export interface MonitoredTollgate extends Construct {
  readonly api: apigwv2.HttpApi
  readonly table: { readonly tableName: string }
  readonly keySource: KeySource
  readonly handlers: ReadonlyMap<RoutedHandlerName, lambda.IFunction>
  readonly authorizer: TollgateAuthorizer
  readonly keyRotation: lambda.IFunction | undefined
  readonly keys: { readonly signingKeySecret: { readonly secretArn: string } | undefined }
}

export interface TollgateMonitoringProps {
  readonly tollgate: MonitoredTollgate
  /** Where alarms (on alarm and back to OK) and failed rotations go. @default a new topic, encrypted */
  readonly topic?: sns.ITopic
  /** `kms`: the account's KMS Sign quota for the key spec, in requests/s. */
  readonly kmsSignQuota: number
}

/** Metrics the access log yields through metric filters (the API publishes neither). */
const ACCESS_LOG_METRICS = {
  /** A 5xx the Lambda authorizer caused: it threw, timed out or could not be invoked. */
  authorizerThrows: 'AuthorizerThrows',
  /** A 429: the stage's throttle refused the request. */
  throttled: 'Throttled',
} as const

/** HTTP API metrics per API (AWS/ApiGateway, dimension ApiId). */
const API_DIMENSION = 'ApiId'

/** A rate alarm ignores periods with fewer requests: one 5xx of three calls is no outage. */
const RATE_MIN_REQUESTS = 20

/** The KMS Sign quota share at which the headroom alarm fires. */
const KMS_QUOTA_ALARM_SHARE = 0.8

const FIVE_MINUTES = Duration.minutes(5)
const ONE_MINUTE = Duration.minutes(1)

interface AlarmSpec {
  readonly metric: cloudwatch.IMetric
  readonly threshold: number
  readonly evaluationPeriods?: number
  readonly comparison?: cloudwatch.ComparisonOperator
  /** What it means, for the notification; the runbook's section says what to do. */
  readonly meaning: string
  /** The section of docs/runbook.md for this alarm. */
  readonly runbook: string
}

/**
 * Tollgate's alarms, dashboard and notifications (docs/runbook.md lists
 * every alarm, what it means and what to do). Alarms go to one SNS topic,
 * made here (encrypted, TLS only) unless one is passed; nobody is
 * subscribed to a topic made here until an operator subscribes.
 *
 * - The request path: exchange and authorizer errors, authorizer throws
 *   (the 5xx API Gateway answers for it, from the access log), the 5xx and
 *   429 rates, Lambda throttles of every function behind a route.
 * - Data and keys: DynamoDB throttles (table and each index); `kms`: Sign
 *   calls KMS throttled and the account's Sign calls against the quota;
 *   `secrets-manager`: failed rotations (EventBridge) and rotation errors.
 * - Revocation: the authorizer's deny-list copy growing old (its refreshes
 *   fail), from the age it reports (EMF).
 *
 * @example
 * new TollgateMonitoring(this, 'Monitoring', { tollgate, kmsSignQuota: 500 })
 */
export class TollgateMonitoring extends Construct {
  readonly topic: sns.ITopic
  /** Every alarm by construct id. */
  readonly alarms = new Map<string, cloudwatch.Alarm>()
  readonly dashboard: cloudwatch.Dashboard
  /** `secrets-manager`: failed or abandoned rotations of the signing-key secret → the topic. */
  readonly rotationFailed: events.Rule | undefined
  private readonly tollgate: MonitoredTollgate
  private readonly accessLogs: logs.ILogGroup

  constructor(scope: Construct, id: string, props: TollgateMonitoringProps) {
    super(scope, id)
    this.tollgate = props.tollgate
    this.topic = props.topic ?? this.createTopic()
    this.accessLogs = this.tollgate.node.findChild('AccessLogs') as logs.LogGroup
    this.accessLogMetricFilters()
    this.requestAlarms()
    this.throttleAlarms()
    if (this.tollgate.keySource === 'kms') this.kmsAlarms(props.kmsSignQuota)
    this.rotationFailed = this.rotationAlarms()
    this.denyListAlarm()
    this.dashboard = this.createDashboard()
  }

  private get exchange(): lambda.IFunction {
    return this.tollgate.handlers.get('exchange-jwt') as lambda.IFunction
  }

  /** Whether the exchange has its own reserved concurrency (`exchangeConcurrency`). */
  private get exchangeReserved(): boolean {
    const cfn = this.exchange.node.defaultChild as lambda.CfnFunction
    return cfn.reservedConcurrentExecutions !== undefined
  }

  private createTopic(): sns.Topic {
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts Tollgate alarm notifications',
      enableKeyRotation: true,
      // Notifications are delivered in seconds; nothing encrypted under it outlives the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    })
    const publishers = [
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      new iam.ServicePrincipal('events.amazonaws.com'),
    ]
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsAndRulesPublishEncrypted',
        principals: publishers,
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    )
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'Tollgate alarms',
      masterKey: key,
      enforceSSL: true,
    })
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsPublish',
        principals: [publishers[0] as iam.ServicePrincipal],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
        },
      }),
    )
    return topic
  }

  private accessLogMetricFilters(): void {
    const filters: Array<[string, string, string]> = [
      [
        'AuthorizerThrowsFilter',
        ACCESS_LOG_METRICS.authorizerThrows,
        '{ $.status = "5*" && ($.authorizerError != "-" || $.errorResponseType = "AUTHORIZER_*") }',
      ],
      ['ThrottledFilter', ACCESS_LOG_METRICS.throttled, '{ $.status = "429" }'],
    ]
    for (const [id, metricName, pattern] of filters) {
      new logs.MetricFilter(this, id, {
        logGroup: this.accessLogs,
        metricNamespace: METRIC_NAMESPACE,
        metricName,
        filterPattern: logs.FilterPattern.literal(pattern),
        metricValue: '1',
        dimensions: { [API_DIMENSION]: '$.apiId' },
        unit: cloudwatch.Unit.COUNT,
      })
    }
  }

  private accessLogMetric(metricName: string, period = FIVE_MINUTES): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { [API_DIMENSION]: this.tollgate.api.apiId },
      statistic: cloudwatch.Stats.SUM,
      period,
    })
  }

  private tollgateMetric(
    metricName: string,
    fn: lambda.IFunction,
    statistic: string = cloudwatch.Stats.SUM,
    period = FIVE_MINUTES,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { [FUNCTION_DIMENSION]: fn.functionName },
      statistic,
      period,
    })
  }

  /** Percent of the API's requests counted by `part`, 0 while fewer than RATE_MIN_REQUESTS came. */
  private rateOf(part: cloudwatch.IMetric, label: string): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `IF(requests >= ${RATE_MIN_REQUESTS}, 100 * part / requests, 0)`,
      usingMetrics: {
        part,
        requests: this.tollgate.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
      },
      period: FIVE_MINUTES,
      label,
    })
  }

  private requestAlarms(): void {
    const api = this.tollgate.api
    this.alarm('ExchangeErrors', {
      metric: this.exchange.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      meaning: 'The exchange function failed (crashed or timed out) on at least one invocation.',
      runbook: 'exchangeerrors',
    })
    const authorizer = this.tollgate.authorizer.function
    if (authorizer !== undefined) {
      this.alarm('AuthorizerErrors', {
        metric: authorizer.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        meaning:
          'The Lambda authorizer threw: it could not decide (keys, deny-list or configuration), so API Gateway answered 500.',
        runbook: 'authorizererrors-and-authorizerthrows',
      })
    }
    this.alarm('AuthorizerThrows', {
      metric: this.accessLogMetric(ACCESS_LOG_METRICS.authorizerThrows),
      threshold: 1,
      meaning:
        'API Gateway answered 5xx because of the authorizer (it threw, timed out, was throttled or could not be invoked).',
      runbook: 'authorizererrors-and-authorizerthrows',
    })
    this.alarm('ServerErrorRate', {
      metric: this.rateOf(
        api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
        '5xx (% of requests)',
      ),
      threshold: 1,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      meaning: 'More than 1% of the requests in 5 minutes were answered 5xx.',
      runbook: 'servererrorrate',
    })
    this.alarm('ThrottledRate', {
      metric: this.rateOf(
        this.accessLogMetric(ACCESS_LOG_METRICS.throttled),
        '429 (% of requests)',
      ),
      threshold: 5,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      meaning:
        "More than 5% of the requests in 5 minutes were refused 429 by the stage's throttle, which every route and caller shares.",
      runbook: 'throttledrate',
    })
  }

  private throttleAlarms(): void {
    const served: Array<[string, lambda.IFunction]> = [...this.tollgate.handlers].map(
      ([name, fn]) => [pascal(name), fn],
    )
    const authorizer = this.tollgate.authorizer.function
    if (authorizer !== undefined) served.push(['Authorizer', authorizer])
    for (const [name, fn] of served) {
      this.alarm(`${name}Throttles`, {
        metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        meaning:
          fn === this.exchange && this.exchangeReserved
            ? `Lambda throttled ${name}: valid exchanges filled its reserved concurrency (sized to the KMS Sign quota); those callers got 500.`
            : `Lambda throttled ${name}: the account's or the function's concurrency is exhausted.`,
        runbook: 'lambda-throttles',
      })
    }
    const tableName = this.tollgate.table.tableName
    const throttleEvents = (dimensionsMap: Record<string, string>) =>
      new cloudwatch.MathExpression({
        expression: 'reads + writes',
        usingMetrics: Object.fromEntries(
          [
            ['reads', 'ReadThrottleEvents'],
            ['writes', 'WriteThrottleEvents'],
          ].map(([key, metricName]) => [
            key,
            new cloudwatch.Metric({
              namespace: 'AWS/DynamoDB',
              metricName: metricName as string,
              dimensionsMap,
              statistic: cloudwatch.Stats.SUM,
              period: FIVE_MINUTES,
            }),
          ]),
        ),
        period: FIVE_MINUTES,
        label: 'throttle events',
      })
    this.alarm('TableThrottles', {
      metric: throttleEvents({ TableName: tableName }),
      threshold: 1,
      meaning: 'DynamoDB throttled reads or writes on the token table.',
      runbook: 'dynamodb-throttles',
    })
    for (const index of [TOKEN_TABLE.ownerIndex, TOKEN_TABLE.listIndex]) {
      this.alarm(`${pascal(index.name)}Throttles`, {
        metric: throttleEvents({ TableName: tableName, GlobalSecondaryIndexName: index.name }),
        threshold: 1,
        meaning: `DynamoDB throttled the index ${index.name} (its writes throttle the table's writes too).`,
        runbook: 'dynamodb-throttles',
      })
    }
  }

  /**
   * KMS publishes no throttle metric of its own: the exchange reports each
   * Sign KMS throttled (EMF), and the account's Sign calls come from the
   * AWS/Usage CallCount metric (Service KMS, Type API, Resource Sign),
   * summed per minute, against the quota.
   */
  private kmsAlarms(kmsSignQuota: number): void {
    this.alarm('KmsThrottled', {
      metric: this.tollgateMetric(METRICS.kmsThrottled, this.exchange),
      threshold: 1,
      meaning: 'KMS throttled Sign calls of the exchange: callers got 503 with Retry-After.',
      runbook: 'kmsthrottled-and-kmssignquotaheadroom',
    })
    this.alarm('KmsSignQuotaHeadroom', {
      metric: kmsSignCalls(),
      threshold: Math.floor(kmsSignQuota * KMS_QUOTA_ALARM_SHARE * 60),
      evaluationPeriods: 3,
      meaning: `The account's KMS Sign calls in this Region stayed above ${KMS_QUOTA_ALARM_SHARE * 100}% of the ${kmsSignQuota}/s quota for 3 minutes.`,
      runbook: 'kmsthrottled-and-kmssignquotaheadroom',
    })
  }

  private rotationAlarms(): events.Rule | undefined {
    const rotation = this.tollgate.keyRotation
    const secret = this.tollgate.keys.signingKeySecret
    if (rotation === undefined || secret === undefined) return undefined
    this.alarm('KeyRotationErrors', {
      metric: rotation.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      meaning: 'The signing-key rotation function failed a step.',
      runbook: 'failed-rotation',
    })
    return new events.Rule(this, 'RotationFailed', {
      description:
        'Tollgate: the signing-key secret failed or abandoned a rotation (docs/runbook.md)',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed', 'RotationAbandoned'],
          additionalEventData: { SecretId: [secret.secretArn] },
        },
      },
      targets: [new targets.SnsTopic(this.topic)],
    })
  }

  private denyListAlarm(): void {
    const authorizer = this.tollgate.authorizer.function
    const refresh = this.tollgate.authorizer.revocationRefresh
    if (authorizer === undefined || refresh === undefined) return
    this.alarm('DenyListStale', {
      metric: this.tollgateMetric(METRICS.denyListAgeSeconds, authorizer, cloudwatch.Stats.MAXIMUM),
      threshold: refresh.toSeconds(),
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      meaning: `The authorizer's deny-list copy is older than REVOCATION_REFRESH_SECONDS (${refresh.toSeconds()} s): its refreshes fail, and past the budget it answers 500.`,
      runbook: 'denyliststale',
    })
  }

  private alarm(id: string, spec: AlarmSpec): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      comparisonOperator:
        spec.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is no outage: a metric nobody emitted keeps the alarm OK.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${spec.meaning} What to do: docs/runbook.md#${spec.runbook}`,
    })
    alarm.addAlarmAction(new actions.SnsAction(this.topic))
    alarm.addOkAction(new actions.SnsAction(this.topic))
    this.alarms.set(id, alarm)
  }

  private createDashboard(): cloudwatch.Dashboard {
    const api = this.tollgate.api
    const perMinute = { period: ONE_MINUTE, statistic: 'Sum' }
    const fns: Array<[string, lambda.IFunction]> = [['exchange', this.exchange]]
    const authorizer = this.tollgate.authorizer.function
    if (authorizer !== undefined) fns.push(['authorizer', authorizer])
    const refusalsOf = ([label, fn]: [string, lambda.IFunction]) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRIC_NAMESPACE},${CODE_DIMENSION},${FUNCTION_DIMENSION}} MetricName="${METRICS.refusals}" ${FUNCTION_DIMENSION}="${fn.functionName}"', 'Sum', 60)`,
        label: `${label} refusals`,
        period: ONE_MINUTE,
      })
    const widgets: cloudwatch.IWidget[][] = [
      [
        graph('Requests per minute', [
          api.metricCount({ ...perMinute, label: 'requests' }),
          api.metricClientError({ ...perMinute, label: '4xx' }),
          api.metricServerError({ ...perMinute, label: '5xx' }),
          this.accessLogMetric(ACCESS_LOG_METRICS.throttled, ONE_MINUTE).with({ label: '429' }),
          this.accessLogMetric(ACCESS_LOG_METRICS.authorizerThrows, ONE_MINUTE).with({
            label: 'authorizer 5xx',
          }),
        ]),
        graph(
          'API latency (ms)',
          ['p50', 'p99'].flatMap((statistic) => [
            api.metricLatency({ period: ONE_MINUTE, statistic, label: `latency ${statistic}` }),
            api.metricIntegrationLatency({
              period: ONE_MINUTE,
              statistic,
              label: `integration ${statistic}`,
            }),
          ]),
        ),
      ],
      [
        graph('JWTs issued and refusals per minute', [
          this.tollgateMetric(METRICS.jwtsIssued, this.exchange, 'Sum', ONE_MINUTE).with({
            label: 'JWTs issued',
          }),
          ...fns.map(refusalsOf),
        ]),
        graph(
          'Function errors and throttles per minute',
          fns.flatMap(([label, fn]) => [
            fn.metricErrors({ ...perMinute, label: `${label} errors` }),
            fn.metricThrottles({ ...perMinute, label: `${label} throttles` }),
          ]),
        ),
        graph(
          'Function duration p99 (ms)',
          fns.map(([label, fn]) =>
            fn.metricDuration({ period: ONE_MINUTE, statistic: 'p99', label }),
          ),
        ),
      ],
      [
        graph('DynamoDB throttle events per minute', [
          ...['ReadThrottleEvents', 'WriteThrottleEvents'].map(
            (metricName) =>
              new cloudwatch.Metric({
                namespace: 'AWS/DynamoDB',
                metricName,
                dimensionsMap: { TableName: this.tollgate.table.tableName },
                ...perMinute,
                label: metricName,
              }),
          ),
        ]),
        ...(this.tollgate.keySource === 'kms'
          ? [
              graph('KMS Sign calls per minute (account) and throttled', [
                kmsSignCalls().with({ label: 'Sign calls (account, Region)' }),
                this.tollgateMetric(METRICS.kmsThrottled, this.exchange, 'Sum', ONE_MINUTE).with({
                  label: 'throttled',
                }),
              ]),
            ]
          : []),
        ...(authorizer !== undefined && this.tollgate.authorizer.revocationRefresh !== undefined
          ? [
              graph('Deny-list age (s, max)', [
                this.tollgateMetric(
                  METRICS.denyListAgeSeconds,
                  authorizer,
                  cloudwatch.Stats.MAXIMUM,
                  ONE_MINUTE,
                ),
              ]),
            ]
          : []),
      ],
    ]
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets,
      defaultInterval: Duration.hours(3),
    })
  }
}

/** The account's KMS Sign calls in this Region per minute (the AWS/Usage metric the quota is measured on). */
const kmsSignCalls = (): cloudwatch.Metric =>
  new cloudwatch.Metric({
    namespace: 'AWS/Usage',
    metricName: 'CallCount',
    dimensionsMap: { Service: 'KMS', Type: 'API', Resource: 'Sign', Class: 'None' },
    statistic: cloudwatch.Stats.SUM,
    period: ONE_MINUTE,
  })

const graph = (title: string, left: cloudwatch.IMetric[]): cloudwatch.GraphWidget =>
  new cloudwatch.GraphWidget({ title, left, width: 8, height: 6 })

/** `exchange-jwt` → `ExchangeJwt`, for construct ids. */
const pascal = (name: string): string =>
  name.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase())
