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
