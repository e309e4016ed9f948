import { vi } from 'vitest'

/** Every Lambda entry (functions/entries/), loaded as Lambda loads it (fresh, from the environment). */
const MODULES: Readonly<Record<string, () => Promise<unknown>>> = {
  'exchange-jwt': () => import('../../../functions/entries/exchange-jwt.js'),
  jwks: () => import('../../../functions/entries/jwks.js'),
  'openid-configuration': () => import('../../../functions/entries/openid-configuration.js'),
  whoami: () => import('../../../functions/entries/whoami.js'),
  'service-accounts': () => import('../../../functions/entries/service-accounts.js'),
  'trust-policies': () => import('../../../functions/entries/trust-policies.js'),
  'access-tokens': () => import('../../../functions/entries/access-tokens.js'),
  oauth2: () => import('../../../functions/entries/oauth2.js'),
  openapi: () => import('../../../functions/entries/openapi.js'),
  console: () => import('../../../functions/entries/console.js'),
  'keys-init': () => import('../../../functions/entries/keys-init.js'),
  'key-rotation': () => import('../../../functions/entries/key-rotation.js'),
  bootstrap: () => import('../../../functions/entries/bootstrap.js'),
  authorizer: async () => {
    // The authorizer keeps a bad configuration as the error of every call (it denies rather
    // than crash its init): building its dependencies surfaces it, and needs no network.
    const module = await import('../../../functions/wiring/authorizer.js')
    await module.lambdaAuthorizerDependencies(process.env)()
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
