import { TollgateError, WriteConflict } from '../errors.js'
import type { UnitOfWork, WriteIntent } from '../ports.js'

const MAX_ATTEMPTS = 16
const BASE_DELAY_MS = 5
const MAX_DELAY_MS = 200

/**
 * Runs a read-decide-commit attempt again when another writer got there
 * first, so a lost version race is never a user-visible error: each attempt
 * re-reads, and only a real conflict (cap, name, stale ETag) is thrown.
 * Bounded, with full-jitter exponential backoff; past the bound it is
 * contention, not a verdict on the request: 503, for the client to retry.
 *
 * @example
 * await retryOnConflict(() => createTokenOnce(deps, request))
 */
export const retryOnConflict = async <T>(attempt: () => Promise<T>): Promise<T> => {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt()
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error
      if (tries >= MAX_ATTEMPTS) {
        throw new TollgateError(
          'unavailable',
          'The resource kept changing while the request ran; try again.',
          { cause: error },
        )
      }
      const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** tries) * Math.random()
      await new Promise((wake) => setTimeout(wake, delay))
    }
  }
}

/**
 * Commits, turning a failed condition that no re-read can cure (a taken
 * name, a table already bootstrapped) into the `conflict` it means. Version
 * races stay `WriteConflict`, for `retryOnConflict` to run again.
 *
 * @example
 * await commitExplained(store, intents, { reserveAccountName: 'That name is taken.' })
 */
export const commitExplained = async (
  store: UnitOfWork,
  intents: readonly WriteIntent[],
  explanations: Partial<Record<WriteIntent['kind'], string>>,
): Promise<void> => {
  try {
    await store.commit(intents)
  } catch (error) {
    const kind = error instanceof WriteConflict ? intents[error.index]?.kind : undefined
    const explanation = kind === undefined ? undefined : explanations[kind]
    if (
      error instanceof WriteConflict &&
      error.reason === 'condition' &&
      explanation !== undefined
    ) {
      throw new TollgateError('conflict', explanation, { cause: error })
    }
    throw error
  }
}
