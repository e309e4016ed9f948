import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDbDenyListReader } from '../adapters/dynamodb-deny-list.js'
import { DynamoDbStore } from '../adapters/dynamodb-store.js'
import { systemClock } from '../adapters/system-clock.js'
import type { Config } from '../core/config.js'
import type { DenyListReader } from '../core/deny-list.js'
import { type JwtVerifier, jwtVerifierFor } from '../core/jwt-verifier.js'
import { requireKeyMaterial } from '../core/key-material.js'
import type { PersonVerifier } from '../core/person-verifier.js'
import type {
  Clock,
  KeySet,
  OutsideTokenVerifier,
  Secrets,
  Signer,
  Store,
  TrustPolicyGrantReader,
} from '../core/ports.js'
import type { FederatedExchange } from '../core/use-cases/grant-token.js'
import type { ExchangeHandlerDependencies } from './exchange.js'
import { federatedExchangeFor, simulationVerifierFor } from './federation.js'
import { type KeyMaterial, keyMaterialFor } from './key-material.js'
import { lambdaParts } from './lambda-parts.js'
import { logSkippedKey, logUseNotRecorded } from './observability.js'
import { peopleVerifierFor } from './people.js'

/**
 * What the routes that authorize in the handler need to establish their
 * caller (docs/design.md#tollgates-own-protected-routes): the public keys inside
 * a verifier, people's issuers, and the store. No signer, and no pepper:
 * `GET /whoami` hashes nothing.
 */
export interface CallerDependencies {
  readonly config: Config
  readonly store: Store
  /** Tollgate's own JWTs, as callers of its API present them. */
  readonly verifier: JwtVerifier
  /** People's JWTs from trusted issuers; undefined when nobody is trusted. */
  readonly people: PersonVerifier | undefined
  /** Trust policies, for federated JWTs: their policy and account are checked on every call. */
  readonly policies: TrustPolicyGrantReader
  readonly clock: Clock
}

/** The management routes: their callers, plus the pepper (hash on create and regenerate, seal cursors). */
export interface ManagementDependencies extends CallerDependencies {
  readonly secrets: Secrets
}

/**
 * `/trust-policies`: the management routes' parts, plus the verifier of
 * outside JWTs that `simulate` checks a `token` with (undefined: this
 * function simulates claim sets only).
 */
export interface TrustPolicyHandlerDependencies extends ManagementDependencies {
  readonly outsideTokens: OutsideTokenVerifier | undefined
}

/** Everything any handler needs: what the dev server builds once and serves every route with. */
export interface Dependencies extends TrustPolicyHandlerDependencies, ExchangeHandlerDependencies {
  readonly store: Store
  readonly signer: Signer
  /** The development issuer (local mode only), for the dev server's sign-in routes. */
  readonly devIssuer: { readonly signer: Signer; readonly keySet: KeySet } | undefined
  /** The deny-list, as the authorizer reads it (the dev server runs one in front of its routes). */
  readonly denyListReader: DenyListReader
  readonly keySet: KeySet
  /** The federated exchange of `/oauth2/token`; undefined without FEDERATION_ISSUERS. */
  readonly federation: FederatedExchange | undefined
  /** The built console; the dev server builds it from `console/` when not given. */
  readonly consoleAssets?: (() => Promise<ConsoleAssets>) | undefined
}

export type DependencyProvider = () => Promise<Dependencies>

/** One built file of the console: its media type and its text. */
export interface ConsoleAsset {
  readonly contentType: string
  readonly body: string
}

/** The built console (`console/build.ts`), by file name: `index.html`, `app.js`, `app.css`. */
export type ConsoleAssets = Readonly<Record<string, ConsoleAsset>>

/**
 * The dev server's (and tools') composition root: every port, with the
 * adapters of the configured key source. The local key file is created when
 * missing.
 *
 * @example
 * const dependencies = await buildDependencies(config, dynamoDb.client)
 */
export const buildDependencies = async (
  config: Config,
  dynamoDb: DynamoDBClient,
): Promise<Dependencies> => {
  requireKeyMaterial(config, ['public-keys', 'signer', 'pepper'])
  const keys = keyMaterialFor(config, { dynamoDb: async () => dynamoDb, localKeyFile: 'create' })
  const [caller, signer, secrets, devIssuer] = await Promise.all([
    callerParts(config, dynamoDb, keys),
    keys.signer(),
    keys.pepper(),
    keys.devIssuer(),
  ])
  return {
    ...caller,
    signer,
    secrets,
    devIssuer,
    denyListReader: new DynamoDbDenyListReader(dynamoDb, config.tableName),
    onUseNotRecorded: logUseNotRecorded,
    outsideTokens: simulationVerifierFor(caller),
    federation: federatedExchangeFor(caller, signer),
  }
}

/** What every composition that authenticates callers shares: store, verifiers, clock. */
export const callerParts = async (config: Config, dynamoDb: DynamoDBClient, keys: KeyMaterial) => {
  const [keySet, devIssuer] = await Promise.all([keys.publicKeys(), keys.devIssuer()])
  const store = new DynamoDbStore(dynamoDb, config.tableName)
  return {
    config,
    store,
    // A federated JWT's policy and account, read only when one is presented.
    policies: store,
    keySet,
    verifier: jwtVerifierFor(config, keySet, systemClock, logSkippedKey),
    people: peopleVerifierFor(config, systemClock, devIssuer?.keySet),
    clock: systemClock,
  }
}

/**
 * `whoami`'s Lambda composition: public keys (in its verifier), people's
 * issuers and the store; no signer, no pepper.
 *
 * @example
 * export const handler = createWhoamiHandler(
 *   lambdaProvider(process.env, buildCallerDependencies, ['public-keys']))
 */
export const buildCallerDependencies = async (config: Config): Promise<CallerDependencies> => {
  const { dynamoDb, keys } = lambdaParts(config)
  return callerParts(config, dynamoDb, keys)
}

/**
 * The management functions' Lambda composition (`service-accounts`,
 * `access-tokens`): what `whoami` has, plus the pepper. Never a signer.
 *
 * @example
 * export const handler = createAccessTokensHandler(
 *   lambdaProvider(process.env, buildManagementDependencies, ['public-keys', 'pepper']))
 */
export const buildManagementDependencies = async (
  config: Config,
): Promise<ManagementDependencies> => {
  const { dynamoDb, keys } = lambdaParts(config)
  const [caller, secrets] = await Promise.all([callerParts(config, dynamoDb, keys), keys.pepper()])
  return { ...caller, secrets }
}

/**
 * The `trust-policies` function's Lambda composition: what the management
 * functions have (cursors are sealed with the pepper). Never a signer.
 *
 * @example
 * export const handler = createTrustPoliciesHandler(
 *   lambdaProvider(process.env, buildTrustPolicyDependencies, ['public-keys', 'pepper']))
 */
export const buildTrustPolicyDependencies = async (
  config: Config,
): Promise<TrustPolicyHandlerDependencies> => {
  const management = await buildManagementDependencies(config)
  return { ...management, outsideTokens: simulationVerifierFor(management) }
}
