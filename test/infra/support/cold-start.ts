import { vi } from 'vitest'

/** Every deployed handler module, loaded as Lambda loads it (fresh, from the environment). */
const MODULES: Readonly<Record<string, () => Promise<unknown>>> = {
  'exchange-jwt': () => import('../../../functions/handlers/exchange-jwt.js'),
  jwks: () => import('../../../functions/handlers/jwks.js'),
  'openid-configuration': () => import('../../../functions/handlers/openid-configuration.js'),
  whoami: () => import('../../../functions/handlers/whoami.js'),
  'service-accounts': () => import('../../../functions/handlers/service-accounts.js'),
  'access-tokens': () => import('../../../functions/handlers/access-tokens.js'),
  openapi: () => import('../../../functions/handlers/openapi.js'),
  'keys-init': () => import('../../../functions/handlers/keys-init.js'),
  'key-rotation': () => import('../../../functions/handlers/key-rotation.js'),
  authorizer: async () => {
    // The authorizer keeps a bad configuration as the error of every call (it denies rather
    // than crash its init): building its dependencies surfaces it, and needs no network.
    const module = await import('../../../functions/handlers/authorizer-dependencies.js')
    await module.lambdaAuthorizerDependencies()
    return module
  },
}

/**
 * A cold start of `module` with `environment` as Lambda sets it: the config
 * is parsed and checked for the key material the function uses, at import.
 * Rejects with that error; resolves when the function would start.
 */
export const coldStart = async (
  module: string,
  environment: Readonly<Record<string, string>>,
): Promise<void> => {
  const load = MODULES[module]
  if (load === undefined) throw new Error(`no handler module ${module}`)
  vi.resetModules()
  for (const [name, value] of Object.entries({
    ...environment,
    AWS_LAMBDA_FUNCTION_NAME: `Tollgate-${module}`,
    AWS_REGION: 'eu-west-1',
  })) {
    vi.stubEnv(name, value)
  }
  try {
    await load()
  } finally {
    vi.unstubAllEnvs()
  }
}
