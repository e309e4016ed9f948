import type { CloudFormationCustomResourceEvent } from 'aws-lambda'
import { seedKeys } from '../core/use-cases/seed-keys.js'
import type { KeysInitDependencies } from '../wiring/key-management.js'

/** Stable, so an Update never looks like a replacement (which would Delete the old one). */
export const KEYS_INIT_PHYSICAL_ID = 'tollgate-keys'

/** What the CDK Provider framework expects back from an onEvent handler. */
export interface KeysInitResponse {
  readonly PhysicalResourceId: string
  readonly Data?: Readonly<Record<string, string>>
}

/**
 * The resource properties the stack gives (infra/constructs/tollgate.ts), the
 * keys-init contract:
 * - `KeySource`: `kms` or `secrets-manager`.
 * - `JwtAlg`: `RS256` or `ES256`.
 * - `TableName`: the table whose KEYSET#public item receives the public keys.
 * - `PepperSecretId`: always.
 * - `SigningKeysSecretId`: exactly when `KeySource` is `secrets-manager`.
 * The stack declares both secrets, each under its own customer managed key,
 * with a placeholder value (`{"uninitialized": true, "placeholder": …}`);
 * this fills them with PutSecretValue and never creates one.
 */
export interface KeysInitProperties {
  readonly keySource: 'kms' | 'secrets-manager'
  readonly tableName: string
  readonly alg: 'RS256' | 'ES256'
  readonly pepperSecretId: string
  readonly signingKeysSecretId: string | undefined
}

/**
 * The stack's `keys init` at deploy: the onEvent handler of a CDK
 * custom-resources Provider (which reports to CloudFormation; a throw fails
 * the deployment). Create and Update seed idempotently from the resource
 * properties (see KeysInitProperties), into secrets the stack declared.
 * Delete does nothing: the secrets are retained, and deleting keys would
 * invalidate every token.
 *
 * @example
 * export const handler = createKeysInitHandler(async () => ({
 *   keyStores: (table) => keyStoresOf(secretsManager, dynamoDb, table), clock, log }))
 */
export const createKeysInitHandler =
  (dependencies: () => Promise<KeysInitDependencies>) =>
  async (event: CloudFormationCustomResourceEvent): Promise<KeysInitResponse> => {
    if (event.RequestType === 'Delete') {
      return { PhysicalResourceId: event.PhysicalResourceId }
    }
    const properties = keysInitProperties(event.ResourceProperties as Record<string, unknown>)
    const deps = await dependencies()
    const result = await seedKeys(
      { ...deps.keyStores(properties.tableName), clock: deps.clock, log: deps.log },
      {
        alg: properties.alg,
        pepperSecretId: properties.pepperSecretId,
        signingKeysSecretId: properties.signingKeysSecretId,
        createMissing: false,
      },
    )
    deps.log('keys init finished', { key_source: properties.keySource, ...result })
    return { PhysicalResourceId: KEYS_INIT_PHYSICAL_ID, Data: { ...result } }
  }

/**
 * Reads and checks the resource properties; a bad one fails the deployment naming it.
 *
 * @example
 * const { keySource, pepperSecretId } = keysInitProperties(event.ResourceProperties)
 */
export const keysInitProperties = (properties: Record<string, unknown>): KeysInitProperties => {
  const keySource = properties.KeySource
  if (keySource !== 'kms' && keySource !== 'secrets-manager') {
    throw new Error('Property KeySource must be kms or secrets-manager.')
  }
  const alg = properties.JwtAlg
  if (alg !== 'RS256' && alg !== 'ES256') throw new Error('Property JwtAlg must be RS256 or ES256.')
  const signingKeysSecretId = optionalString(properties, 'SigningKeysSecretId')
  if ((keySource === 'secrets-manager') !== (signingKeysSecretId !== undefined)) {
    throw new Error(
      'Property SigningKeysSecretId is required with KeySource secrets-manager, and only then.',
    )
  }
  return {
    keySource,
    alg,
    tableName: requiredString(properties, 'TableName'),
    pepperSecretId: requiredString(properties, 'PepperSecretId'),
    signingKeysSecretId,
  }
}

const requiredString = (properties: Record<string, unknown>, name: string): string => {
  const value = properties[name]
  if (typeof value !== 'string' || value === '') throw new Error(`Property ${name} is required.`)
  return value
}

const optionalString = (properties: Record<string, unknown>, name: string) =>
  properties[name] === undefined || properties[name] === ''
    ? undefined
    : requiredString(properties, name)
