import { type Config, parseConfig } from '../core/config.js'

/** The config, or undefined after saying which variable is wrong (never with a stack trace). */
export const readConfig = (): Config | undefined => {
  try {
    return parseConfig(process.env)
  } catch (error) {
    process.stderr.write(`tollgate: ${(error as Error).message}\n`)
    return undefined
  }
}

/**
 * The modules that build and serve real dependencies, loaded only once the
 * config is known to be valid: handler modules parse it again at import, as
 * a Lambda cold start does, and a bad value would surface there as a stack trace.
 */
export const loadLocalRuntime = async () => {
  const [{ buildDependencies }, { openLocalDynamoDb }, { startDevServer }] = await Promise.all([
    import('../handlers/dependencies.js'),
    import('./local-dynamodb.js'),
    import('./dev-server.js'),
  ])
  return { buildDependencies, openLocalDynamoDb, startDevServer }
}
