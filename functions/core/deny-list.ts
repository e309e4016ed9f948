import type { RevocationClaims } from './claims.js'
import { TollgateError } from './errors.js'
import type { Clock } from './ports.js'
import type { DenyEntry } from './records.js'

/** Reads the deny-list entries written since an instant (strongly consistent, no index). */
export interface DenyListReader {
  entriesSince(since: number, until: number): Promise<readonly DenyEntry[]>
}

export interface DenyListOptions {
  readonly reader: DenyListReader
  readonly clock: Clock
  /** REVOCATION_REFRESH_SECONDS: how old the copy may get before an invocation refreshes it. */
  readonly refreshMs: number
  /**
   * REVOCATION_MAX_DELAY_SECONDS − AUTHORIZER_CACHE_TTL_SECONDS: a copy older
   * than this is an outage, never an allow.
   */
  readonly maxAgeMs: number
  /** How far back entries can still matter: the longest JWT plus clock skew. */
  readonly lookbackMs: number
  /** Told when a refresh failed but the copy is still young enough to use. */
  readonly onRefreshFailed?: ((error: unknown) => void) | undefined
  /**
   * Told the copy's age after a check, at most once per `everyMs` and never
   * in the first `everyMs` (a cold start's calls report nothing): a copy
   * older than `refreshMs` means refreshes fail.
   */
  readonly reportAge?: { readonly everyMs: number; readonly report: (ageMs: number) => void }
}

/**
 * Entries committed late (a writer's clock behind, a slow transaction) are
 * still found: each refresh re-reads from its watermark minus this.
 */
export const DENY_LIST_OVERLAP_MS = 120_000

export interface DenyList {
  /** Throws `invalid_token` for a revoked JWT, `unavailable` when the copy cannot be trusted. */
  check(claims: RevocationClaims): Promise<void>
  /**
   * Reads the copy now unless it is fresh, as `check` would (sharing a read
   * in flight): at a cold start, so that the first JWT finds it loaded.
   * Rejects as the read does; `check` then tries again.
   */
  load(): Promise<void>
}

/**
 * The authorizer's copy of the deny-list (docs/design.md#prompt-revocation): JWTs
 * whose `atv` (or a federated JWT's `ptv`, or `otv`) is below an entry's
 * minimum are refused, comparing generations, never clocks; a JWT revoked by
 * its `jti` (RFC 7009) is refused until it expires.
 *
 * Primary course:
 * 1. Nothing is allowed before the first full load of every entry that can
 *    still matter (`lookbackMs`).
 * 2. At the start of an invocation, a copy older than `refreshMs` is
 *    refreshed from its watermark minus two minutes (timers do not run while
 *    Lambda is frozen, so there is no background refresh).
 * 3. A failed refresh keeps the copy while it is younger than `maxAgeMs`;
 *    past that, every check is `unavailable`.
 *
 * @example
 * const denyList = createDenyList({ reader, clock, refreshMs: 10_000, maxAgeMs: 20_000, lookbackMs })
 * await denyList.check(claims)
 */
export const createDenyList = (options: DenyListOptions): DenyList => {
  const byToken = new Map<string, { min: number; expiresAt: number }>()
  const byPolicy = new Map<string, { min: number; expiresAt: number }>()
  const byOwner = new Map<string, { min: number; expiresAt: number }>()
  const byJti = new Map<string, { min: number; expiresAt: number }>()
  let watermark: number | undefined
  let refreshedAt = Number.NEGATIVE_INFINITY
  let refreshing: Promise<void> | undefined
  let nextAgeReport = options.clock.now() + (options.reportAge?.everyMs ?? 0)

  const noteAge = (now: number) => {
    const { reportAge } = options
    if (
      reportAge === undefined ||
      now < nextAgeReport ||
      refreshedAt === Number.NEGATIVE_INFINITY
    ) {
      return
    }
    nextAgeReport = now + reportAge.everyMs
    reportAge.report(Math.max(0, now - refreshedAt))
  }

  const mapAndKeyOf = (
    entry: DenyEntry,
  ): [Map<string, { min: number; expiresAt: number }>, string] => {
    switch (entry.kind) {
      case 'token':
        return [byToken, entry.atid]
      case 'policy':
        return [byPolicy, entry.tpid]
      case 'owner':
        return [byOwner, entry.sub]
      case 'jwt':
        return [byJti, entry.jti]
    }
  }

  const merge = (entries: readonly DenyEntry[], now: number) => {
    for (const entry of entries) {
      if (entry.expiresAt <= now) continue
      const [map, key] = mapAndKeyOf(entry)
      const held = map.get(key)
      map.set(key, {
        min: Math.max(held?.min ?? 0, entry.minGeneration),
        expiresAt: Math.max(held?.expiresAt ?? 0, entry.expiresAt),
      })
    }
    for (const map of [byToken, byPolicy, byOwner, byJti]) {
      for (const [key, held] of map) if (held.expiresAt <= now) map.delete(key)
    }
  }

  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      const startedAt = options.clock.now()
      const since =
        watermark === undefined ? startedAt - options.lookbackMs : watermark - DENY_LIST_OVERLAP_MS
      try {
        merge(await options.reader.entriesSince(since, startedAt), startedAt)
        watermark = startedAt
        refreshedAt = startedAt
      } finally {
        refreshing = undefined
      }
    })()
    return refreshing
  }

  const ensureFresh = async (): Promise<void> => {
    try {
      await refresh()
    } catch (error) {
      // The copy's age when the failed refresh ends, not when the check began: a
      // refresh that hung for seconds must not let a copy past maxAgeMs allow.
      if (watermark === undefined || options.clock.now() - refreshedAt > options.maxAgeMs) {
        throw new TollgateError(
          'unavailable',
          'The deny-list could not be read; refusing to decide.',
          {
            cause: error,
          },
        )
      }
      options.onRefreshFailed?.(error)
    }
  }

  return {
    load: () =>
      options.clock.now() - refreshedAt >= options.refreshMs ? refresh() : Promise.resolve(),
    async check(claims) {
      const now = options.clock.now()
      if (now - refreshedAt >= options.refreshMs) {
        try {
          await ensureFresh()
        } finally {
          noteAge(options.clock.now())
        }
      } else noteAge(now)
      // The access token or trust policy it came from, and that source's generation then.
      const federated = claims.token_type === 'federated'
      const source = federated ? byPolicy.get(claims.tpid) : byToken.get(claims.atid)
      const generation = federated ? claims.ptv : claims.atv
      const owner = byOwner.get(claims.sub)
      if (
        (source !== undefined && generation < source.min) ||
        (owner !== undefined && claims.otv < owner.min) ||
        byJti.has(claims.jti)
      ) {
        throw new TollgateError('invalid_token', 'The JWT has been revoked.')
      }
    },
  }
}
