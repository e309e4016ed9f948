/**
 * Tollgate's typed client: `new TollgateClient({ baseUrl, accessToken })`.
 * Named re-exports only; the modules behind them are internal.
 */

export type {
  AccessToken,
  AccessTokenWithSecret,
  AuditEvent,
  ConsoleConfig,
  DevLoginResponse,
  ExchangeRequest,
  ExchangeResponse,
  ListQuery,
  ServiceAccount,
  TollgateClientOptions,
  Whoami,
} from './client.js'
export { ROUTE_METHODS, TollgateClient } from './client.js'
export type { ApiErrorCode, ClientErrorCode } from './errors.js'
export {
  TollgateApiError,
  TollgateClientError,
  TollgateNetworkError,
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
