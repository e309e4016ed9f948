import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { App, Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import * as sns from 'aws-cdk-lib/aws-sns'
import type { IConstruct } from 'constructs'
import { describe, expect, it } from 'vitest'
import { TOKEN_TABLE } from '../../functions/adapters/token-table.js'
import { REPO_ROOT } from '../../infra/bundling.js'
import { routedHandlers } from '../../infra/constructs/routes.js'
import { Tollgate } from '../../infra/constructs/tollgate.js'
import {
  CDK_CONTEXT,
  logicalId,
  OUTDIR,
  refOf,
  synthTollgate,
  unacknowledgedFindings,
} from './support/synth.js'

type Json = Record<string, unknown>
interface MetricStat {
  readonly Namespace: string
  readonly MetricName: string
  readonly Dimensions?: Array<{ Name: string; Value: unknown }>
}

/** A metric as the tests pin it: `namespace/name`, its dimensions, statistic and period. */
const metricOf = (metric: MetricStat, stat: unknown, period: unknown) => ({
  metric: `${metric.Namespace}/${metric.MetricName}`,
  dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d) => [d.Name, d.Value])),
  stat,
  period,
})

/** Everything an alarm decides with: its metric(s), expression, threshold, comparison, periods. */
const alarmOf = (properties: Json) => {
  const math = properties.Metrics as
    | Array<{ Id: string; Expression?: string; MetricStat?: Json }>
    | undefined
  return {
    ...(math === undefined
      ? {
          metrics: [
            metricOf(
              properties as unknown as MetricStat,
              properties.Statistic ?? properties.ExtendedStatistic,
              properties.Period,
            ),
          ],
        }
      : {
          expression: math.find((m) => m.Expression !== undefined)?.Expression,
          metrics: math
            .filter((m) => m.MetricStat !== undefined)
            .map((m) => {
              const stat = m.MetricStat as { Metric: MetricStat; Stat: string; Period: number }
              return { id: m.Id, ...metricOf(stat.Metric, stat.Stat, stat.Period) }
            }),
        }),
    threshold: properties.Threshold,
    comparison: properties.ComparisonOperator,
    evaluationPeriods: properties.EvaluationPeriods,
  }
}

/** Alarms by construct id (the id under Monitoring), each as `alarmOf` describes it. */
const alarmsOf = (tollgate: Tollgate, template: Template) => {
  const monitoring = tollgate.monitoring
  if (monitoring === undefined) throw new Error('monitoring is off')
  const resources = template.findResources('AWS::CloudWatch::Alarm')
  return Object.fromEntries(
    [...monitoring.alarms].map(([id, alarm]) => {
      const resource = resources[logicalId(alarm)]
      if (resource === undefined) throw new Error(`alarm ${id} is not in the template`)
      return [id, { ...alarmOf(resource.Properties), resource: resource.Properties as Json }]
    }),
  )
}

const AT_LEAST = 'GreaterThanOrEqualToThreshold'
const ABOVE = 'GreaterThanThreshold'
const lambdaMetric = (name: string, fn: IConstruct) => ({
  metrics: [metricOf({ Namespace: 'AWS/Lambda', MetricName: name }, 'Sum', 300)].map((m) => ({
    ...m,
    dimensions: { FunctionName: refOf(fn) },
  })),
  threshold: 1,
  comparison: AT_LEAST,
  evaluationPeriods: 1,
})
const pascal = (name: string) =>
  name.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, letter: string) => letter.toUpperCase())

/** The alarms both key sources share, with the metric each reads and when it fires. */
const commonAlarms = (tollgate: Tollgate) => {
  const api = refOf(tollgate.api)
  const table = refOf(tollgate.table)
  const authorizer = tollgate.authorizer.function as IConstruct
  const exchange = tollgate.handlers.get('exchange-jwt') as IConstruct
  const throttleEvents = (dimensions: Json) => ({
    expression: 'reads + writes',
    metrics: [
      ['reads', 'ReadThrottleEvents'],
      ['writes', 'WriteThrottleEvents'],
    ].map(([id, name]) => ({
      id,
      ...metricOf({ Namespace: 'AWS/DynamoDB', MetricName: name as string }, 'Sum', 300),
      dimensions,
    })),
    threshold: 1,
    comparison: AT_LEAST,
    evaluationPeriods: 1,
  })
  const rate = (part: Json, threshold: number) => ({
    expression: 'IF(requests >= 20, 100 * part / requests, 0)',
    metrics: expect.arrayContaining([
      { id: 'part', ...part },
      {
        id: 'requests',
        ...metricOf({ Namespace: 'AWS/ApiGateway', MetricName: 'Count' }, 'Sum', 300),
        dimensions: { ApiId: api },
      },
    ]),
    threshold,
    comparison: ABOVE,
    evaluationPeriods: 1,
  })
  return {
    ExchangeErrors: lambdaMetric('Errors', exchange),
    AuthorizerErrors: lambdaMetric('Errors', authorizer),
    AuthorizerThrows: {
      metrics: [
        {
          ...metricOf({ Namespace: 'Tollgate', MetricName: 'AuthorizerThrows' }, 'Sum', 300),
          dimensions: { ApiId: api },
        },
      ],
      threshold: 1,
      comparison: AT_LEAST,
      evaluationPeriods: 1,
    },
    ServerErrorRate: rate(
      {
        ...metricOf({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' }, 'Sum', 300),
        dimensions: { ApiId: api },
      },
      1,
    ),
    ThrottledRate: rate(
      {
        ...metricOf({ Namespace: 'Tollgate', MetricName: 'Throttled' }, 'Sum', 300),
        dimensions: { ApiId: api },
      },
      5,
    ),
    ...Object.fromEntries(
      routedHandlers().map((name) => [
        `${pascal(name)}Throttles`,
        lambdaMetric('Throttles', tollgate.handlers.get(name) as IConstruct),
      ]),
    ),
    AuthorizerThrottles: lambdaMetric('Throttles', authorizer),
    TableThrottles: throttleEvents({ TableName: table }),
    Gsi1Throttles: throttleEvents({
      TableName: table,
      GlobalSecondaryIndexName: TOKEN_TABLE.ownerIndex.name,
    }),
    Gsi2Throttles: throttleEvents({
      TableName: table,
      GlobalSecondaryIndexName: TOKEN_TABLE.listIndex.name,
    }),
    DenyListStale: {
      metrics: [
        {
          ...metricOf({ Namespace: 'Tollgate', MetricName: 'DenyListAgeSeconds' }, 'Maximum', 300),
          dimensions: { FunctionName: refOf(authorizer) },
        },
      ],
      threshold: 10,
      comparison: ABOVE,
      evaluationPeriods: 1,
    },
  }
}

const strip = (alarms: Record<string, Json>) =>
  Object.fromEntries(Object.entries(alarms).map(([id, { resource: _, ...alarm }]) => [id, alarm]))

describe('monitoring (KEY_SOURCE=kms, RS256: the default)', () => {
  const { stack, template } = synthTollgate()
  const tollgate = stack.tollgate
  const alarms = alarmsOf(tollgate, template)
  const exchange = tollgate.handlers.get('exchange-jwt') as IConstruct

  it('pins every alarm: its metric, statistic, period, threshold and evaluation', () => {
    expect(strip(alarms)).toEqual({
      ...commonAlarms(tollgate),
      KmsThrottled: {
        metrics: [
          {
            ...metricOf({ Namespace: 'Tollgate', MetricName: 'KmsThrottled' }, 'Sum', 300),
            dimensions: { FunctionName: refOf(exchange) },
          },
        ],
        threshold: 1,
        comparison: AT_LEAST,
        evaluationPeriods: 1,
      },
      // 80% of RSA's 500 Sign/s for 3 minutes in a row.
      KmsSignQuotaHeadroom: {
        metrics: [
          {
            ...metricOf({ Namespace: 'AWS/Usage', MetricName: 'CallCount' }, 'Sum', 60),
            dimensions: { Service: 'KMS', Type: 'API', Resource: 'Sign', Class: 'None' },
          },
        ],
        threshold: 24_000,
        comparison: AT_LEAST,
        evaluationPeriods: 3,
      },
    })
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm'))).toHaveLength(
      Object.keys(alarms).length,
    )
  })

  it("says a throttled exchange filled its reserved concurrency and answered 500, and 429s are the stage's", () => {
    expect(alarms.ExchangeJwtThrottles?.resource.AlarmDescription).toMatch(
      /reserved concurrency \(sized to the KMS Sign quota\); those callers got 500/,
    )
    expect(alarms.JwksThrottles?.resource.AlarmDescription).toMatch(/concurrency is exhausted/)
    expect(alarms.ThrottledRate?.resource.AlarmDescription).toMatch(
      /refused 429 by the stage's throttle, which every route and caller shares/,
    )
  })

  it('sends every alarm and its return to OK to one topic, and stays OK without data', () => {
    const topic = refOf(tollgate.monitoring?.topic as IConstruct)
    for (const { resource } of Object.values(alarms)) {
      expect(resource).toMatchObject({
        AlarmActions: [topic],
        OKActions: [topic],
        TreatMissingData: 'notBreaching',
        AlarmDescription: expect.stringMatching(/What to do: docs\/runbook\.md#[a-z-]+$/),
      })
    }
  })

  it("names in each alarm's description a section of docs/runbook.md that exists", () => {
    const runbook = readFileSync(join(REPO_ROOT, 'docs', 'runbook.md'), 'utf8')
    const sections = new Set(
      [...runbook.matchAll(/^#{2,3} (.+)$/gm)].map(([, heading]) =>
        (heading as string)
          .toLowerCase()
          .replace(/[^a-z0-9 _-]/g, '')
          .replaceAll(' ', '-'),
      ),
    )
    for (const { resource } of Object.values(alarms)) {
      const section = /docs\/runbook\.md#([a-z-]+)$/.exec(String(resource.AlarmDescription))?.[1]
      expect(sections).toContain(section)
    }
    for (const id of tollgate.monitoring?.alarms.keys() ?? []) {
      expect(runbook).toContain(id.replace(/^(?!Table|Gsi)\w+Throttles$/, '<Function>Throttles'))
    }
  })

  it('makes an encrypted, TLS-only topic that CloudWatch alarms of this account may publish to', () => {
    const monitoring = tollgate.monitoring as NonNullable<Tollgate['monitoring']>
    const key = monitoring.node.findChild('TopicKey')
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(key), 'Arn'] },
    })
    const policy = JSON.stringify(template.findResources('AWS::SNS::TopicPolicy'))
    expect(policy).toContain('aws:SecureTransport')
    expect(policy).toContain('cloudwatch.amazonaws.com')
    expect(JSON.stringify(template.findResources('AWS::KMS::Key')[logicalId(key)])).toMatch(
      /cloudwatch\.amazonaws\.com.*events\.amazonaws\.com|events\.amazonaws\.com.*cloudwatch\.amazonaws\.com/,
    )
  })

  it('counts authorizer throws and 429s from the access log, per API', () => {
    const accessLogs = refOf(tollgate.node.findChild('AccessLogs'))
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).map(
      (filter) => filter.Properties,
    )
    expect(filters).toEqual([
      {
        LogGroupName: accessLogs,
        FilterPattern:
          '{ $.status = "5*" && ($.authorizerError != "-" || $.errorResponseType = "AUTHORIZER_*") }',
        MetricTransformations: [
          {
            MetricNamespace: 'Tollgate',
            MetricName: 'AuthorizerThrows',
            MetricValue: '1',
            Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }],
            Unit: 'Count',
          },
        ],
      },
      {
        LogGroupName: accessLogs,
        FilterPattern: '{ $.status = "429" }',
        MetricTransformations: [
          {
            MetricNamespace: 'Tollgate',
            MetricName: 'Throttled',
            MetricValue: '1',
            Dimensions: [{ Key: 'ApiId', Value: '$.apiId' }],
            Unit: 'Count',
          },
        ],
      },
    ])
  })

  it('draws a dashboard of rates, latencies and errors', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))
    expect(dashboards).toHaveLength(1)
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody)
    for (const title of [
      'Requests per minute',
      'API latency (ms)',
      'JWTs issued and refusals per minute',
      'Function errors and throttles per minute',
      'Function duration p99 (ms)',
      'DynamoDB throttle events per minute',
      'KMS Sign calls per minute (account) and throttled',
      'Deny-list age (s, max)',
    ]) {
      expect(body).toContain(title)
    }
  })

  it('watches no rotation: kms keys rotate by a deploy', () => {
    expect(template.findResources('AWS::Events::Rule')).toEqual({})
  })

  it('passes cdk-nag with nothing left to acknowledge', () => {
    expect(unacknowledgedFindings(stack)).toEqual([])
  })
})

describe('monitoring (KEY_SOURCE=secrets-manager, ES256)', () => {
  const { stack, template } = synthTollgate({ keySource: 'secrets-manager', jwtAlg: 'ES256' })
  const tollgate = stack.tollgate
  const alarms = alarmsOf(tollgate, template)

  it('pins every alarm: no KMS Sign alarm, a rotation one instead', () => {
    expect(strip(alarms)).toEqual({
      ...commonAlarms(tollgate),
      KeyRotationErrors: lambdaMetric('Errors', tollgate.keyRotation as IConstruct),
    })
  })

  it("sends the signing-key secret's failed and abandoned rotations to the topic", () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'))
    expect(rules).toHaveLength(1)
    expect(rules[0]?.Properties).toMatchObject({
      EventPattern: {
        source: ['aws.secretsmanager'],
        'detail-type': ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed', 'RotationAbandoned'],
          additionalEventData: {
            SecretId: [refOf(tollgate.keys.node.findChild('SigningKeySecret'))],
          },
        },
      },
      State: 'ENABLED',
      Targets: [expect.objectContaining({ Arn: refOf(tollgate.monitoring?.topic as IConstruct) })],
    })
  })

  it('passes cdk-nag with nothing left to acknowledge', () => {
    expect(unacknowledgedFindings(stack)).toEqual([])
  })
})

describe('monitoring: false', () => {
  const { template } = synthTollgate({ monitoring: false }, 'TollgateUnwatched')

  it('synthesizes no alarm, dashboard, topic, metric filter or rule', () => {
    for (const type of [
      'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::Dashboard',
      'AWS::SNS::Topic',
      'AWS::Logs::MetricFilter',
      'AWS::Events::Rule',
    ]) {
      expect(template.findResources(type)).toEqual({})
    }
  })
})

describe('monitoring: { topic }', () => {
  const app = new App({ outdir: OUTDIR, context: CDK_CONTEXT })
  const stack = new Stack(app, 'TollgatePaged')
  const pager = stack.formatArn({ service: 'sns', resource: 'pager' })
  const topic = sns.Topic.fromTopicArn(stack, 'Pager', pager)
  new Tollgate(stack, 'Tollgate', { keySource: 'secrets-manager', monitoring: { topic } })
  const template = Template.fromStack(stack)

  it('sends alarms and failed rotations to the topic given, and makes none', () => {
    expect(template.findResources('AWS::SNS::Topic')).toEqual({})
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([stack.resolve(pager)])
    }
    const [rule] = Object.values(template.findResources('AWS::Events::Rule'))
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: stack.resolve(pager) }),
    ])
  })
})
