import { DynamoDbStore } from '../adapters/dynamodb-store.js'
import { systemClock } from '../adapters/system-clock.js'
import type { Config } from '../core/config.js'
import type { Store } from '../core/ports.js'
import type { ExchangeDependencies } from '../core/use-cases/exchange-token.js'
import { lambdaParts } from './lambda-parts.js'
import { logUseNotRecorded } from './observability.js'

/** What the exchange function holds: the signer, the pepper and the store; no verifier. */
export interface ExchangeHandlerDependencies extends ExchangeDependencies {
  readonly config: Config
  readonly store: Store
}

/**
 * The exchange's Lambda composition (`POST /access-tokens/jwt`): it signs,
 * hashes with the pepper and reads the caller's token and owner item. It
 * verifies no JWT, so it never reads the public key set, and it loads none
 * of ./dependencies.js (people's issuers, the deny-list).
 *
 * @example
 * export const handler = createExchangeJwtHandler(
 *   lambdaProvider(process.env, buildExchangeDependencies, ['signer', 'pepper']))
 */
export const buildExchangeDependencies = async (
  config: Config,
): Promise<ExchangeHandlerDependencies> => {
  const { dynamoDb, keys } = lambdaParts(config)
  const [signer, secrets] = await Promise.all([keys.signer(), keys.pepper()])
  return {
    config,
    store: new DynamoDbStore(dynamoDb, config.tableName),
    signer,
    secrets,
    clock: systemClock,
    onUseNotRecorded: logUseNotRecorded,
  }
}
