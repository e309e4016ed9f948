import { ROUTES, routeKey } from '../../functions/core/routes.js'

/** A synthesized CloudFormation template, as `cdk synth` writes it. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>
}

interface CfnResource {
  readonly Type: string
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON.
  readonly Properties?: any
}

export interface FunctionFacts {
  readonly memoryMb: number
  readonly arm64: boolean
  readonly traced: boolean
  readonly logRetentionDays: number
  /** Reserved concurrency, when set. */
  readonly reservedConcurrency: number | undefined
}

export interface IndexFacts {
  readonly name: string
  readonly projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'
  readonly nonKeyAttributes: readonly string[]
}

export interface Throttle {
  readonly rateLimit: number
  readonly burstLimit: number
}

/** What the cost and scale models take from a synthesized Tollgate stack. */
export interface TemplateFacts {
  readonly keySource: 'kms' | 'secrets-manager'
  readonly jwtAlg: 'RS256' | 'ES256'
  readonly exchange: FunctionFacts
  readonly authorizer: FunctionFacts
  readonly indexes: readonly IndexFacts[]
  /** The stage's default throttle: every route of the API draws from it. */
  readonly stageThrottle: Throttle
  readonly routeCount: number
  readonly accessLogFormat: string
  readonly accessLogRetentionDays: number
  readonly authorizerCacheSeconds: number
  /** KMS keys: asymmetric (signing) and symmetric with rotation on. */
  readonly signingKeys: number
  readonly rotatedKeys: number
  readonly secrets: number
  readonly rotationSchedule: string | undefined
  /** Monitoring (none with `monitoring: false`). */
  readonly alarms: number
  readonly dashboards: number
  readonly metricFilters: number
}

export const EXCHANGE_ROUTE_KEY = routeKey(
  ROUTES.find((route) => route.handler === 'exchange-jwt') ?? { method: 'POST', path: '?' },
)

/** How many index items a write that sets `attribute` rewrites, besides the item itself. */
export const indexWritesOnUpdateOf = (indexes: readonly IndexFacts[], attribute: string): number =>
  indexes.filter(
    (index) => index.projection === 'ALL' || index.nonKeyAttributes.includes(attribute),
  ).length

/**
 * Reads the facts from a Tollgate stack's template: the mint route's and
 * the authorizer's functions (found through the route and the authorizer,
 * never by name), the stage, the table's indexes, keys and secrets.
 */
export const templateFacts = (template: CfnTemplate): TemplateFacts => {
  const resources = template.Resources
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type)
  const only = (type: string): CfnResource => {
    const found = ofType(type)
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`)
    return (found[0] as [string, CfnResource])[1]
  }
  const route = ofType('AWS::ApiGatewayV2::Route').find(
    ([, r]) => r.Properties.RouteKey === EXCHANGE_ROUTE_KEY,
  )?.[1]
  if (route === undefined) throw new Error(`no route ${EXCHANGE_ROUTE_KEY}`)
  const integrationId = refsIn(route.Properties.Target)[0] as string
  const exchangeId = getAttsIn(resources[integrationId]?.Properties.IntegrationUri)[0] as string
  const authorizer = only('AWS::ApiGatewayV2::Authorizer').Properties
  const authorizerId = getAttsIn(authorizer.AuthorizerUri)[0] as string
  const stage = only('AWS::ApiGatewayV2::Stage').Properties
  const table = only('AWS::DynamoDB::Table').Properties
  const exchangeEnv = resources[exchangeId]?.Properties.Environment.Variables
  const keys = ofType('AWS::KMS::Key').map(([, r]) => r.Properties)
  const logGroupOf = (id: string) => resources[id]?.Properties.RetentionInDays as number
  const fn = (id: string): FunctionFacts => {
    const p = resources[id]?.Properties
    if (p === undefined) throw new Error(`no function ${id}`)
    return {
      memoryMb: p.MemorySize,
      arm64: (p.Architectures ?? []).includes('arm64'),
      traced: p.TracingConfig?.Mode === 'Active',
      logRetentionDays: logGroupOf(refsIn(p.LoggingConfig?.LogGroup)[0] as string),
      reservedConcurrency: p.ReservedConcurrentExecutions,
    }
  }
  return {
    keySource: exchangeEnv.KEY_SOURCE,
    jwtAlg: exchangeEnv.JWT_ALG,
    exchange: fn(exchangeId),
    authorizer: fn(authorizerId),
    indexes: (table.GlobalSecondaryIndexes ?? []).map(
      // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON.
      (index: any): IndexFacts => ({
        name: index.IndexName,
        projection: index.Projection.ProjectionType,
        nonKeyAttributes: index.Projection.NonKeyAttributes ?? [],
      }),
    ),
    stageThrottle: {
      rateLimit: stage.DefaultRouteSettings.ThrottlingRateLimit,
      burstLimit: stage.DefaultRouteSettings.ThrottlingBurstLimit,
    },
    routeCount: ofType('AWS::ApiGatewayV2::Route').length,
    accessLogFormat: stage.AccessLogSettings.Format,
    accessLogRetentionDays: logGroupOf(getAttsIn(stage.AccessLogSettings.DestinationArn)[0] ?? ''),
    authorizerCacheSeconds: authorizer.AuthorizerResultTtlInSeconds ?? 0,
    signingKeys: keys.filter((k) => k.KeyUsage === 'SIGN_VERIFY').length,
    rotatedKeys: keys.filter((k) => k.EnableKeyRotation === true).length,
    secrets: ofType('AWS::SecretsManager::Secret').length,
    rotationSchedule: ofType('AWS::SecretsManager::RotationSchedule')[0]?.[1].Properties
      .RotationRules.ScheduleExpression,
    alarms: ofType('AWS::CloudWatch::Alarm').length,
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    metricFilters: ofType('AWS::Logs::MetricFilter').length,
  }
}

/** Logical ids named by `Ref` anywhere in `value`. */
const refsIn = (value: unknown): string[] => collect(value, (o) => o.Ref)

/** Logical ids named by `Fn::GetAtt` anywhere in `value`. */
const getAttsIn = (value: unknown): string[] =>
  collect(value, (o) => (Array.isArray(o['Fn::GetAtt']) ? o['Fn::GetAtt'][0] : undefined))

const collect = (value: unknown, pick: (o: Record<string, unknown>) => unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap((v) => collect(v, pick))
  if (value === null || typeof value !== 'object') return []
  const object = value as Record<string, unknown>
  const here = pick(object)
  return [
    ...(typeof here === 'string' ? [here] : []),
    ...Object.values(object).flatMap((v) => collect(v, pick)),
  ]
}
