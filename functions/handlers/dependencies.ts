import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { createDynamoDbClient } from '../adapters/dynamodb-client.js'
import { DynamoDbDenyListReader } from '../adapters/dynamodb-deny-list.js'
import { DynamoDbStore } from '../adapters/dynamodb-store.js'
import { loadLocalKeys } from '../adapters/local-key-file.js'
import { systemClock } from '../adapters/system-clock.js'
import { type Config, parseConfig } from '../core/config.js'
import type { DenyListReader } from '../core/deny-list.js'
import { type JwtVerifier, jwtVerifierFor } from '../core/jwt-verifier.js'
import type { PersonVerifier } from '../core/person-verifier.js'
import type { Clock, KeySet, Secrets, Signer, Store } from '../core/ports.js'
import type { AuthenticationDependencies } from '../core/use-cases/authenticate-access-token.js'
import { logUseNotRecorded } from './observability.js'
import { peopleVerifierFor } from './people.js'

/** Everything a handler needs, built once per process (cold start). */
export interface Dependencies extends AuthenticationDependencies {
  readonly config: Config
  readonly store: Store
  readonly signer: Signer
  /** Tollgate's own JWTs, as callers of its API present them. */
  readonly verifier: JwtVerifier
  /** People's JWTs from trusted issuers; undefined when nobody is trusted. */
  readonly people: PersonVerifier | undefined
  /** The development issuer (local mode only), for the dev server's sign-in routes. */
  readonly devIssuer: { readonly signer: Signer; readonly keySet: KeySet } | undefined
  /** The deny-list, as the authorizer reads it (the dev server runs one in front of its routes). */
  readonly denyListReader: DenyListReader
  readonly keySet: KeySet
  readonly secrets: Secrets
  readonly clock: Clock
}

export type DependencyProvider = () => Promise<Dependencies>

/** The composition root: picks an adapter for each port from the config. */
export const buildDependencies = async (
  config: Config,
  dynamoDb: DynamoDBClient,
): Promise<Dependencies> => {
  const keys = await loadLocalKeys(config.dataDir, config.jwtAlg)
  return {
    config,
    store: new DynamoDbStore(dynamoDb, config.tableName),
    signer: keys.signer,
    verifier: jwtVerifierFor(config, keys.keySet, systemClock),
    people: peopleVerifierFor(config, systemClock, keys.devIssuer?.keySet),
    devIssuer: config.localMode ? keys.devIssuer : undefined,
    denyListReader: new DynamoDbDenyListReader(dynamoDb, config.tableName),
    keySet: keys.keySet,
    secrets: keys.secrets,
    clock: systemClock,
    onUseNotRecorded: logUseNotRecorded,
  }
}

/**
 * The Lambda runtime's provider: config is parsed when the module loads, so a
 * bad variable fails the cold start; adapters are built on first use and kept.
 */
export const lambdaDependencies: DependencyProvider = (() => {
  const config = parseConfig(process.env)
  let built: Promise<Dependencies> | undefined
  return () => {
    built ??= buildDependencies(config, createDynamoDbClient(config.dynamoDbEndpoint)).catch(
      (error: unknown) => {
        built = undefined
        throw error
      },
    )
    return built
  }
})()
