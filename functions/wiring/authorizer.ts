import { systemClock } from '../adapters/system-clock.js'
import type { Config } from '../core/config.js'
import { parseConfigLean } from '../core/config-lean.js'
import { createDenyList, type DenyListReader } from '../core/deny-list.js'
import {
  CLOCK_SKEW_SECONDS,
  jwtVerifierFor,
  VERIFIED_TOKEN_CACHE_SIZE,
} from '../core/jwt-verifier.js'
import { requireKeyMaterial } from '../core/key-material.js'
import { DENY_LIST_AGE_REPORT_MS } from '../core/metrics.js'
import type { PersonVerifier } from '../core/person-verifier.js'
import type { Clock, KeySet } from '../core/ports.js'
import { buildPermissionRules } from '../core/route-permissions.js'
import { ROUTES, type Route } from '../core/routes.js'
import type { AuthenticationDependencies } from '../core/use-cases/authenticate-access-token.js'
import type { AuthorizeDependencies } from '../core/use-cases/authorize-request.js'
import { keyMaterialFor } from './key-material.js'
import {
  loadLogger,
  logDenyListAge,
  logger,
  logSkippedKey,
  logUseNotRecorded,
  mayLogDebug,
} from './observability.js'
import { once } from './once.js'
import { peopleVerifierFor } from './people.js'

/** Everything the authorizer needs, built once per process. */
export interface AuthorizerDependencies extends AuthorizeDependencies {
  readonly config: Config
}

export type AuthorizerDependencyProvider = () => Promise<AuthorizerDependencies>

export interface AuthorizerParts {
  readonly config: Config
  /** Our public keys: the only ones any JWT is checked against. */
  readonly keySet: KeySet
  readonly clock: Clock
  /** Store, pepper and clock for Basic auth; only consulted when BASIC_AUTH_ENABLED. */
  readonly basicAuth?: (() => Promise<AuthenticationDependencies>) | undefined
  /** People's JWTs from trusted issuers, if any are trusted. */
  readonly people?: PersonVerifier | undefined
  /** The deny-list store; only consulted when REVOCATION_CHECK. */
  readonly denyListReader?: (() => Promise<DenyListReader>) | undefined
  /** The route table; Tollgate's own unless a test says otherwise. */
  readonly routes?: readonly Route[]
}

/**
 * Assembles the authorizer from its parts. The dev server calls this with the
 * parts it already has; the Lambda runtime goes through `lambdaAuthorizerDependencies`.
 *
 * @example
 * const deps = buildAuthorizerDependencies({ config, keySet, clock: systemClock })
 */
export const buildAuthorizerDependencies = (parts: AuthorizerParts): AuthorizerDependencies => {
  const { config, clock, denyListReader } = parts
  return {
    config,
    // A repeated JWT (API Gateway's own cache missed: another route, TTL over, caching off)
    // skips decoding and the signature; the deny-list below is still checked on every call.
    verifier: jwtVerifierFor(config, parts.keySet, clock, logSkippedKey, VERIFIED_TOKEN_CACHE_SIZE),
    people: parts.people,
    rules: buildPermissionRules(parts.routes ?? ROUTES, config.routeScopes),
    basicAuth: config.basicAuthEnabled ? parts.basicAuth : undefined,
    denyList:
      config.revocationCheck && denyListReader !== undefined
        ? once(async () =>
            createDenyList({
              reader: await denyListReader(),
              clock,
              refreshMs: config.revocationRefreshSeconds * 1000,
              maxAgeMs:
                (config.revocationMaxDelaySeconds - config.authorizerCacheTtlSeconds) * 1000,
              lookbackMs: (config.maxJwtDurationSeconds + CLOCK_SKEW_SECONDS) * 1000,
              onRefreshFailed: (error) =>
                logger.warn('deny-list refresh failed; using the copy', { error }),
              reportAge: { everyMs: DENY_LIST_AGE_REPORT_MS, report: logDenyListAge },
            }),
          )
        : undefined,
  }
}

/**
 * The Lambda cold-start composition, made by the authorizer's entry when it
 * loads. The config is parsed from `env` there; a bad one is kept as the
 * error every call rejects with, so the handler logs it and throws (fails
 * closed) instead of the init crashing into API Gateway 500s with no log
 * line of ours.
 *
 * The dependencies are built at init too, and the public keys and the
 * deny-list's first copy start loading there, side by side, rather than
 * one after the other once the first event has arrived
 * (docs/benchmarks.md). A failure there is not kept: the first call tries
 * again, and reports it.
 *
 * Bundle size: this module must not import ./dependencies.js, and reaches
 * every adapter through `import()`: cold start stays small. The keys (KMS
 * GetPublicKey) and the deny-list (DynamoDB Query) are read without the
 * AWS SDK wherever the environment gives what a signed request needs
 * (adapters/aws-json-client.ts: credentials in the environment, as on
 * Lambda, and a standard endpoint); elsewhere, and for what the authorizer
 * rarely needs (Basic auth, KEYSET#public), the SDK's clients are loaded on
 * first use, only the ones KEY_SOURCE names (./key-material.js). With
 * KEY_SOURCE=jwks the issuer's JWKS is fetched by the hardened fetcher,
 * imported at init beside the rest, never at the module's load.
 *
 * @example
 * export const handler = createAuthorizerHandler(lambdaAuthorizerDependencies(process.env))
 */
export const lambdaAuthorizerDependencies = (
  env: Readonly<Record<string, string | undefined>>,
): AuthorizerDependencyProvider => {
  const config = authorizerConfig(env)
  // Allows are DEBUG lines: where the environment may ask for them, the Logger is loaded
  // before the first decision, so that it can say whether to write them.
  const debugLogger = mayLogDebug(env) ? loadLogger() : undefined
  const provider = once(async () => {
    await debugLogger
    return buildLambdaDependencies(await config)
  })
  // Started, not awaited: the init goes on, and the first call waits for what is left.
  // A bad configuration rejects here and on every call (`once` keeps no failure).
  provider().catch(() => {})
  return provider
}

/**
 * The authorizer's configuration, checked for the key material it uses (the
 * pepper only for Basic auth; never the signing keys). Parsed without zod
 * (parseConfigLean: building parseConfig's schema was the largest part of
 * this cold start) unless people's issuers or role scopes are configured,
 * which only parseConfig checks, loaded then.
 */
const authorizerConfig = async (
  env: Readonly<Record<string, string | undefined>>,
): Promise<Config> => {
  const parsed = parseConfigLean(env) ?? (await import('../core/config.js')).parseConfig(env)
  return requireKeyMaterial(
    parsed,
    parsed.basicAuthEnabled ? ['public-keys', 'pepper'] : ['public-keys'],
  )
}

const buildLambdaDependencies = async (config: Config): Promise<AuthorizerDependencies> => {
  const dynamoDbEndpoint = once(async () =>
    config.dynamoDbEndpoint === undefined && config.localMode
      ? (await import('../adapters/local-endpoint.js')).readLocalDynamoDbEndpoint(config.dataDir)
      : config.dynamoDbEndpoint,
  )
  // The SDK's client, for Basic auth and KEYSET#public (and the deny-list where no signed
  // request of our own can be made), made the first time one of them needs it.
  const dynamoDb = once(async () => {
    const { createDynamoDbClient } = await import('../adapters/dynamodb-client.js')
    return createDynamoDbClient(await dynamoDbEndpoint())
  })
  // The clients that need no SDK, where the environment allows them (else undefined).
  const json = once(async () => {
    const [{ awsJsonClientFor }, reads] = await Promise.all([
      import('../adapters/aws-json-client.js'),
      import('../adapters/aws-json-reads.js'),
    ])
    return {
      reads,
      // The SDK clients' limits: DynamoDB's DYNAMODB_CONNECTION_POLICY, KMS's awsClientConfig.
      dynamoDb: awsJsonClientFor('dynamodb', await dynamoDbEndpoint(), {
        connectMs: 1_000,
        idleMs: 2_000,
      }),
      kms: config.keySource === 'kms' ? awsJsonClientFor('kms', config.kmsEndpoint) : undefined,
    }
  })
  // The local key file is only read here: the authorizer never mints key material.
  const keys = keyMaterialFor(config, {
    dynamoDb,
    localKeyFile: 'read',
    kmsPublicKeyFetcher: async () => {
      const { reads, kms } = await json()
      return kms === undefined ? undefined : reads.jsonKmsPublicKeyFetcher(kms, config.jwtAlg)
    },
  })
  const [{ keySet, devIssuer }, light] = await Promise.all([
    keys.verificationKeys(),
    config.revocationCheck || config.keySource === 'kms' ? json() : undefined,
  ])
  const deps = buildAuthorizerDependencies({
    config,
    keySet,
    clock: systemClock,
    people: peopleVerifierFor(config, systemClock, devIssuer),
    denyListReader: async () => {
      const { dynamoDb: client, reads } = await json()
      if (client !== undefined) return reads.jsonDenyListReader(client, config.tableName)
      const { DynamoDbDenyListReader } = await import('../adapters/dynamodb-deny-list.js')
      return new DynamoDbDenyListReader(await dynamoDb(), config.tableName)
    },
    basicAuth: once(async () => {
      const { DynamoDbStore } = await import('../adapters/dynamodb-store.js')
      return {
        store: new DynamoDbStore(await dynamoDb(), config.tableName),
        secrets: await keys.pepper(),
        clock: systemClock,
        onUseNotRecorded: logUseNotRecorded,
      }
    }),
  })
  // Read now what needs no SDK, side by side: the public keys (KMS, or the issuer's JWKS;
  // a key file is read already) and the deny-list's first copy. Where the SDK is needed,
  // its import dominates and is left to the first call, as is any failure here, which
  // that call retries.
  const prefetch: Array<Promise<unknown>> = []
  if ((config.keySource === 'kms' && light?.kms !== undefined) || config.keySource === 'jwks') {
    prefetch.push(keySet.publicKeys())
  }
  if (deps.denyList !== undefined && light?.dynamoDb !== undefined) {
    prefetch.push(deps.denyList().then((denyList) => denyList.load()))
  }
  for (const started of prefetch) started.catch(() => {})
  return deps
}
