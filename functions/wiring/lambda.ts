import { type Config, parseConfig } from '../core/config.js'
import { type KeyMaterialNeed, requireKeyMaterial } from '../core/key-material.js'
import { once } from './once.js'
// Every function built here writes its lines as they are logged, from init on (the authorizer,
// built elsewhere, loads its Logger on the first line: ./observability.js).
import './powertools-logger.js'

/**
 * One Lambda function's provider, made by its entry when the entry loads:
 * the config is parsed from `env` there and checked for the key material
 * this function uses (`needs`), so a bad or missing variable fails the cold
 * start with a message naming it; the function's own dependencies are built
 * on first use and kept.
 *
 * @example
 * export const handler = createJwksHandler(
 *   lambdaProvider(process.env, buildPublicKeyDependencies, ['public-keys']))
 */
export const lambdaProvider = <T>(
  env: Readonly<Record<string, string | undefined>>,
  build: (config: Config) => Promise<T>,
  needs: readonly KeyMaterialNeed[] = [],
): (() => Promise<T>) => {
  const config = requireKeyMaterial(parseConfig(env), needs)
  return once(() => build(config))
}
