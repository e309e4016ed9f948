import type { HandlerName } from '../core/routes.js'
import type { DependencyProvider } from '../wiring/dependencies.js'
import { createAccessTokensHandler } from './access-tokens.js'
import { createConsoleHandler } from './console.js'
import { createExchangeJwtHandler } from './exchange-jwt.js'
import type { LambdaHttpHandler } from './http-middleware.js'
import { createJwksHandler } from './jwks.js'
import { createOAuth2Handler } from './oauth2.js'
import { createOpenapiHandler } from './openapi.js'
import { createOpenidConfigurationHandler } from './openid-configuration.js'
import { createServiceAccountsHandler } from './service-accounts.js'
import { createTrustPoliciesHandler } from './trust-policies.js'
import { createWhoamiHandler } from './whoami.js'

/** Route-table handler names to handler factories; the type makes a missing one a compile error. */
export const HANDLER_FACTORIES: Readonly<
  Record<HandlerName, (dependencies: DependencyProvider) => LambdaHttpHandler>
> = {
  'exchange-jwt': createExchangeJwtHandler,
  jwks: createJwksHandler,
  'openid-configuration': createOpenidConfigurationHandler,
  whoami: createWhoamiHandler,
  openapi: createOpenapiHandler,
  'service-accounts': createServiceAccountsHandler,
  'access-tokens': createAccessTokensHandler,
  'trust-policies': createTrustPoliciesHandler,
  oauth2: createOAuth2Handler,
  console: createConsoleHandler,
}
