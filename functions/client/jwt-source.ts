import { TollgateApiError } from './errors.js'

/** What the exchange gives when asked for nothing, and its shortest JWT (DESIGN "JWT exchange"). */
export const DEFAULT_JWT_DURATION_SECONDS = 300
const MIN_JWT_DURATION_SECONDS = 60
/** Asked for below the remaining life the server reported, so a second later it still fits. */
const LIFE_MARGIN_SECONDS = 5

/** A JWT obtained by an exchange, and how long it lives in seconds. */
export interface ExchangedJwt {
  readonly jwt: string
  readonly expiresIn: number
}

/** Where the client's `Authorization: Bearer` JWT comes from. */
export interface JwtSource {
  /** A JWT good for at least the refresh margin. */
  get(): Promise<string>
  /**
   * The server refused `jwt` (401): forget it if it is still the cached one,
   * so the next `get` exchanges again. Returns whether a retry may help.
   */
  invalidate(jwt: string): boolean
}

/** A JWT the caller obtained elsewhere (a person's, say): used as is, never refreshed. */
export const fixedJwtSource = (jwt: string): JwtSource => ({
  get: () => Promise.resolve(jwt),
  invalidate: () => false,
})

/**
 * JWTs from exchanging an access token, cached until `refreshBeforeMs`
 * before they expire (at most half their life, so a short JWT is not
 * refreshed on every call). Single flight: callers that need a new JWT
 * while an exchange is running wait for that one instead of starting their
 * own. A failed exchange is not cached; the next call tries again.
 */
export const exchangedJwtSource = (options: {
  readonly exchange: () => Promise<ExchangedJwt>
  readonly refreshBeforeMs: number
  readonly now: () => number
}): JwtSource => {
  let cached: { readonly jwt: string; readonly refreshAt: number } | undefined
  let inFlight: Promise<string> | undefined

  const refresh = async (): Promise<string> => {
    // The local clock measures the lifetime, so client/server clock skew does not matter.
    const startedAt = options.now()
    const { jwt, expiresIn } = await options.exchange()
    const lifetimeMs = expiresIn * 1000
    cached = {
      jwt,
      refreshAt: startedAt + lifetimeMs - Math.min(options.refreshBeforeMs, lifetimeMs / 2),
    }
    return jwt
  }

  return {
    get: () => {
      if (cached !== undefined && options.now() < cached.refreshAt) {
        return Promise.resolve(cached.jwt)
      }
      inFlight ??= refresh().finally(() => {
        inFlight = undefined
      })
      return inFlight
    },
    invalidate: (jwt) => {
      if (cached?.jwt === jwt) cached = undefined
      return true
    },
  }
}

/**
 * Exchanges for the duration the caller chose, if any: a refusal is then
 * theirs to read. Otherwise for the default (300 s), or, when the access
 * token has less life left than that, for what it has left, as the refusal's
 * `max_duration_seconds` says: the server never clamps, so without this a
 * token five minutes from expiry would fail on a `duration_seconds` nobody
 * chose. When not even the shortest JWT (60 s) fits, the server's refusal
 * says so and is thrown as is.
 *
 * @example
 * const answer = await exchangeWithinLife((duration_seconds) => client.exchange({ access_token, duration_seconds }), undefined)
 */
export const exchangeWithinLife = async <T>(
  exchange: (durationSeconds: number) => Promise<T>,
  chosenSeconds: number | undefined,
): Promise<T> => {
  if (chosenSeconds !== undefined) return exchange(chosenSeconds)
  try {
    return await exchange(DEFAULT_JWT_DURATION_SECONDS)
  } catch (error) {
    const fits = error instanceof TollgateApiError ? error.maxDurationSeconds : undefined
    if (
      fits === undefined ||
      fits >= DEFAULT_JWT_DURATION_SECONDS ||
      fits < MIN_JWT_DURATION_SECONDS
    ) {
      throw error
    }
    return exchange(Math.max(MIN_JWT_DURATION_SECONDS, fits - LIFE_MARGIN_SECONDS))
  }
}
