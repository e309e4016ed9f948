/**
 * Tollgate's typed client: `new TollgateClient({ baseUrl, accessToken })`.
 * Named re-exports only; the modules behind them are internal.
 */

export type {
  AccessToken,
  AccessTokenWithSecret,
  AuditEvent,
  ClientCredentialsRequest,
  ConsoleConfig,
  DevLoginResponse,
  ExchangeRequest,
  ExchangeResponse,
  FederationRequest,
  ListQuery,
  OAuthTokenResponse,
  ServiceAccount,
  TollgateClientOptions,
  TrustPolicy,
  TrustPolicySimulation,
  Whoami,
} from './client.js'
export { ROUTE_METHODS, TollgateClient } from './client.js'
export type { ApiErrorCode, ClientErrorCode } from './errors.js'
export {
  TollgateApiError,
  TollgateClientError,
  TollgateNetworkError,
  TollgateOAuthError,
  TollgateResponseError,
} from './errors.js'
export type { RetryOptions } from './retry.js'
export type {
  Answer,
  CallInput,
  IfMatch,
  Page,
  RouteAnswer,
  RouteBody,
  RouteKey,
  RouteParams,
  RouteQuery,
} from './routes.js'
