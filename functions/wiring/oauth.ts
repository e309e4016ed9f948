import { DynamoDbDenyListReader } from '../adapters/dynamodb-deny-list.js'
import type { Config } from '../core/config.js'
import type { Store } from '../core/ports.js'
import type { GrantDependencies } from '../core/use-cases/grant-token.js'
import type { IntrospectionDependencies } from '../core/use-cases/introspect-token.js'
import type { RevocationDependencies } from '../core/use-cases/revoke-issued-token.js'
import { type CallerDependencies, callerParts } from './dependencies.js'
import { federatedExchangeFor } from './federation.js'
import { lambdaParts } from './lambda-parts.js'
import { logUseNotRecorded } from './observability.js'

/**
 * What `/oauth2/*` hold: the exchange's signer and pepper (token), a
 * caller's verifiers (introspect's bearer, revoke's JWTs) and the deny-list
 * reader (introspect's `jti` check). `federation` is absent until federation
 * issuers are configured.
 */
export interface OAuthDependencies
  extends CallerDependencies,
    GrantDependencies,
    IntrospectionDependencies,
    RevocationDependencies {
  readonly config: Config
  readonly store: Store
}

/**
 * The `oauth2` Lambda's composition.
 *
 * @example
 * export const handler = createOAuth2Handler(
 *   lambdaProvider(process.env, buildOAuthDependencies, ['public-keys', 'signer', 'pepper']))
 */
export const buildOAuthDependencies = async (config: Config): Promise<OAuthDependencies> => {
  const { dynamoDb, keys } = lambdaParts(config)
  const [caller, signer, secrets] = await Promise.all([
    callerParts(config, dynamoDb, keys),
    keys.signer(),
    keys.pepper(),
  ])
  return {
    ...caller,
    signer,
    secrets,
    federation: federatedExchangeFor(caller, signer),
    denyListReader: new DynamoDbDenyListReader(dynamoDb, config.tableName),
    onUseNotRecorded: logUseNotRecorded,
  }
}
