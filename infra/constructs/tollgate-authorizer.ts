import { Aws, Duration, Stack } from 'aws-cdk-lib'
import * as apigw from 'aws-cdk-lib/aws-apigateway'
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers'
import * as iam from 'aws-cdk-lib/aws-iam'
import type * as logs from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import { parseConfig } from '../../functions/core/config.js'
import { ROUTES } from '../../functions/core/routes.js'
import { withDefaults } from './options.js'
import { authorizerCapabilities } from './permissions.js'
import { authorizationOf } from './routes.js'
import { TollgateFunction } from './tollgate-function.js'
import type { ITollgateIssuer } from './tollgate-issuer.js'

export interface TollgateAuthorizerProps {
  /**
   * The Tollgate whose JWTs are accepted: the `Tollgate` construct, or one
   * deployed elsewhere, `remoteTollgateIssuer(...)` (any account, keys from
   * its JWKS URL) or `tollgateIssuer(...)` (its KMS key ARNs).
   */
  readonly tollgate: ITollgateIssuer
  /** The API to guard. REST APIs also get problem+json gateway responses. */
  readonly api: apigw.IRestApi | apigwv2.IHttpApi
  /**
   * `lambda` (default): Tollgate's authorizer, with prompt revocation, scopes
   * per route and Basic auth. `native`: API Gateway's own JWT authorizer
   * pointed at the issuer (HTTP APIs, RS256, no revocation; see
   * docs/authorizer.md#native-mode).
   */
  readonly mode?: 'lambda' | 'native'
  /** `ROUTE_SCOPES`: `{"GET /datasets/*": "datasets:read"}`; unlisted routes need a valid JWT. */
  readonly routeScopes?: Readonly<Record<string, string>>
  /** `AUTHORIZER_CACHE_TTL_SECONDS`, API Gateway's result cache. @default 10 seconds */
  readonly cacheTtl?: Duration
  /** `REVOCATION_CHECK`. @default true */
  readonly revocationCheck?: boolean
  /** `REVOCATION_REFRESH_SECONDS`. @default 10 seconds */
  readonly revocationRefresh?: Duration
  /** `REVOCATION_MAX_DELAY_SECONDS`, the end-to-end budget. @default 30 seconds */
  readonly revocationMaxDelay?: Duration
  /** `BASIC_AUTH_ENABLED`; needs the `Tollgate` construct (its pepper). @default false */
  readonly basicAuth?: boolean
  /** HTTP APIs: `HTTP_API_AUTHORIZER_RESPONSE`. @default 'simple' */
  readonly httpResponses?: 'simple' | 'iam'
  /** @default 512 */
  readonly memorySize?: number
  /** @default one month */
  readonly logRetention?: logs.RetentionDays
}

const DEFAULTS = {
  tollgate: undefined as unknown as ITollgateIssuer,
  api: undefined as unknown as apigw.IRestApi | apigwv2.IHttpApi,
  mode: 'lambda' as 'lambda' | 'native',
  routeScopes: {} as Readonly<Record<string, string>>,
  cacheTtl: Duration.seconds(10),
  revocationCheck: true,
  revocationRefresh: Duration.seconds(10),
  revocationMaxDelay: Duration.seconds(30),
  basicAuth: false,
  httpResponses: 'simple' as 'simple' | 'iam',
  memorySize: undefined as number | undefined,
  logRetention: undefined as logs.RetentionDays | undefined,
}

type Options = typeof DEFAULTS

const isRestApi = (api: apigw.IRestApi | apigwv2.IHttpApi): api is apigw.IRestApi =>
  'restApiId' in api

/**
 * Puts Tollgate's JWTs (and optionally Basic access tokens) in front of an
 * existing API Gateway REST or HTTP API, with safe defaults:
 * - HTTP APIs always list `$context.routeKey` among the identity sources, so
 *   a cached "yes" for one route never answers for another; `$default`,
 *   greedy and parameterized routes get an uncached authorizer when scope
 *   rules exist, and so do REST APIs (see `restAuthorizer`).
 * - The result cache is `AUTHORIZER_CACHE_TTL_SECONDS` (10 s), and synth
 *   fails when refresh + cache TTL exceed the revocation budget.
 * - REST APIs answer 401/403/503 as problem+json (gateway responses).
 *
 * @example
 * const authorizer = new TollgateAuthorizer(this, 'Auth', { tollgate, api })
 * api.addRoutes({ path: '/datasets', methods: [HttpMethod.GET], integration,
 *   authorizer: authorizer.httpAuthorizer })
 */
export class TollgateAuthorizer extends Construct {
  /** The authorizer function (`lambda` mode). */
  readonly function: TollgateFunction | undefined
  /** API Gateway's result cache for its answers (`AUTHORIZER_CACHE_TTL_SECONDS`). */
  readonly cacheTtl: Duration
  /** `REVOCATION_REFRESH_SECONDS` where the function reads the deny-list; undefined where it does not. */
  readonly revocationRefresh: Duration | undefined
  private readonly options: Options
  private readonly hasScopeRules: boolean
  private readonly httpAuthorizers = new Map<number, apigwv2.HttpAuthorizer>()
  private restAuthorizerInstance: apigw.TokenAuthorizer | undefined
  private nativeAuthorizer: HttpJwtAuthorizer | undefined

  constructor(scope: Construct, id: string, props: TollgateAuthorizerProps) {
    super(scope, id)
    const options = withDefaults('TollgateAuthorizer', DEFAULTS, props)
    this.options = options
    this.cacheTtl = options.cacheTtl
    if (!options.tollgate || !options.api) {
      throw new Error('TollgateAuthorizer: `tollgate` and `api` are required')
    }
    validateRouteScopes(options.routeScopes)
    this.hasScopeRules =
      Object.keys(options.routeScopes).length > 0 ||
      ROUTES.some(
        (route) => authorizationOf(route) === 'authorizer' && (route.scopes ?? []).length > 0,
      )

    this.revocationRefresh =
      options.mode === 'lambda' && options.revocationCheck ? options.revocationRefresh : undefined
    if (options.mode === 'native') {
      validateNative(props, options)
      this.function = undefined
      return
    }
    validateCache(options)
    this.function = new TollgateFunction(this, 'Function', {
      entry: 'functions/entries/authorizer.ts',
      environment: this.environment(),
      memorySize: options.memorySize,
      logRetention: options.logRetention,
      description: 'Tollgate Lambda authorizer',
    })
    options.tollgate.grant(this.function.role, authorizerCapabilities(options))
    if (isRestApi(options.api)) addProblemGatewayResponses(this, options.api, options)
  }

  /** For `HttpApi.addRoutes({ authorizer })`. */
  get httpAuthorizer(): apigwv2.IHttpRouteAuthorizer {
    if (isRestApi(this.options.api)) {
      throw new Error('TollgateAuthorizer: this one guards a REST API; use restAuthorizer')
    }
    if (this.options.mode === 'native') {
      this.nativeAuthorizer ??= new HttpJwtAuthorizer('TollgateJwt', this.options.tollgate.issuer, {
        jwtAudience: [this.options.tollgate.audience],
        identitySource: ['$request.header.Authorization'],
      })
      return this.nativeAuthorizer
    }
    return { bind: (options) => this.bindHttpRoute(options) }
  }

  /** For `resource.addMethod(method, integration, { authorizer })`. */
  get restAuthorizer(): apigw.IAuthorizer {
    const fn = this.function
    if (!isRestApi(this.options.api) || fn === undefined) {
      throw new Error('TollgateAuthorizer: restAuthorizer needs a REST API in lambda mode')
    }
    // A TOKEN authorizer, whose cache reuses one IAM policy on every method and path. Where
    // scope rules exist that cannot be safe: rules match canonical paths, IAM globs are
    // case-sensitive and no policy can name every spelling (/Datasets/1, //datasets/1, …)
    // of a denied route, so the cache is off. A REQUEST authorizer keyed by path was the
    // other way; API Gateway does not say which spelling of the path its cache key holds.
    this.restAuthorizerInstance ??= new apigw.TokenAuthorizer(this, 'RestAuthorizer', {
      handler: fn,
      identitySource: apigw.IdentitySource.header('Authorization'),
      resultsCacheTtl: this.hasScopeRules ? Duration.seconds(0) : this.options.cacheTtl,
    })
    return this.restAuthorizerInstance
  }

  private environment(): Record<string, string> {
    const o = this.options
    return {
      ...o.tollgate.verifierEnvironment,
      REVOCATION_CHECK: String(o.revocationCheck),
      REVOCATION_REFRESH_SECONDS: String(o.revocationRefresh.toSeconds()),
      REVOCATION_MAX_DELAY_SECONDS: String(o.revocationMaxDelay.toSeconds()),
      AUTHORIZER_CACHE_TTL_SECONDS: String(o.cacheTtl.toSeconds()),
      BASIC_AUTH_ENABLED: String(o.basicAuth),
      ...(isRestApi(o.api) ? {} : { HTTP_API_AUTHORIZER_RESPONSE: o.httpResponses }),
      ...(Object.keys(o.routeScopes).length > 0
        ? { ROUTE_SCOPES: JSON.stringify(o.routeScopes) }
        : {}),
    }
  }

  /**
   * An answer is cached per route key, and a `$default`, greedy or
   * parameterized route key covers many paths: there, where scope rules
   * exist, a cached answer for one path would answer for another that a
   * narrower rule covers (`/teams/a`, then `/teams/admin`), or that has no
   * canonical form (`/teams/a%2F..%2Fadmin`, which any rule may lie behind),
   * so those routes get a second authorizer with the cache off. IAM answers
   * too: a policy cannot name every spelling of a denied path.
   */
  private bindHttpRoute({
    route,
  }: apigwv2.HttpRouteAuthorizerBindOptions): apigwv2.HttpRouteAuthorizerConfig {
    const api = this.options.api as apigwv2.IHttpApi
    if (route.httpApi.apiId !== api.apiId) {
      throw new Error('TollgateAuthorizer: bound to a route of another API than `api`')
    }
    const manyPaths = route.path === undefined || route.path.includes('{')
    const uncached = manyPaths && this.hasScopeRules
    const ttl = uncached ? 0 : this.options.cacheTtl.toSeconds()
    let authorizer = this.httpAuthorizers.get(ttl)
    if (authorizer === undefined) {
      authorizer = this.createHttpAuthorizer(api, ttl, uncached)
      this.httpAuthorizers.set(ttl, authorizer)
    }
    return { authorizerId: authorizer.authorizerId, authorizationType: 'CUSTOM' }
  }

  private createHttpAuthorizer(
    api: apigwv2.IHttpApi,
    ttl: number,
    uncached: boolean,
  ): apigwv2.HttpAuthorizer {
    const fn = this.function as TollgateFunction
    const id = uncached ? 'UncachedHttpAuthorizer' : 'HttpAuthorizer'
    const simple = this.options.httpResponses === 'simple'
    const authorizer = new apigwv2.HttpAuthorizer(this, id, {
      httpApi: api,
      authorizerName: `${this.node.id}${uncached ? '-uncached' : ''}`,
      type: apigwv2.HttpAuthorizerType.LAMBDA,
      identitySource: ['$request.header.Authorization', '$context.routeKey'],
      authorizerUri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${fn.functionArn}/invocations`,
      payloadFormatVersion: apigwv2.AuthorizerPayloadVersion.VERSION_2_0,
      enableSimpleResponses: simple,
      resultsCacheTtl: Duration.seconds(ttl),
    })
    fn.addPermission(`${id}Invoke`, {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: Stack.of(this).formatArn({
        service: 'execute-api',
        resource: api.apiId,
        resourceName: `authorizers/${authorizer.authorizerId}`,
      }),
    })
    return authorizer
  }
}

/** The same check the authorizer runs at cold start, at synth instead. */
const validateRouteScopes = (routeScopes: Readonly<Record<string, string>>): void => {
  try {
    parseConfig({ ROUTE_SCOPES: JSON.stringify(routeScopes) })
  } catch (error) {
    throw new Error(`TollgateAuthorizer: ${(error as Error).message}`)
  }
}

const validateCache = (o: Options): void => {
  const ms = o.cacheTtl.toMilliseconds()
  if (ms % 1000 !== 0 || ms < 0 || ms > 3_600_000) {
    throw new Error('TollgateAuthorizer: cacheTtl must be whole seconds from 0 to 3600')
  }
  const ttl = ms / 1000
  if (!o.revocationCheck) return
  const refresh = o.revocationRefresh.toSeconds()
  const budget = o.revocationMaxDelay.toSeconds()
  if (refresh + ttl > budget) {
    throw new Error(
      `TollgateAuthorizer: REVOCATION_REFRESH_SECONDS (${refresh}) + AUTHORIZER_CACHE_TTL_SECONDS (${ttl}) ` +
        `exceed REVOCATION_MAX_DELAY_SECONDS (${budget}): a revoked JWT could pass for longer than the budget`,
    )
  }
}

const validateNative = (props: TollgateAuthorizerProps, o: Options): void => {
  const problems = [
    isRestApi(o.api) && 'it works on HTTP APIs only',
    o.tollgate.jwtAlg !== 'RS256' && 'API Gateway JWT authorizers accept RSA keys only (RS256)',
    props.revocationCheck !== false &&
      'it cannot consult the deny-list: set revocationCheck: false to accept JWTs until they expire',
    o.basicAuth && 'it cannot check Basic access tokens',
    Object.keys(o.routeScopes).length > 0 &&
      'scopes go on each route (authorizationScopes), not routeScopes',
  ].filter((problem): problem is string => typeof problem === 'string')
  if (problems.length > 0) {
    throw new Error(`TollgateAuthorizer (native mode): ${problems.join('; ')}`)
  }
}

/** A gateway response template: the design's problem+json, with API Gateway's request id. */
const problem = (code: string, title: string, status: number, detail: string): string =>
  `{"type":"urn:tollgate:problem:${code}","title":"${title}","status":${status},"detail":"${detail}","code":"${code}","request_id":"$context.requestId"}`

/**
 * REST APIs can say what HTTP APIs cannot: a deny is 401 or 403 problem+json,
 * and an authorizer that failed (a dependency, not the caller) is 503 with
 * `Retry-After`, never a verdict on the credential.
 */
const addProblemGatewayResponses = (
  scope: Construct,
  restApi: apigw.IRestApi,
  o: Options,
): void => {
  const headers = (extra: Record<string, string>) => ({
    'Content-Type': "'application/problem+json'",
    'Cache-Control': "'no-store'",
    ...Object.fromEntries(Object.entries(extra).map(([name, value]) => [name, `'${value}'`])),
  })
  const retryAfter = String(o.revocationRefresh.toSeconds())
  const responses = [
    {
      id: 'Unauthorized',
      type: apigw.ResponseType.UNAUTHORIZED,
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer' },
      body: problem('invalid_token', 'Unauthorized', 401, 'A valid bearer token is required.'),
    },
    {
      id: 'AccessDenied',
      type: apigw.ResponseType.ACCESS_DENIED,
      status: 403,
      headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' },
      body: problem(
        'insufficient_scope',
        'Forbidden',
        403,
        'The token lacks the scope this route needs.',
      ),
    },
    ...[
      ['AuthorizerFailure', apigw.ResponseType.AUTHORIZER_FAILURE],
      ['AuthorizerConfigurationError', apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR],
    ].map(([id, type]) => ({
      id: id as string,
      type: type as apigw.ResponseType,
      status: 503,
      headers: { 'Retry-After': retryAfter },
      body: problem(
        'unavailable',
        'Service Unavailable',
        503,
        'Authorization is unavailable; retry later.',
      ),
    })),
  ]
  for (const response of responses) {
    new apigw.GatewayResponse(scope, response.id, {
      restApi,
      type: response.type,
      statusCode: String(response.status),
      responseHeaders: headers(response.headers),
      templates: { 'application/json': response.body },
    })
  }
}
