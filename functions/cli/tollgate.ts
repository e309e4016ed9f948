import { parseArgs } from 'node:util'
import { TollgateError } from '../core/errors.js'
import { bootstrapAdmin } from '../core/use-cases/bootstrap-admin.js'
import { loadLocalRuntime, readConfig } from '../local/runtime.js'
import { checkBootstrapStore } from '../local/store-guard.js'

const USAGE = `Usage: tollgate <command> [options]

Commands:
  bootstrap --name NAME   Mint an admin service account and its first access token
                          straight into the configured store (TABLE_NAME, DATA_DIR,
                          AWS_ENDPOINT_URL_DYNAMODB). Prints the token once.
                          Refuses when the dev server on PORT serves another store
                          (its token would be refused there), unless --force.
  help                    Show this text.
`

/** The `tollgate` command line; returns the process exit code. */
export const runCli = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv
  switch (command) {
    case 'bootstrap':
      return bootstrap(rest)
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE)
      return command === undefined ? 2 : 0
    default:
      process.stderr.write(`tollgate: unknown command "${command}"\n\n${USAGE}`)
      return 2
  }
}

const bootstrap = async (args: readonly string[]): Promise<number> => {
  const { values } = parseArgs({
    args: [...args],
    options: { name: { type: 'string' }, force: { type: 'boolean' } },
  })
  const name = values.name?.trim()
  if (name === undefined || !/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/.test(name)) {
    process.stderr.write(
      'tollgate bootstrap: --name NAME is required (1–64 letters, digits, " _.-")\n',
    )
    return 2
  }
  const config = readConfig()
  if (config === undefined) return 2
  const check = await checkBootstrapStore(config, { force: values.force === true })
  if (check.message !== '') process.stderr.write(check.message)
  if (!check.proceed) return 1
  const { buildDependencies, openLocalDynamoDb } = await loadLocalRuntime()
  const dynamoDb = await openLocalDynamoDb(config)
  try {
    const dependencies = await buildDependencies(config, dynamoDb.client)
    // The first admin of a table claims its bootstrap marker, so a later
    // `npm start` sees the table as bootstrapped instead of minting again.
    const asFirstAdmin = !(await dependencies.store.isBootstrapped())
    const admin = await bootstrapAdmin(dependencies, { name, asFirstAdmin })
    process.stdout.write(
      `Created service account "${admin.account.name}" (${admin.account.id}) with role admin.\n` +
        `Access token (shown once, stored nowhere):\n${admin.secret}\n`,
    )
    return 0
  } catch (error) {
    if (error instanceof TollgateError && error.status < 500) {
      process.stderr.write(`tollgate bootstrap: ${error.message}\n`)
      return 1
    }
    throw error
  } finally {
    await dynamoDb.release()
  }
}
