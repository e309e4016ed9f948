import { systemClock } from '../adapters/system-clock.js'
import { type Config, parseConfig } from '../core/config.js'
import { createDenyList, type DenyListReader } from '../core/deny-list.js'
import {
  CLOCK_SKEW_SECONDS,
  jwtVerifierFor,
  VERIFIED_TOKEN_CACHE_SIZE,
} from '../core/jwt-verifier.js'
import { requireKeyMaterial } from '../core/key-material.js'
import type { PersonVerifier } from '../core/person-verifier.js'
import type { Clock, KeySet } from '../core/ports.js'
import { buildPermissionRules } from '../core/route-permissions.js'
import { ROUTES, type Route } from '../core/routes.js'
import type { AuthenticationDependencies } from '../core/use-cases/authenticate-access-token.js'
import type { AuthorizeDependencies } from '../core/use-cases/authorize-request.js'
import { keyMaterialFor } from './key-material.js'
import {
  loadLogger,
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
            }),
          )
        : undefined,
  }
}

/**
 * The Lambda cold-start composition, made by the authorizer's entry when it
 * loads. The config is parsed from `env` there; a bad one is kept as the
 * error every call rejects with, so the handler logs it and denies (fails
 * closed) instead of the init crashing into API Gateway 500s with no log
 * line of ours. Keys are read on the first call, and a failure there is
 * retried on the next.
 *
 * Bundle size: this module must not import ./dependencies.js, and reaches
 * the DynamoDB adapters only through `import()`, on the first call that
 * needs them (the deny-list, Basic auth, KEYSET#public): cold start stays
 * small. The key source's adapters and SDK clients are `import()`ed the same
 * way (./key-material.js), only the ones KEY_SOURCE names.
 *
 * @example
 * export const handler = createAuthorizerHandler(lambdaAuthorizerDependencies(process.env))
 */
export const lambdaAuthorizerDependencies = (
  env: Readonly<Record<string, string | undefined>>,
): AuthorizerDependencyProvider => {
  let config: Config
  try {
    const parsed = parseConfig(env)
    // The pepper only for Basic auth; never the signing keys.
    config = requireKeyMaterial(
      parsed,
      parsed.basicAuthEnabled ? ['public-keys', 'pepper'] : ['public-keys'],
    )
  } catch (error) {
    return () => Promise.reject(error)
  }
  // Allows are DEBUG lines: where the environment may ask for them, the Logger is loaded
  // before the first decision, so that it can say whether to write them.
  const debugLogger = mayLogDebug(env) ? loadLogger() : undefined
  return once(async () => {
    await debugLogger
    return buildLambdaDependencies(config)
  })
}

const buildLambdaDependencies = async (config: Config): Promise<AuthorizerDependencies> => {
  // One client for Basic auth, the deny-list and KEYSET#public, made the first time one needs it.
  const dynamoDb = once(async () => {
    const { createDynamoDbClient } = await import('../adapters/dynamodb-client.js')
    const endpoint =
      config.dynamoDbEndpoint ??
      (config.localMode
        ? await (await import('../adapters/local-endpoint.js')).readLocalDynamoDbEndpoint(
            config.dataDir,
          )
        : undefined)
    return createDynamoDbClient(endpoint)
  })
  // The local key file is only read here: the authorizer never mints key material.
  const keys = keyMaterialFor(config, { dynamoDb, localKeyFile: 'read' })
  const [keySet, devIssuer] = await Promise.all([keys.publicKeys(), keys.devIssuer()])
  return buildAuthorizerDependencies({
    config,
    keySet,
    clock: systemClock,
    people: peopleVerifierFor(config, systemClock, devIssuer?.keySet),
    denyListReader: async () => {
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
}
