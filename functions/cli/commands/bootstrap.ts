import { parseArgs } from 'node:util'
import { SERVICE_FAULTS, TollgateError } from '../../core/errors.js'
import { RESOURCE_NAME, RESOURCE_NAME_RULE } from '../../core/names.js'
import { bootstrapAdmin } from '../../core/use-cases/bootstrap-admin.js'
import { readConfig } from '../../local/env-config.js'
import { checkBootstrapStore } from '../../local/store-guard.js'
import { loadStoreRuntime } from '../../local/store-runtime.js'
import type { Command } from '../command.js'
import { withOptionalPeers } from '../optional-peers.js'

export const bootstrapCommand: Command = {
  name: 'bootstrap',
  summary: 'Mint an admin service account and its first token straight into the store',
  help: `Usage: tollgate bootstrap --name NAME [--force]

Mints an admin service account and its first access token straight into the
configured store (TABLE_NAME, DATA_DIR, AWS_ENDPOINT_URL_DYNAMODB), not over
HTTP: for a new table, or when every admin token is lost. Prints the token
once (a secret: it is stored nowhere). Next to a running \`npm start\` it uses
that server's DynamoDB Local. It refuses when a dev server runs on PORT
with another store than its own (its token would be refused there), unless
--force.

Exit codes: 0 ok, 1 refused (e.g. the name is taken), 2 usage or bad configuration.

Example:
  npx tollgate bootstrap --name ops-admin
`,
  run: (args) => withOptionalPeers('tollgate bootstrap', () => bootstrap(args)),
}

const bootstrap = async (args: readonly string[]): Promise<number> => {
  const { values } = parseArgs({
    args: [...args],
    options: { name: { type: 'string' }, force: { type: 'boolean' } },
  })
  // As given, not trimmed: the API refuses "admin " rather than storing "admin", and so does this.
  const name = values.name
  if (name === undefined || !RESOURCE_NAME.test(name)) {
    process.stderr.write(
      `tollgate bootstrap: --name NAME is required and must ${RESOURCE_NAME_RULE}\n`,
    )
    return 2
  }
  const config = readConfig()
  if (config === undefined) return 2
  const check = await checkBootstrapStore(config, { force: values.force === true })
  if (check.message !== '') process.stderr.write(check.message)
  if (!check.proceed) return 1
  const { buildDependencies, openLocalDynamoDb } = await loadStoreRuntime()
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
    if (error instanceof TollgateError && !SERVICE_FAULTS.has(error.code)) {
      process.stderr.write(`tollgate bootstrap: ${error.message}\n`)
      return 1
    }
    throw error
  } finally {
    await dynamoDb.release()
  }
}
