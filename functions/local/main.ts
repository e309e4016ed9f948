import { bootstrapAdmin } from '../core/use-cases/bootstrap-admin.js'
import { loadLocalRuntime, readConfig } from './runtime.js'

/**
 * `npm start`: DynamoDB Local, local keys, the first admin on an empty data
 * directory, then the dev server until Ctrl-C.
 */
const main = async (): Promise<void> => {
  const config = readConfig()
  if (config === undefined) {
    process.exitCode = 2
    return
  }
  const { buildDependencies, openLocalDynamoDb, startDevServer } = await loadLocalRuntime()
  const dynamoDb = await openLocalDynamoDb(config)
  try {
    const dependencies = await buildDependencies(config, dynamoDb.client)
    if (!(await dependencies.store.isBootstrapped())) {
      const admin = await bootstrapAdmin(dependencies, { name: 'admin', asFirstAdmin: true })
      process.stdout.write(
        `\nFirst start: created service account "${admin.account.name}" (${admin.account.id}) with role admin.\n` +
          `Its access token is shown this once and stored nowhere; keep it safe:\n\n    ${admin.secret}\n\n`,
      )
    }
    const server = await startDevServer({ dependencies, port: config.port })
    process.stdout.write(
      `Tollgate listening on ${server.url} (issuer ${config.issuer}, data in ${config.dataDir})\n`,
    )
    stopOnSignal(async () => {
      await server.close()
      await dynamoDb.release()
    })
  } catch (error) {
    await dynamoDb.release()
    throw error
  }
}

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

main().catch((error: unknown) => {
  process.stderr.write(`tollgate: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
