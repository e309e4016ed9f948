/** How the client retries a call the server could not serve right now. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 4; 1 turns retries off). */
  readonly maxAttempts?: number
  /** First backoff step in ms (default 200); each retry doubles it, with full jitter. */
  readonly baseDelayMs?: number
  /**
   * Longest single wait in ms (default 10 000). A `Retry-After` asking for
   * more is not waited out: the call fails at once with the 503.
   */
  readonly maxDelayMs?: number
}

export interface RetryPolicy {
  readonly maxAttempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export const retryPolicy = (options: RetryOptions = {}): RetryPolicy => {
  const policy = {
    maxAttempts: options.maxAttempts ?? 4,
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 10_000,
  }
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < (name === 'maxAttempts' ? 1 : 0)) {
      throw new TypeError(`retry.${name} must be a non-negative integer (maxAttempts ≥ 1)`)
    }
  }
  return policy
}

/**
 * The wait before the next attempt, after `attemptsMade` attempts: the server's
 * `Retry-After` when it sent one, else exponential backoff with full jitter
 * (a random wait up to base·2^(attemptsMade-1), capped), so that clients turned
 * away together do not come back together. `undefined`: do not retry.
 */
export const retryDelay = (
  policy: RetryPolicy,
  attemptsMade: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number | undefined => {
  if (attemptsMade >= policy.maxAttempts) return undefined
  if (retryAfterMs !== undefined) {
    return retryAfterMs <= policy.maxDelayMs ? retryAfterMs : undefined
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptsMade - 1))
  return Math.floor(random() * ceiling)
}

/**
 * `Retry-After` in ms (RFC 9110 §10.2.3): delay-seconds or an HTTP-date;
 * `undefined` when absent or unreadable.
 */
export const parseRetryAfter = (value: string | null, now: number): number | undefined => {
  if (value === null) return undefined
  const text = value.trim()
  if (/^[0-9]{1,9}$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined
  return Math.max(0, date - now)
}
