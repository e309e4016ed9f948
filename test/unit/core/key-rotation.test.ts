import { describe, expect, it } from 'vitest'
import {
  promotableAt,
  type RotationContext,
  type RotationTiming,
  retirableAt,
  rotateKeySet,
} from '../../../functions/core/key-rotation.js'
import {
  generateSigningKey,
  type SigningKey,
  type SigningKeySet,
} from '../../../functions/core/signing-keys.js'

const SECOND = 1000
const HOUR = 3600 * SECOND
const T0 = Date.UTC(2026, 0, 1)

const timing: RotationTiming = {
  keysCacheTtlSeconds: 300,
  signingKeysCacheTtlSeconds: 300,
  maxJwtDurationSeconds: 43_200,
  authorizerCacheTtlSeconds: 10,
  stepWindowSeconds: 600,
}
/** 2 h + KEYS_CACHE_TTL. */
const PROMOTE_WAIT = (7200 + 300) * SECOND
/** Secret cache + MAX_JWT_DURATION + 60 s skew + KEYS_CACHE_TTL + AUTHORIZER_CACHE_TTL. */
const RETIRE_WAIT = (300 + 43_200 + 60 + 300 + 10) * SECOND
const WINDOW = 600 * SECOND

/** Real P-256 keys (cheap), labelled so assertions can say which is which. */
const keys = new Map<string, SigningKey>()
const key = (label: string, publishedAt: number, supersededAt?: number): SigningKey => {
  const made = { ...generateSigningKey('ES256', publishedAt), supersededAt }
  keys.set(made.kid, made)
  labels.set(made.kid, label)
  return made
}
const labels = new Map<string, string>()
const labelOf = (k: SigningKey | undefined) => (k === undefined ? undefined : labels.get(k.kid))

const context = (now: number): RotationContext => ({
  now,
  timing,
  alg: 'ES256',
  generateKey: (_alg, publishedAt) => key(`fresh@${publishedAt - T0}`, publishedAt),
})

const shape = (set: SigningKeySet) => ({
  current: labelOf(set.current),
  previous: labelOf(set.previous),
  next: labelOf(set.next),
})

describe('Function: promotableAt and retirableAt', () => {
  it('wait 2 h + KEYS_CACHE_TTL after publication', () => {
    expect(promotableAt(key('n', T0), timing)).toBe(T0 + PROMOTE_WAIT)
  })

  it('never wait less than twice the key cache TTL, even when it exceeds 2 h', () => {
    expect(promotableAt(key('n', T0), { ...timing, keysCacheTtlSeconds: 10_000 })).toBe(
      T0 + 20_000 * SECOND,
    )
  })

  it('wait the longest JWT, the skew and every cache TTL after a key stopped signing', () => {
    expect(retirableAt(key('p', 0, T0), timing)).toBe(T0 + RETIRE_WAIT)
  })
})

describe('Function: rotateKeySet', () => {
  it('creates a next key first, stamped at the end of the step window', () => {
    // Prepare
    const set = { current: key('A', T0), updatedAt: T0 }

    // Act
    const { step, keySet } = rotateKeySet(set, context(T0 + HOUR))

    // Assess
    expect(step).toBe('create-next')
    expect(keySet.current).toBe(set.current)
    expect(keySet.next?.publishedAt).toBe(T0 + HOUR + WINDOW)
    expect(keySet.updatedAt).toBe(T0 + HOUR)
  })

  it('does nothing while next is too recently published, and says until when', () => {
    // Prepare
    const set = { current: key('A', T0), next: key('B', T0), updatedAt: T0 }
    const now = T0 + PROMOTE_WAIT - 1

    // Act
    const { step, reason, keySet } = rotateKeySet(set, context(now))

    // Assess
    expect(step).toBe('none')
    expect(reason).toContain(new Date(T0 + PROMOTE_WAIT).toISOString())
    expect(shape(keySet)).toEqual(shape(set))
    expect(keySet.next).toBe(set.next)
  })

  it('promotes next → current → previous, with a fresh next, once next is published long enough', () => {
    // Prepare
    const set = { current: key('A', T0), next: key('B', T0), updatedAt: T0 }
    const now = T0 + PROMOTE_WAIT

    // Act
    const { step, keySet } = rotateKeySet(set, context(now))

    // Assess
    expect(step).toBe('promote')
    expect(shape(keySet)).toEqual({
      current: 'B',
      previous: 'A',
      next: `fresh@${now + WINDOW - T0}`,
    })
    expect(keySet.previous?.supersededAt).toBe(now + WINDOW)
    expect(keySet.current.supersededAt).toBeUndefined()
  })

  it('waits for previous to be retirable before promoting over it', () => {
    // Prepare
    const set = {
      current: key('B', T0),
      previous: key('A', 0, T0),
      next: key('C', T0),
      updatedAt: T0,
    }
    const now = T0 + RETIRE_WAIT - 1

    // Act
    const { step, reason } = rotateKeySet(set, context(now))

    // Assess
    expect(step).toBe('none')
    expect(reason).toContain(new Date(T0 + RETIRE_WAIT).toISOString())
  })

  it('promotes over a retirable previous in one step', () => {
    // Prepare
    const set = {
      current: key('B', T0),
      previous: key('A', 0, T0),
      next: key('C', T0),
      updatedAt: T0,
    }

    // Act
    const { step, reason, keySet } = rotateKeySet(set, context(T0 + RETIRE_WAIT))

    // Assess
    expect(step).toBe('promote')
    expect(reason).toContain('retired')
    expect(shape(keySet)).toMatchObject({ current: 'C', previous: 'B' })
  })

  it('retires previous alone when next may not sign yet', () => {
    // Prepare: next was (re)created recently, previous long superseded.
    const set = {
      current: key('B', T0),
      previous: key('A', 0, T0),
      next: key('C', T0 + RETIRE_WAIT - HOUR),
      updatedAt: T0,
    }

    // Act
    const { step, keySet } = rotateKeySet(set, context(T0 + RETIRE_WAIT))

    // Assess
    expect(step).toBe('retire-previous')
    expect(shape(keySet)).toEqual({ current: 'B', previous: undefined, next: 'C' })
  })

  it('walks a daily schedule: every key is published ≥ 2 h before signing and kept until its JWTs expire', () => {
    // Prepare: keys init at T0 seeds current and next, both published at once.
    let set: SigningKeySet = { current: key('K0', T0), next: key('K1', T0), updatedAt: T0 }
    const signedUntil = new Map<string, number>()
    const signingSince = new Map<string, number>([[set.current.kid, T0]])
    const steps: string[] = []

    for (let day = 0; day <= 6; day++) {
      // An early manual rotation right after each scheduled one changes nothing.
      for (const now of [
        T0 + day * 24 * HOUR + 5 * 60 * SECOND,
        T0 + day * 24 * HOUR + 10 * 60 * SECOND,
      ]) {
        // Act
        const before = set
        const decision = rotateKeySet(set, context(now))
        set = decision.keySet
        steps.push(decision.step)

        // Assess: publication before signing, retirement after every JWT expired.
        if (set.current.kid !== before.current.kid) {
          expect(now).toBeGreaterThanOrEqual(before.next?.publishedAt ?? Infinity)
          expect(now - (before.next?.publishedAt ?? 0)).toBeGreaterThanOrEqual(PROMOTE_WAIT)
          signedUntil.set(before.current.kid, now + WINDOW + 300 * SECOND)
          signingSince.set(set.current.kid, now)
        }
        for (const gone of [before.current, before.previous, before.next]) {
          if (
            gone === undefined ||
            [set.current, set.previous, set.next].some((k) => k?.kid === gone.kid)
          )
            continue
          const lastJwtExpiry = (signedUntil.get(gone.kid) ?? Infinity) + (43_200 + 60) * SECOND
          expect(now).toBeGreaterThanOrEqual(lastJwtExpiry)
        }
      }
    }
    expect(steps).toEqual([
      'none',
      'none', // day 0: next published minutes ago
      'promote',
      'none', // day 1
      'promote',
      'none', // day 2: previous superseded a day ago is retired on the way
      'promote',
      'none',
      'promote',
      'none',
      'promote',
      'none',
      'promote',
      'none',
    ])
  })
})
