import { describe, expect, it } from 'vitest'
import type { TollgateClaims } from '../../../functions/core/claims.js'
import { TollgateError } from '../../../functions/core/errors.js'
import {
  CLOCK_SKEW_SECONDS,
  createJwtVerifier,
  KEY_REFRESH_INTERVAL_MS,
} from '../../../functions/core/jwt-verifier.js'
import type { KeySet } from '../../../functions/core/ports.js'
import type { VerificationKey } from '../../../functions/core/verification-keys.js'
import { createVerifiedTokenCache } from '../../../functions/core/verified-tokens.js'
import { fixedClock } from '../../support/fakes.js'
import {
  AUDIENCE,
  countingKeySet,
  encodeSegment,
  ISSUER,
  makeTestKey,
  NOW,
  NOW_SECONDS,
  signRaw,
  signWithJose,
  tollgateClaims,
} from '../../support/jwt-attacks.js'

/**
 * The authorizer's verified-token cache (docs/design.md#authorizer; issue 12): a
 * repeated JWT skips decoding and the signature, and each rule that keeps
 * that safe is attacked here with a JWT the cache has already answered, and
 * must be refused as the verifier would refuse it.
 */

const KEYS_REFRESH_MS = 300_000
const CAPACITY = 8

const setup = (keySet?: KeySet) => {
  const key = makeTestKey('RS256')
  const clock = fixedClock(NOW)
  const counting = countingKeySet([key.jwk])
  const verifier = createJwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    alg: 'RS256',
    maxJwtDurationSeconds: 43_200,
    keySet: keySet ?? counting.keySet,
    clock,
    keysRefreshMs: KEYS_REFRESH_MS,
    verifiedTokens: CAPACITY,
  })
  const stats = () => {
    const read = verifier.verifiedTokenStats
    if (read === undefined) throw new Error('the verifier has no verified-token cache')
    return read()
  }
  return { key, clock, counting, verifier, stats }
}

/** Verifies `jwt` until the cache answers it: it is kept on its second full verification. */
const cached = async (setupResult: ReturnType<typeof setup>, jwt: string) => {
  const { verifier, stats } = setupResult
  await verifier.verify(jwt)
  await verifier.verify(jwt)
  const hits = stats().hits
  const claims = await verifier.verify(jwt)
  expect(stats().hits).toBe(hits + 1)
  return claims
}

/** Verifies each JWT twice in a row: enough to keep it. */
const keepAll = async (setupResult: ReturnType<typeof setup>, jwts: readonly string[]) => {
  for (const jwt of jwts) {
    await setupResult.verifier.verify(jwt)
    await setupResult.verifier.verify(jwt)
  }
}

const expectInvalid = async (promise: Promise<unknown>, because?: RegExp) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TollgateError)
  expect(error).toMatchObject({ code: 'invalid_token' })
  if (because !== undefined) expect((error as Error).message).toMatch(because)
}

describe('createJwtVerifier with a verified-token cache', () => {
  it('answers a JWT verified twice from memory, with the same claims', async () => {
    const s = setup()
    const claims = tollgateClaims()
    const jwt = await signWithJose(s.key, claims)

    expect(await cached(s, jwt)).toEqual(claims)
    expect(s.stats()).toMatchObject({ size: 1, admitted: 1 })
  })

  it('keeps nothing for a JWT seen once, nor for a refused one', async () => {
    const s = setup()
    await s.verifier.verify(await signWithJose(s.key))
    const expired = await signWithJose(s.key, tollgateClaims({ exp: NOW_SECONDS - 61 }))
    for (let i = 0; i < 3; i++) await expectInvalid(s.verifier.verify(expired))

    expect(s.stats()).toMatchObject({ size: 0, admitted: 0, hits: 0 })
  })

  describe('rule: the key is the exact JWT string', () => {
    it('refuses another payload under a cached JWT’s signature (same lookup suffix)', async () => {
      const s = setup()
      const jwt = await signWithJose(s.key)
      await cached(s, jwt)
      const [header, , signature] = jwt.split('.')
      const forged = `${header}.${encodeSegment(tollgateClaims({ sub: 'sa_admin', scope: '*' }))}.${signature}`

      await expectInvalid(s.verifier.verify(forged), /signature/)
    })

    it('refuses a cached JWT with one character more or less', async () => {
      const s = setup()
      const jwt = await signWithJose(s.key)
      await cached(s, jwt)

      await expectInvalid(s.verifier.verify(`${jwt}A`))
      await expectInvalid(s.verifier.verify(`x${jwt}`))
      await expectInvalid(s.verifier.verify(jwt.slice(1)))
      await expect(s.verifier.verify(jwt)).resolves.toBeDefined()
    })
  })

  it('rule: bounded, the oldest JWT dropped first', async () => {
    const s = setup()
    const jwts = await Promise.all(Array.from({ length: CAPACITY + 3 }, () => signWithJose(s.key)))
    await keepAll(s, jwts)
    expect(s.stats()).toMatchObject({ size: CAPACITY, admitted: CAPACITY + 3 })

    const hits = s.stats().hits
    await s.verifier.verify(jwts.at(-1) ?? '')
    expect(s.stats().hits).toBe(hits + 1)
    await s.verifier.verify(jwts[0] ?? '')
    expect(s.stats().hits).toBe(hits + 1)
  })

  describe('rule: never past exp (+ skew), nor before nbf (− skew), as the verifier', () => {
    it('serves a cached JWT until the last instant the verifier would, then refuses it', async () => {
      const s = setup()
      const jwt = await signWithJose(s.key, tollgateClaims({ exp: NOW_SECONDS + 300 }))
      await cached(s, jwt)

      s.clock.advance((300 + CLOCK_SKEW_SECONDS) * 1000 - 1)
      await expect(s.verifier.verify(jwt)).resolves.toBeDefined()
      s.clock.advance(1)
      await expectInvalid(s.verifier.verify(jwt), /expired/)
      expect(s.stats().size).toBe(0)
    })

    it('refuses a cached JWT when the clock steps back before nbf minus the skew', async () => {
      const key = makeTestKey('RS256')
      const clock = fixedClock(NOW)
      let now = NOW
      const verifier = createJwtVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        alg: 'RS256',
        maxJwtDurationSeconds: 43_200,
        keySet: { publicKeys: async () => [key.jwk] },
        clock: { now: () => now },
        keysRefreshMs: KEYS_REFRESH_MS,
        verifiedTokens: CAPACITY,
      })
      const jwt = await signWithJose(key, tollgateClaims())
      for (let i = 0; i < 3; i++) await verifier.verify(jwt)
      expect(verifier.verifiedTokenStats?.().hits).toBe(1)

      now = clock.now() - (CLOCK_SKEW_SECONDS * 1000 + 1)
      await expectInvalid(verifier.verify(jwt), /not valid yet/)
    })
  })

  describe('rule: only while the key that checked it is still ours', () => {
    it('refuses a cached JWT once the key set, re-read when due, has withdrawn its key', async () => {
      const s = setup()
      const next = makeTestKey('RS256', 'next')
      const jwt = await signWithJose(s.key, tollgateClaims({ exp: NOW_SECONDS + 3_600 }))
      await cached(s, jwt)

      s.counting.replace([next.jwk])
      s.clock.advance(KEYS_REFRESH_MS - 1)
      await expect(s.verifier.verify(jwt)).resolves.toBeDefined()
      s.clock.advance(1)
      await expectInvalid(s.verifier.verify(jwt), /known key/)
      expect(s.counting.calls()).toBe(2)
    })

    it('drops every JWT of a withdrawn key at the reload that withdrew it', async () => {
      const s = setup()
      const next = makeTestKey('RS256', 'next')
      const jwts = await Promise.all(
        [1, 2, 3].map(() => signWithJose(s.key, tollgateClaims({ exp: NOW_SECONDS + 3_600 }))),
      )
      await keepAll(s, jwts)
      expect(s.stats().size).toBe(3)

      s.counting.replace([next.jwk])
      s.clock.advance(KEYS_REFRESH_MS)
      await s.verifier.verify(
        await signWithJose(next, tollgateClaims({ exp: NOW_SECONDS + 3_600 })),
      )

      expect(s.stats().size).toBe(0)
    })

    it('refuses a cached JWT when its kid now names other key material', async () => {
      const s = setup()
      const impostor = makeTestKey('RS256', s.key.kid)
      const jwt = await signWithJose(s.key, tollgateClaims({ exp: NOW_SECONDS + 3_600 }))
      await cached(s, jwt)

      s.counting.replace([impostor.jwk])
      s.clock.advance(KEYS_REFRESH_MS)
      await expectInvalid(s.verifier.verify(jwt), /signature/)
    })

    it('keeps its JWTs across a reload that keeps their key', async () => {
      const s = setup()
      const jwt = await signWithJose(s.key, tollgateClaims({ exp: NOW_SECONDS + 3_600 }))
      await cached(s, jwt)

      s.clock.advance(KEYS_REFRESH_MS)
      await s.verifier.verify(jwt)
      expect(s.counting.calls()).toBe(2)
      const hits = s.stats().hits
      await s.verifier.verify(jwt)
      expect(s.stats().hits).toBe(hits + 1)
    })

    it('does not answer from memory while the key set cannot be re-read past its grace', async () => {
      let down = false
      const key = makeTestKey('RS256')
      const s = setup({
        publicKeys: async () => {
          if (down) throw new TollgateError('unavailable', 'key store down')
          return [key.jwk]
        },
      })
      const jwt = await signWithJose(key, tollgateClaims({ exp: NOW_SECONDS + 3_600 }))
      await cached(s, jwt)
      down = true

      s.clock.advance(2 * KEYS_REFRESH_MS)
      await expect(s.verifier.verify(jwt)).rejects.toMatchObject({ code: 'unavailable' })
    })
  })

  it('hands out frozen claims: one caller cannot change what the next one is told', async () => {
    const s = setup()
    const jwt = await signWithJose(s.key, tollgateClaims({ scope: 'datasets:read' }))
    const claims = await cached(s, jwt)

    expect(() => {
      ;(claims as { scope: string }).scope = '*'
    }).toThrow(TypeError)
    expect(() => (claims.roles as string[]).push('admin')).toThrow(TypeError)
    expect(await s.verifier.verify(jwt)).toMatchObject({
      scope: 'datasets:read',
      roles: ['reader', 'auditor'],
    })
  })

  it('refuses an unsigned look-alike of a cached JWT (alg none, same payload)', async () => {
    const s = setup()
    const claims = tollgateClaims()
    const jwt = signRaw(s.key, { alg: 'RS256', kid: s.key.kid, typ: 'at+jwt' }, claims)
    await cached(s, jwt)
    const [, payload, signature] = jwt.split('.')

    await expectInvalid(
      s.verifier.verify(`${encodeSegment({ alg: 'none', typ: 'at+jwt' })}.${payload}.${signature}`),
    )
  })

  it('reloads on an unknown kid no more often with the cache than without', async () => {
    const s = setup()
    await cached(s, await signWithJose(s.key))
    const stranger = makeTestKey('RS256', 'stranger')
    for (let i = 0; i < 5; i++) await expectInvalid(s.verifier.verify(await signWithJose(stranger)))
    expect(s.counting.calls()).toBe(1)
    s.clock.advance(KEY_REFRESH_INTERVAL_MS)
    await expectInvalid(s.verifier.verify(await signWithJose(stranger)))
    expect(s.counting.calls()).toBe(2)
  })
})

describe('createVerifiedTokenCache', () => {
  const key = {} as VerificationKey
  const claimsOf = (exp: number): TollgateClaims =>
    tollgateClaims({ exp, iat: NOW_SECONDS, nbf: NOW_SECONDS }) as unknown as TollgateClaims

  it('admits only JWTs verified twice within the last `capacity` misses', () => {
    const clock = fixedClock(NOW)
    const cache = createVerifiedTokenCache({ capacity: 4, clock, skewSeconds: 60 })
    const jwts = Array.from({ length: 9 }, (_, i) => `${'x'.repeat(70)}${i}${'y'.repeat(20)}${i}`)
    const verify = (jwt: string) => {
      if (cache.find(jwt, () => key) === undefined) {
        cache.remember(jwt, claimsOf(NOW_SECONDS + 300), 'k', key)
      }
    }
    // Nine distinct JWTs in turn: each comes round after nine misses, more than 2 × 4.
    for (let round = 0; round < 5; round++) for (const jwt of jwts) verify(jwt)
    expect(cache.stats()).toMatchObject({ size: 0, admitted: 0, hits: 0 })

    // Two of them in turn: the second sighting is within the window, then every call hits.
    for (let round = 0; round < 5; round++) for (const jwt of jwts.slice(0, 2)) verify(jwt)
    expect(cache.stats()).toMatchObject({ size: 2, admitted: 2, hits: 6 })
  })

  it('never holds more than `capacity` JWTs, whatever is dropped early', () => {
    const clock = fixedClock(NOW)
    const capacity = 5
    const cache = createVerifiedTokenCache({ capacity, clock, skewSeconds: 60 })
    for (let i = 0; i < 200; i++) {
      const jwt = `${'x'.repeat(80)}${i % 9}${'z'.repeat(10)}${i % 9}`
      const exp = NOW_SECONDS + (i % 3 === 0 ? -120 : 300)
      if (cache.find(jwt, () => key) === undefined) cache.remember(jwt, claimsOf(exp), 'k', key)
      expect(cache.stats().size).toBeLessThanOrEqual(capacity)
    }
  })
})
