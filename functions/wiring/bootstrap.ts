import { DynamoDbStore } from '../adapters/dynamodb-store.js'
import { systemClock } from '../adapters/system-clock.js'
import type { Config } from '../core/config.js'
import type { BootstrapDependencies } from '../core/use-cases/bootstrap-admin.js'
import { lambdaParts } from './lambda-parts.js'

/**
 * The bootstrap function's Lambda composition: the store and the pepper. No
 * verifier and no signer: it mints an access token, never a JWT, and is
 * invoked through Lambda's own authorization, not with a credential of ours.
 *
 * @example
 * export const handler = createBootstrapHandler(
 *   lambdaProvider(process.env, buildBootstrapDependencies, ['pepper']))
 */
export const buildBootstrapDependencies = async (
  config: Config,
): Promise<BootstrapDependencies> => {
  const { dynamoDb, keys } = lambdaParts(config)
  return {
    store: new DynamoDbStore(dynamoDb, config.tableName),
    secrets: await keys.pepper(),
    clock: systemClock,
    config,
  }
}
