import { Logger } from '@aws-lambda-powertools/logger'

/**
 * The one logger. Events are never logged whole (they carry tokens); log
 * `atid`, `token_hint`, `code` and `request_id` instead.
 */
export const logger = new Logger({ serviceName: 'tollgate' })
