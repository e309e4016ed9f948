import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { Config } from '../core/config.js'
import { TollgateError } from '../core/errors.js'
import { requireKeyMaterial } from '../core/key-material.js'
import { bootstrapAdmin } from '../core/use-cases/bootstrap-admin.js'
import { readConfig } from './env-config.js'
import { describePortError, ensurePortIsFree } from './free-port.js'
import { DEFAULT_LIMITS } from './http-hardening.js'
import { enableInvocationScopes } from './invocation-scope.js'
import { loadLocalRuntime } from './runtime.js'

const HOST = '127.0.0.1'

const say = (message: string): void => {
  process.stderr.write(`tollgate: ${message}\n`)
}

/**
 * `npm start`: DynamoDB Local (supervised), the key material, the dev server,
 * and the first admin on an empty table, until Ctrl-C. The port is bound
 * before the first admin is minted: its token is shown once, so it is shown
 * only by a server that is up, and a busy port fails before anything is created.
 *
 * Keys: the local key file by default; with KEY_SOURCE=kms or
 * secrets-manager, KMS and Secrets Manager at their configured endpoints
 * (LocalStack, the tests' fake). Against an emulator's Secrets Manager
 * (an explicit endpoint), the key material is seeded first as `tollgate
 * keys init` does; against AWS itself it is only read, never created.
 */
const main = async (): Promise<number> => {
  const config = readConfig()
  if (config === undefined) return 2
  try {
    // The dev server builds every part: signer, public keys and pepper.
    requireKeyMaterial(config, ['public-keys', 'signer', 'pepper'])
  } catch (error) {
    say((error as Error).message)
    return 2
  }
  // Before the first AWS SDK call (see enableInvocationScopes).
  await enableInvocationScopes(DEFAULT_LIMITS.maxConnections)
  try {
    // Quick, before DynamoDB Local starts; the listen below is what counts.
    await ensurePortIsFree(config.port, HOST)
  } catch (error) {
    say(describePortError(error, config.port, HOST) ?? String(error))
    return 1
  }
  const { buildDependencies, openDevServerDynamoDb, startDevServer } = await loadLocalRuntime()
  const dynamoDb = await openDevServerDynamoDb(config, { supervise: { log: say } })
  try {
    await seedEmulatorKeys(config, dynamoDb.client)
    const dependencies = await buildDependencies(config, dynamoDb.client)
    const server = await startDevServer({ dependencies, port: config.port, host: HOST }).catch(
      (error: unknown) => {
        const described = describePortError(error, config.port, HOST)
        throw described === undefined ? error : new Error(described)
      },
    )
    if (!(await dependencies.store.isBootstrapped())) {
      const admin = await bootstrapAdmin(dependencies, { name: 'admin', asFirstAdmin: true }).catch(
        (error: unknown) => {
          throw withKeysHint(config, error)
        },
      )
      process.stdout.write(
        `\nFirst start: created service account "${admin.account.name}" (${admin.account.id}) with role admin.\n` +
          `Its access token is shown this once and stored nowhere; keep it safe:\n\n    ${admin.secret}\n\n`,
      )
    }
    process.stdout.write(
      `Tollgate listening on ${server.url} (issuer ${config.issuer}, data in ${config.dataDir})\n`,
    )
    stopOnSignal(async () => {
      await server.close()
      await dynamoDb.release()
    })
    return 0
  } catch (error) {
    await dynamoDb.release()
    throw error
  }
}

/** keys init against an emulator's Secrets Manager, so `npm start` works on a fresh LocalStack. */
const seedEmulatorKeys = async (config: Config, dynamoDb: DynamoDBClient): Promise<void> => {
  if (
    config.keySource === 'local' ||
    config.keySource === 'jwks' ||
    config.secretsManagerEndpoint === undefined
  ) {
    return
  }
  const { initConfiguredKeys } = await import('../operations/keys-init.js')
  const result = await initConfiguredKeys(config, { dynamoDb })
  say(
    `keys (${config.keySource} at ${config.secretsManagerEndpoint}): pepper ${result.pepper}, ` +
      `signing keys ${result.signingKeys}, public key set ${result.publicKeySet}`,
  )
}

/** A key-material failure on AWS itself most likely means keys init has not run. */
const withKeysHint = (config: Config, error: unknown): unknown =>
  config.keySource !== 'local' && error instanceof TollgateError && error.code === 'internal'
    ? new Error(
        `the ${config.keySource} key material could not be read (${error.message}); ` +
          'seed it with `npx tollgate keys init` in this environment, or check PEPPER_SECRET_ID',
      )
    : error

const stopOnSignal = (stop: () => Promise<void>): void => {
  let stopping = false
  const onSignal = () => {
    if (stopping) return
    stopping = true
    stop().finally(() => process.exit(0))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onSignal)
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code)
  },
  (error: unknown) => {
    say(error instanceof Error ? error.message : String(error))
    process.exit(1)
  },
)
