import { Logger } from '@aws-lambda-powertools/logger'

/**
 * The one logger. Events are never logged whole (they carry tokens); log
 * `atid`, `token_hint`, `code` and `request_id` instead.
 */
export const logger = new Logger({ serviceName: 'tollgate' })

/** A failed `last_used_at` write is worth a warning, never a failed request. */
export const logUseNotRecorded = (tokenId: string, error: unknown): void => {
  logger.warn('last_used_at not recorded', { atid: tokenId, error })
}

/** A malformed key in our own key set is skipped, never fatal for the rest (docs/design.md#keys). */
export const logSkippedKey = (index: number, reason: string): void => {
  logger.warn('public key skipped', { index, reason })
}

/** Key management's structured lines (steps, kids, outcomes), at INFO. */
export const logInfo = (message: string, fields: Readonly<Record<string, unknown>>): void => {
  logger.info(message, { ...fields })
}
