import { describe, expect, it } from 'vitest'
import { cachedValue } from '../../../functions/core/cached-value.js'
import { fixedClock } from '../../support/fakes.js'

const counter = () => {
  let calls = 0
  return {
    load: async () => {
      calls++
      return calls
    },
    calls: () => calls,
  }
}

describe('Function: cachedValue', () => {
  it('loads once and serves the value until the TTL has passed', async () => {
    // Prepare
    const clock = fixedClock()
    const source = counter()
    const cache = cachedValue({ load: source.load, ttlMs: 1_000, clock })

    // Act and assess
    expect(await cache.get()).toBe(1)
    clock.advance(999)
    expect(await cache.get()).toBe(1)
    clock.advance(1)
    expect(await cache.get()).toBe(2)
  })

  it('shares one load between concurrent callers', async () => {
    // Prepare
    const source = counter()
    const cache = cachedValue({ load: source.load, ttlMs: 1_000, clock: fixedClock() })

    // Act
    const values = await Promise.all([cache.get(), cache.get(), cache.refresh()])

    // Assess
    expect(values).toEqual([1, 1, 1])
    expect(source.calls()).toBe(1)
  })

  it('does not cache a failure, and never serves the old value through one', async () => {
    // Prepare
    const clock = fixedClock()
    let fail = false
    let calls = 0
    const cache = cachedValue({
      load: async () => {
        calls++
        if (fail) throw new Error('down')
        return calls
      },
      ttlMs: 1_000,
      clock,
    })
    await cache.get()
    clock.advance(1_000)
    fail = true

    // Act and assess
    await expect(cache.get()).rejects.toThrow('down')
    fail = false
    expect(await cache.get()).toBe(3)
  })

  it('measures the age from the start of the load', async () => {
    // Prepare: the load takes 600 ms of (fake) time.
    const clock = fixedClock()
    let calls = 0
    const cache = cachedValue({
      load: async () => {
        calls++
        clock.advance(600)
        return calls
      },
      ttlMs: 1_000,
      clock,
    })
    await cache.get()

    // Act
    clock.advance(400)

    // Assess
    expect(await cache.get()).toBe(2)
  })
})
