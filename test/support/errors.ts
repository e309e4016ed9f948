import { TollgateError } from '../../functions/core/errors.js'

/** The TollgateError `act` throws; anything else (or nothing) fails the test. */
export const errorOf = (act: () => unknown): TollgateError => {
  try {
    act()
  } catch (error) {
    if (error instanceof TollgateError) return error
    throw error
  }
  throw new Error('expected a TollgateError')
}

/** The TollgateError `promise` rejects with; anything else (or success) fails the test. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<TollgateError> => {
  try {
    await promise
  } catch (error) {
    if (error instanceof TollgateError) return error
    throw error
  }
  throw new Error('expected a TollgateError')
}
