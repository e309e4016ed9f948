import { initKeys, type KeysInitOptions } from '../../functions/operations/keys-init.js'
import type { StartOptions } from './dev-server.js'
import type { FakeAws } from './fake-aws.js'

type SeedOptions = Omit<KeysInitOptions, 'secretsManager' | 'dynamoDb' | 'tableName'>

/**
 * `tollgate keys init` against the fake AWS endpoint, run once the dev
 * server's table exists: what KEY_SOURCE=kms and secrets-manager need
 * before anything can sign.
 */
export const keysInitOnStart = (
  aws: FakeAws,
  options: SeedOptions,
): Required<Pick<StartOptions, 'prepare'>> => ({
  prepare: ({ client, tableName }) =>
    initKeys({
      ...options,
      secretsManager: aws.secretsManagerClient(),
      dynamoDb: client,
      tableName,
    }).then(() => undefined),
})
