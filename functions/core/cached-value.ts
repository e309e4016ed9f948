import type { Clock } from './ports.js'

export interface CachedValue<T> {
  /** The cached value while fresh; otherwise loads it (shared with any load in flight). */
  get(): Promise<T>
  /** Loads now, whatever the age (shared with any load in flight). */
  refresh(): Promise<T>
}

export interface CachedValueOptions<T> {
  readonly load: () => Promise<T>
  readonly ttlMs: number
  readonly clock: Clock
}

/**
 * One value loaded on demand and kept for `ttlMs`, measured from when its load
 * started (so the age never understates how old the data can be). Concurrent
 * callers share one load; a failed load is not cached, so the next call tries
 * again, and an outage never serves an older copy as if it were fresh.
 *
 * @example
 * const keys = cachedValue({ load: readKeys, ttlMs: 300_000, clock: systemClock })
 * const jwks = await keys.get()
 */
export const cachedValue = <T>(options: CachedValueOptions<T>): CachedValue<T> => {
  let held: { readonly value: T; readonly loadedAt: number } | undefined
  let loading: Promise<T> | undefined

  const refresh = (): Promise<T> => {
    loading ??= (async () => {
      const startedAt = options.clock.now()
      try {
        const value = await options.load()
        held = { value, loadedAt: startedAt }
        return value
      } finally {
        loading = undefined
      }
    })()
    return loading
  }

  return {
    get: async () =>
      held !== undefined && options.clock.now() - held.loadedAt < options.ttlMs
        ? held.value
        : refresh(),
    refresh,
  }
}
