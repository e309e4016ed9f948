import { readLocalKeys } from '../adapters/local-key-file.js'
import { systemClock } from '../adapters/system-clock.js'
import { type Config, parseConfig } from '../core/config.js'
import { jwtVerifierFor } from '../core/jwt-verifier.js'
import type { Clock, KeySet } from '../core/ports.js'
import { buildPermissionRules } from '../core/route-permissions.js'
import { ROUTES, type Route } from '../core/routes.js'
import type { AuthenticationDependencies } from '../core/use-cases/authenticate-access-token.js'
import type { AuthorizeDependencies } from '../core/use-cases/authorize-request.js'
import { logUseNotRecorded } from './observability.js'

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
  const { config } = parts
  return {
    config,
    verifier: jwtVerifierFor(config, parts.keySet, parts.clock),
    rules: buildPermissionRules(parts.routes ?? ROUTES, config.routeScopes),
    basicAuth: config.basicAuthEnabled ? parts.basicAuth : undefined,
  }
}

/**
 * The Lambda cold-start composition. The config is parsed when the module
 * loads; a bad one is kept as the error every call rejects with, so the
 * handler logs it and denies (fails closed) instead of the init crashing
 * into API Gateway 500s with no log line of ours. Keys are read on the first
 * call, and a failure there is retried on the next.
 *
 * Bundle size: this module must not import ./dependencies.js, and reaches
 * the DynamoDB adapters only through `import()` when Basic auth is on.
 */
export const lambdaAuthorizerDependencies: AuthorizerDependencyProvider = (() => {
  let config: Config | undefined
  let configError: unknown
  try {
    config = parseConfig(process.env)
  } catch (error) {
    configError = error
  }
  let built: Promise<AuthorizerDependencies> | undefined
  return () => {
    if (config === undefined) return Promise.reject(configError)
    built ??= buildLambdaDependencies(config).catch((error: unknown) => {
      built = undefined
      throw error
    })
    return built
  }
})()

const buildLambdaDependencies = async (config: Config): Promise<AuthorizerDependencies> => {
  const keys = await readLocalKeys(config.dataDir, config.jwtAlg)
  return buildAuthorizerDependencies({
    config,
    keySet: keys.keySet,
    clock: systemClock,
    basicAuth: once(async () => {
      const [{ createDynamoDbClient }, { DynamoDbStore }] = await Promise.all([
        import('../adapters/dynamodb-client.js'),
        import('../adapters/dynamodb-store.js'),
      ])
      const client = createDynamoDbClient(config.dynamoDbEndpoint)
      return {
        store: new DynamoDbStore(client, config.tableName),
        secrets: keys.secrets,
        clock: systemClock,
        onUseNotRecorded: logUseNotRecorded,
      }
    }),
  })
}

/** Memoizes a successful async result; a failure is retried on the next call. */
const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let result: Promise<T> | undefined
  return () => {
    result ??= make().catch((error: unknown) => {
      result = undefined
      throw error
    })
    return result
  }
}
