import { loadStoreRuntime } from './store-runtime.js'

/**
 * The modules that build and serve real dependencies (the AWS SDK among
 * them), loaded only when a command gets that far: `tollgate` stays quick to
 * start, and `npm start` fails on a bad config or a busy port before loading
 * any of them.
 *
 * - `openDevServerDynamoDb`: what `npm start` serves from, whatever the key
 *   source: the configured endpoint, else DynamoDB Local under DATA_DIR.
 * - `buildDependencies`, `openLocalDynamoDb`: see `loadStoreRuntime`, the
 *   part operator tools load without the dev server.
 */
export const loadLocalRuntime = async () => {
  const [store, local, { startDevServer }] = await Promise.all([
    loadStoreRuntime(),
    import('./local-dynamodb.js'),
    import('./dev-server.js'),
  ])
  return { ...store, openDevServerDynamoDb: local.openLocalDynamoDb, startDevServer }
}
