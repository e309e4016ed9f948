import { CustomResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib'
import * as apigw from 'aws-cdk-lib/aws-apigateway'
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import type * as acm from 'aws-cdk-lib/aws-certificatemanager'
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as iam from 'aws-cdk-lib/aws-iam'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import * as logs from 'aws-cdk-lib/aws-logs'
import type * as sns from 'aws-cdk-lib/aws-sns'
import * as cr from 'aws-cdk-lib/custom-resources'
import { Construct } from 'constructs'
import { ROUTES, type Route, routeKey } from '../../functions/core/routes.js'
import type { TrustedIssuerEntry } from '../../functions/core/trusted-issuers.js'
import { FrontDoor, type FrontDoorOptions } from './front-door.js'
import { KeyMaterial } from './key-material.js'
import { TollgateMonitoring } from './monitoring.js'
import { withDefaults } from './options.js'
import {
  BOOTSTRAP_CAPABILITIES,
  type Capability,
  type GrantTargets,
  type JwtAlg,
  KEY_ROTATION_CAPABILITIES,
  KEYS_INIT_CAPABILITIES,
  type KeySource,
  ROUTED_HANDLER_CAPABILITIES,
  type RoutedHandlerName,
  statementsFor,
} from './permissions.js'
import { authorizationOf, handlerEntry, routedHandlers } from './routes.js'
import {
  configurationProblems,
  groupEnvironment,
  HANDLER_SETTINGS,
  settingText,
} from './settings.js'
import { TokenTable, tokenIndexArns } from './token-table.js'
import { TollgateAuthorizer, type TollgateAuthorizerProps } from './tollgate-authorizer.js'
import { TollgateFunction } from './tollgate-function.js'
import type { ITollgateIssuer } from './tollgate-issuer.js'

export interface TollgateProps {
  /** `KEY_SOURCE`. @default 'kms' */
  readonly keySource?: KeySource
  /** `JWT_ALG`: RS256 (RSA_2048 keys) or ES256 (ECC_NIST_P256). @default 'RS256' */
  readonly jwtAlg?: JwtAlg
  /** `kms`: signing key ids, the one that signs first (see `KeyMaterialProps`). @default ['SigningKey1'] */
  readonly kmsKeys?: readonly string[]
  /** `ISSUER`; an origin without a path (RFC 8414). @default the HTTP API's URL */
  readonly issuer?: string
  /** `AUDIENCE`. @default 'tollgate' */
  readonly audience?: string
  /** `KEYS_CACHE_TTL_SECONDS`. @default 300 seconds */
  readonly keysCacheTtl?: Duration
  /** `MAX_JWT_DURATION_SECONDS`. @default 43200 seconds */
  readonly maxJwtDuration?: Duration
  /** `TRUSTED_ISSUERS`: people's identity providers, entries as docs/people.md writes them. @default none */
  readonly trustedIssuers?: readonly TrustedIssuerEntry[]
  /** `ROLE_SCOPES`: role → the scopes people holding it may use. @default none */
  readonly roleScopes?: Readonly<Record<string, readonly string[]>>
  /** `FEDERATION_ISSUERS`: the outside issuers (CI, Kubernetes) trust policies may name, each an exact `iss`. @default none */
  readonly federationIssuers?: readonly string[]
  /** `DEFAULT_TOKEN_TTL_SECONDS`. @default 90 days */
  readonly defaultTokenTtl?: Duration
  /** `MAX_TOKEN_TTL_SECONDS`. @default 365 days */
  readonly maxTokenTtl?: Duration
  /** `ALLOW_NON_EXPIRING_TOKENS`. @default false */
  readonly allowNonExpiringTokens?: boolean
  /** `MAX_ACTIVE_TOKENS_PER_OWNER` (1–1000). @default 10 */
  readonly maxActiveTokensPerOwner?: number
  /** `MAX_PERSONAL_TOKEN_TTL_SECONDS`. @default 90 days */
  readonly maxPersonalTokenTtl?: Duration
  /** `BASIC_AUTH_USERNAME`, for every authorizer of this Tollgate (Basic auth is `authorizer.basicAuth`). @default 'tollgate' */
  readonly basicAuthUsername?: string
  /** `secrets-manager`: how often the rotation function runs (≥ 4 h, ≤ 1 day). @default 1 day */
  readonly signingKeyRotation?: Duration
  /** Stage-wide throttling. @default 1000 requests/s, bursts of 2000 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number }
  /**
   * Reserved concurrency of the exchange (`POST /access-tokens/jwt`): how
   * many exchanges run at once, so how many KMS Sign calls are in flight.
   * Garbage is refused in about a millisecond without a read or a KMS call,
   * so it holds almost none of it; valid exchanges hold it for the Sign.
   * Beyond it Lambda throttles and the HTTP API answers 500 (it cannot be
   * made a 429). The budget is split between the two functions that sign,
   * the exchange and `/oauth2` (the exchange takes the odd one), so it is
   * at least 2. `false` reserves none. @default `kms`: the KMS Sign quota
   * (RSA 500/s, ECC 300/s) × 25 ms, an exchange's warm duration (RS256 13,
   * ES256 8); `secrets-manager`: none (no KMS call per exchange)
   */
  readonly exchangeConcurrency?: number | false
  /**
   * A CloudFront distribution in front of the API with a WAF web ACL that
   * rate-limits each client (docs/deploy.md#a-front-door-with-waf); the
   * issuer becomes its URL (or `domain`). @default none
   */
  readonly frontDoor?: FrontDoorOptions
  /**
   * A custom domain, so the issuer never changes: `https://<domainName>`.
   * Without `frontDoor`, an API Gateway custom domain (a regional
   * certificate in the stack's Region) and the execute-api endpoint off;
   * with it, CloudFront's (a certificate in us-east-1). Point DNS at the
   * `DomainTarget` output. @default none: the execute-api URL
   */
  readonly domain?: { readonly domainName: string; readonly certificate: acm.ICertificate }
  /**
   * Options of the Lambda authorizer in front of `authorizer` routes
   * (`/whoami/authorizer`): `ROUTE_SCOPES`, `REVOCATION_*`,
   * `AUTHORIZER_CACHE_TTL_SECONDS`, `BASIC_AUTH_ENABLED`, `HTTP_API_AUTHORIZER_RESPONSE`.
   */
  readonly authorizer?: Omit<TollgateAuthorizerProps, 'tollgate' | 'api' | 'mode'>
  /**
   * Accounts (12-digit ids) or IAM role ARNs whose authorizers may read the
   * deny-list, and nothing else of the table: consumers in other accounts
   * (`remoteTollgateIssuer`, docs/authorizer.md#a-consumer-in-another-account).
   * @default none
   */
  readonly denyListReaders?: readonly string[]
  /** Log retention of every function and the access log. @default one month */
  readonly logRetention?: logs.RetentionDays
  /**
   * The token table to use instead of making one: a table restored from
   * point-in-time recovery, or one kept from an earlier stack
   * (`dynamodb.Table.fromTableName`). It must have the key schema, indexes
   * and TTL of `functions/adapters/token-table.ts`; the functions need its
   * name and ARN (index grants are made from the ARN), and no stream. Its
   * resource policy is its own: `denyListReaders` needs a table made here.
   * @default a new `TokenTable`
   */
  readonly table?: dynamodb.ITable
  /** Of the token table made here (never of `table`). @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy
  /**
   * Alarms, a dashboard and failed-rotation notifications (docs/runbook.md),
   * sent to `topic` or to a topic made for them; `false` makes none of it.
   * @default true
   */
  readonly monitoring?: boolean | { readonly topic?: sns.ITopic }
}

const DEFAULTS = {
  keySource: 'kms' as KeySource,
  jwtAlg: 'RS256' as JwtAlg,
  kmsKeys: ['SigningKey1'] as readonly string[],
  issuer: undefined as string | undefined,
  audience: 'tollgate',
  keysCacheTtl: Duration.seconds(300),
  maxJwtDuration: Duration.seconds(43_200),
  // The configuration's own defaults (functions/core/config.ts) where these are unset.
  trustedIssuers: undefined as readonly TrustedIssuerEntry[] | undefined,
  roleScopes: undefined as Readonly<Record<string, readonly string[]>> | undefined,
  federationIssuers: undefined as readonly string[] | undefined,
  defaultTokenTtl: undefined as Duration | undefined,
  maxTokenTtl: undefined as Duration | undefined,
  allowNonExpiringTokens: undefined as boolean | undefined,
  maxActiveTokensPerOwner: undefined as number | undefined,
  maxPersonalTokenTtl: undefined as Duration | undefined,
  basicAuthUsername: undefined as string | undefined,
  signingKeyRotation: Duration.days(1),
  throttle: { rateLimit: 1000, burstLimit: 2000 } as TollgateProps['throttle'] & object,
  exchangeConcurrency: undefined as number | false | undefined,
  frontDoor: undefined as FrontDoorOptions | undefined,
  domain: undefined as TollgateProps['domain'],
  authorizer: {} as NonNullable<TollgateProps['authorizer']>,
  denyListReaders: [] as readonly string[],
  logRetention: logs.RetentionDays.ONE_MONTH,
  table: undefined as dynamodb.ITable | undefined,
  removalPolicy: RemovalPolicy.RETAIN,
  monitoring: true as NonNullable<TollgateProps['monitoring']>,
}

/** Default KMS request quotas for Sign (per account and Region). */
const KMS_SIGN_QUOTA: Readonly<Record<JwtAlg, number>> = { RS256: 500, ES256: 300 }

/**
 * How long a warm exchange holds its instance, the KMS Sign included (two
 * strongly consistent reads, one Sign; docs/cost-and-scale.md's assumption).
 * Quota × this is the concurrency that signs at the quota's rate.
 */
const EXCHANGE_SECONDS = 0.025

/** The exchange's default reserved concurrency: none without a KMS call per exchange. */
const defaultExchangeConcurrency = (keySource: KeySource, jwtAlg: JwtAlg): number | false =>
  keySource === 'kms' ? Math.ceil(KMS_SIGN_QUOTA[jwtAlg] * EXCHANGE_SECONDS) : false

/**
 * The whole Tollgate service: the HTTP API with every route of the route
 * table (one Lambda function per handler module, each granted exactly what
 * its handler does), the Lambda authorizer in front of `authorizer` routes,
 * the token table, keys and secrets, and `keys init` run once at deploy.
 *
 * @example
 * const tollgate = new Tollgate(this, 'Tollgate', { keySource: 'kms' })
 * new CfnOutput(this, 'Issuer', { value: tollgate.issuer })
 */
export class Tollgate extends Construct implements ITollgateIssuer {
  readonly api: apigwv2.HttpApi
  readonly stage: apigwv2.HttpStage
  /** Where callers reach Tollgate: the front door's or custom domain's URL, else the API's. */
  readonly url: string
  /** The CloudFront distribution and web ACL; undefined without `frontDoor`. */
  readonly frontDoor: FrontDoor | undefined
  /** The API Gateway custom domain; undefined without `domain`, or with `frontDoor` (CloudFront has it). */
  readonly domainName: apigwv2.DomainName | undefined
  /** The token table: made here, or the `table` given. */
  readonly table: dynamodb.ITable
  readonly keys: KeyMaterial
  readonly issuer: string
  readonly audience: string
  readonly jwtAlg: JwtAlg
  readonly keySource: KeySource
  readonly jwksUrl: string
  /** One function per handler module of the route table. */
  readonly handlers: ReadonlyMap<Route['handler'], TollgateFunction>
  /** The Lambda authorizer in front of `authorizer` routes, also usable on other APIs. */
  readonly authorizer: TollgateAuthorizer
  /** `tollgate keys init`, run once at deploy by a custom resource. */
  readonly keysInit: TollgateFunction
  /** `secrets-manager`: the signing-key secret's rotation function. */
  readonly keyRotation: TollgateFunction | undefined
  /**
   * The first admin, invoked by an operator after the deploy (`aws lambda
   * invoke`, `tollgate bootstrap --function`); also a recovery admin, so
   * whoever may invoke it may mint an admin.
   */
  readonly bootstrap: TollgateFunction
  /** Alarms, dashboard and their topic; undefined with `monitoring: false`. */
  readonly monitoring: TollgateMonitoring | undefined
  private readonly options: typeof DEFAULTS

  constructor(scope: Construct, id: string, props: TollgateProps = {}) {
    super(scope, id)
    if (Object.hasOwn(props, 'signingRateLimit')) {
      throw new Error(
        "Tollgate: signingRateLimit is gone (a route throttle that garbage shares); the exchange's concurrency now bounds KMS Sign calls: set exchangeConcurrency (docs/deploy.md#abuse-and-the-kms-quota)",
      )
    }
    const options = withDefaults('Tollgate', DEFAULTS, props)
    this.options = options
    // Every function's environment, parsed at synth as its cold start will parse it.
    this.node.addValidation({ validate: () => configurationProblems(this) })
    this.keySource = options.keySource
    this.jwtAlg = options.jwtAlg
    this.audience = options.audience
    this.table = this.tokenTable(options)
    this.keys = new KeyMaterial(this, 'Keys', options)
    const apiDomain = options.frontDoor === undefined ? options.domain : undefined
    if (apiDomain !== undefined) requireRegionalCertificate(this, apiDomain.certificate)
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `${id}-api`,
      description: 'Tollgate: access tokens in, short-lived JWTs out',
      createDefaultStage: false,
      // Only the custom domain answers, so the issuer is the one URL that ever reaches the API.
      disableExecuteApiEndpoint: apiDomain === undefined ? undefined : true,
    })
    this.frontDoor =
      options.frontDoor === undefined
        ? undefined
        : new FrontDoor(this, 'FrontDoor', {
            ...options.frontDoor,
            apiId: this.api.apiId,
            domain: options.domain,
          })
    this.domainName =
      apiDomain === undefined
        ? undefined
        : new apigwv2.DomainName(this, 'DomainName', {
            domainName: apiDomain.domainName,
            certificate: apiDomain.certificate,
          })
    this.url =
      this.frontDoor?.url ??
      (apiDomain === undefined ? this.api.apiEndpoint : `https://${apiDomain.domainName}`)
    this.issuer = options.issuer ?? this.url
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`
    this.stage = this.createStage()
    if (this.domainName !== undefined) {
      new apigwv2.ApiMapping(this, 'ApiMapping', {
        api: this.api,
        domainName: this.domainName,
        stage: this.stage,
      })
    }
    this.authorizer = new TollgateAuthorizer(this, 'Authorizer', {
      ...options.authorizer,
      tollgate: this,
      api: this.api,
    })
    this.handlers = new Map(routedHandlers().map((name) => [name, this.handlerFunction(name)]))
    for (const route of ROUTES) this.addRoute(route)
    this.keysInit = this.createKeysInit()
    this.keyRotation = this.keySource === 'secrets-manager' ? this.createKeyRotation() : undefined
    this.bootstrap = this.createBootstrap()
    this.monitoring =
      options.monitoring === false
        ? undefined
        : new TollgateMonitoring(this, 'Monitoring', {
            tollgate: this,
            topic: options.monitoring === true ? undefined : options.monitoring.topic,
            kmsSignQuota: KMS_SIGN_QUOTA[this.jwtAlg],
          })
  }

  /** Configuration every Tollgate function starts with (docs/design.md#configuration). */
  private get sharedEnvironment(): Readonly<Record<string, string>> {
    return {
      ISSUER: this.issuer,
      AUDIENCE: this.audience,
      TABLE_NAME: this.table.tableName,
      KEYS_CACHE_TTL_SECONDS: settingText('keysCacheTtl', this.options.keysCacheTtl),
      MAX_JWT_DURATION_SECONDS: settingText('maxJwtDuration', this.options.maxJwtDuration),
      ...this.keys.environment,
    }
  }

  /** What verifiers of this Tollgate's JWTs start with: the shared configuration, people's issuers, Basic auth's user name. */
  get verifierEnvironment(): Readonly<Record<string, string>> {
    return {
      ...this.sharedEnvironment,
      ...groupEnvironment(this.options, ['people', 'basicAuth']),
    }
  }

  /** The ARNs grants are made on. */
  get grantTargets(): GrantTargets {
    return {
      keySource: this.keySource,
      jwtAlg: this.jwtAlg,
      tableArn: this.table.tableArn,
      indexArns: tokenIndexArns(this.table.tableArn),
      kmsKeyArns: this.keys.signingKeys.map((key) => key.keyArn),
      pepper: this.keys.pepper,
      signingKeys: this.keys.signingKeySecret,
      secretsManagerService: `secretsmanager.${this.table.stack.region}.amazonaws.com`,
    }
  }

  grant(role: iam.IRole, capabilities: readonly Capability[]): void {
    for (const statement of statementsFor(capabilities, this.grantTargets)) {
      role.addToPrincipalPolicy(statement)
    }
    this.keys.allow(role, capabilities)
  }

  private tokenTable(options: typeof DEFAULTS): dynamodb.ITable {
    if (options.table === undefined) {
      const table = new TokenTable(this, 'TokenTable', { removalPolicy: options.removalPolicy })
      table.allowDenyListReads(options.denyListReaders)
      return table
    }
    if (options.denyListReaders.length > 0) {
      throw new Error(
        "Tollgate: denyListReaders writes the token table's resource policy; with `table`, add that statement to your table instead",
      )
    }
    return options.table
  }

  private createStage(): apigwv2.HttpStage {
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: this.options.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    })
    return new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: this.options.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // Never a header or a body: the Authorization header carries the credential.
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            apiId: '$context.apiId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            // AUTHORIZER_FAILURE, THROTTLED, …: what API Gateway answered for when no handler did.
            errorResponseType: '$context.error.responseType',
            authorizerError: '$context.authorizer.error',
            sub: '$context.authorizer.sub',
            atid: '$context.authorizer.atid',
            jti: '$context.authorizer.jti',
          }),
        ),
      },
    })
  }

  private handlerFunction(name: RoutedHandlerName): TollgateFunction {
    const fn = new TollgateFunction(this, pascal(name), {
      entry: handlerEntry(name),
      environment: {
        ...this.sharedEnvironment,
        ...groupEnvironment(this.options, HANDLER_SETTINGS[name]),
      },
      logRetention: this.options.logRetention,
      reservedConcurrentExecutions: this.mintingShare(name),
    })
    this.grant(fn.role, ROUTED_HANDLER_CAPABILITIES[name])
    return fn
  }

  private readonly integrations = new Map<string, HttpLambdaIntegration>()

  private addRoute(route: Route): void {
    const fn = this.handlers.get(route.handler) as TollgateFunction
    let integration = this.integrations.get(route.handler)
    if (integration === undefined) {
      integration = new HttpLambdaIntegration(`${pascal(route.handler)}Integration`, fn)
      this.integrations.set(route.handler, integration)
    }
    const authorization = authorizationOf(route)
    const httpRoute = new apigwv2.HttpRoute(this, `Route ${routeKey(route).replaceAll('/', '|')}`, {
      httpApi: this.api,
      routeKey: apigwv2.HttpRouteKey.with(route.path, apigwv2.HttpMethod[route.method]),
      integration,
      ...(authorization === 'authorizer' ? { authorizer: this.authorizer.httpAuthorizer } : {}),
    })
    if (authorization !== 'authorizer') {
      Validations.of(httpRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: UNGUARDED_ROUTE_REASON[authorization],
      })
    }
  }

  /**
   * A signing function's part of the minting budget (`exchangeConcurrency`),
   * or undefined for none. Every function that signs (the exchange and
   * `/oauth2`) spends the same KMS Sign quota, so the budget is split among
   * them, the first taking the remainder; each needs at least 1.
   */
  private mintingShare(name: RoutedHandlerName): number | undefined {
    const signing = (Object.keys(ROUTED_HANDLER_CAPABILITIES) as RoutedHandlerName[]).filter(
      (handler) => (ROUTED_HANDLER_CAPABILITIES[handler] as readonly Capability[]).includes('sign'),
    )
    const index = signing.indexOf(name)
    if (index === -1) return undefined
    const given = this.options.exchangeConcurrency
    const budget = given ?? defaultExchangeConcurrency(this.keySource, this.jwtAlg)
    if (budget === false) return undefined
    if (!Number.isInteger(budget) || budget < signing.length) {
      throw new Error(
        `Tollgate: exchangeConcurrency must be a whole number of at least ${signing.length} (the KMS Sign quota × an exchange's duration, shared by the ${signing.length} functions that sign), or false for none`,
      )
    }
    return Math.floor(budget / signing.length) + (index < budget % signing.length ? 1 : 0)
  }

  private createKeysInit(): TollgateFunction {
    const fn = new TollgateFunction(this, 'KeysInit', {
      entry: handlerEntry('keys-init'),
      environment: this.sharedEnvironment,
      timeout: Duration.minutes(1),
      logRetention: this.options.logRetention,
      description: 'Tollgate keys init (CloudFormation custom resource)',
    })
    this.grant(fn.role, KEYS_INIT_CAPABILITIES)
    const providerLogs = new logs.LogGroup(this, 'KeysInitProviderLogs', {
      retention: this.options.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    const providerRole = new iam.Role(this, 'KeysInitProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'CDK provider framework for Tollgate keys init: its log group, invoking keys-init',
    })
    providerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [providerLogs.logGroupArn],
      }),
    )
    const provider = new cr.Provider(this, 'KeysInitProvider', {
      onEventHandler: fn,
      frameworkOnEventRole: providerRole,
      logGroup: providerLogs,
    })
    Validations.of(providerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.logicalIdOf(fn)}.Arn>:*]`,
      reason:
        "CDK's provider framework invokes keys-init by its ARN; the ':*' it adds covers that function's versions and aliases, nothing else.",
    })
    const resource = new CustomResource(this, 'KeysInitResource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::TollgateKeysInit',
      serviceTimeout: Duration.minutes(5),
      properties: {
        KeySource: this.keySource,
        JwtAlg: this.jwtAlg,
        TableName: this.table.tableName,
        PepperSecretId: this.keys.pepper.secretArn,
        ...(this.keys.signingKeySecret
          ? { SigningKeysSecretId: this.keys.signingKeySecret.secretArn }
          : {}),
      },
    })
    this.keysInitResource = resource
    return fn
  }

  private keysInitResource: CustomResource | undefined

  private createKeyRotation(): TollgateFunction {
    const every = this.options.signingKeyRotation
    if (every.toHours() < 4 || every.toHours() > 24 || !Number.isInteger(every.toHours())) {
      throw new Error(
        'Tollgate: signingKeyRotation must be whole hours from 4 to 24 (keys rotate at least daily: docs/design.md#keys)',
      )
    }
    const fn = new TollgateFunction(this, 'KeyRotation', {
      entry: handlerEntry('key-rotation'),
      environment: {
        ...this.sharedEnvironment,
        // Retiring a key waits out every cache, the authorizer's result cache included.
        AUTHORIZER_CACHE_TTL_SECONDS: String(this.authorizer.cacheTtl.toSeconds()),
      },
      timeout: Duration.minutes(1),
      logRetention: this.options.logRetention,
      description: 'Tollgate signing-key rotation (Secrets Manager)',
    })
    this.grant(fn.role, KEY_ROTATION_CAPABILITIES)
    this.keys.rotateWith(fn, every, this.keysInitResource)
    return fn
  }

  /**
   * The bootstrap function: no trigger, no resource policy. Only principals
   * the account's IAM allows `lambda:InvokeFunction` on it may call it; it,
   * not a person's role, reads the pepper (docs/operations.md#the-first-admin).
   */
  private createBootstrap(): TollgateFunction {
    const fn = new TollgateFunction(this, 'Bootstrap', {
      entry: handlerEntry('bootstrap'),
      // The first admin's token takes the token policy's default lifetime.
      environment: {
        ...this.sharedEnvironment,
        ...groupEnvironment(this.options, ['tokenPolicy']),
      },
      // A cold start, the pepper and one transaction; an operator waits, no API Gateway does.
      timeout: Duration.seconds(30),
      logRetention: this.options.logRetention,
      description:
        'Tollgate bootstrap: the first admin once, a recovery admin on {"recover": true} (invoked by operators)',
    })
    this.grant(fn.role, BOOTSTRAP_CAPABILITIES)
    return fn
  }

  private logicalIdOf(fn: TollgateFunction): string {
    return this.table.stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)
  }
}

/** An API Gateway regional domain takes a certificate from its own Region: refuse another at synth when both are known. */
const requireRegionalCertificate = (scope: Construct, certificate: acm.ICertificate): void => {
  const stackRegion = Stack.of(scope).region
  if (Token.isUnresolved(certificate.certificateArn) || Token.isUnresolved(stackRegion)) return
  const region = certificate.certificateArn.split(':')[3]
  if (region !== stackRegion) {
    throw new Error(
      `Tollgate: the domain's certificate must be in the stack's Region (${stackRegion}) for an API Gateway regional domain; ${certificate.certificateArn} is in ${region} (with frontDoor it must be in us-east-1 instead: docs/deploy.md#a-custom-domain)`,
    )
  }
}

const UNGUARDED_ROUTE_REASON: Readonly<Record<'none' | 'handler', string>> = {
  none: 'Public by design: verifiers fetch JWKS and discovery before they hold any credential, and token endpoints authenticate the credential in the request body themselves.',
  handler:
    "Authorized in its handler (docs/design.md#tollgates-own-protected-routes): the same checks as the Lambda authorizer plus a strongly consistent read of the caller's records, so revocation applies at once and refusals are problem+json.",
}

/** `exchange-jwt` → `ExchangeJwt`, for construct ids. */
const pascal = (name: string): string =>
  name.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase())
