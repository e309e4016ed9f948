import { generateKeyPairSync } from 'node:crypto'
import { jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { TollgateError } from '../../../functions/core/errors.js'
import { MAX_JWT_LENGTH } from '../../../functions/core/input-lengths.js'
import {
  CLOCK_SKEW_SECONDS,
  createJwtVerifier,
  KEY_REFRESH_INTERVAL_MS,
} from '../../../functions/core/jwt-verifier.js'
import type { KeySet } from '../../../functions/core/ports.js'
import { fixedClock } from '../../support/fakes.js'
import {
  type Alg,
  AUDIENCE,
  attackTokens,
  countingKeySet,
  ISSUER,
  makeTestKey,
  NOW,
  NOW_SECONDS,
  signRaw,
  signWithJose,
  type TestKey,
  tollgateClaims,
} from '../../support/jwt-attacks.js'

const MAX_DURATION = 43_200

const KEYS_REFRESH_MS = 300_000

const setup = (alg: Alg, keySet?: KeySet) => {
  const skipped: Array<[number, string]> = []
  const key = makeTestKey(alg)
  const clock = fixedClock(NOW)
  const counting = countingKeySet([key.jwk])
  const verifier = createJwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    alg,
    maxJwtDurationSeconds: MAX_DURATION,
    keySet: keySet ?? counting.keySet,
    clock,
    keysRefreshMs: KEYS_REFRESH_MS,
    onSkippedKey: (index, reason) => skipped.push([index, reason]),
  })
  return { key, clock, verifier, counting, skipped }
}

const expectInvalid = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(TollgateError)
  expect(error).toMatchObject({ code: 'invalid_token' })
  return error as TollgateError
}

const joseAccepts = (key: TestKey, jwt: string) =>
  jwtVerify(jwt, key.publicKey, {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: [key.alg],
    typ: 'at+jwt',
    currentDate: new Date(NOW),
    clockTolerance: CLOCK_SKEW_SECONDS,
  })

describe.each(['RS256', 'ES256'] as const)('createJwtVerifier (%s)', (alg) => {
  const { key, verifier, clock } = setup(alg)

  describe('valid tokens', () => {
    it('returns the claims of a JWT signed by our key, which jose also accepts', async () => {
      const claims = tollgateClaims()
      const jwt = await signWithJose(key, claims)

      const verified = await verifier.verify(jwt)

      expect(verified).toEqual(claims)
      await expect(joseAccepts(key, jwt)).resolves.toBeDefined()
    })

    it('accepts an aud list that contains our audience', async () => {
      const jwt = await signWithJose(key, tollgateClaims({ aud: ['other', AUDIENCE] }))
      await expect(verifier.verify(jwt)).resolves.toMatchObject({ aud: AUDIENCE })
    })

    it('accepts typ in lower case (media types are case-insensitive)', async () => {
      const jwt = signRaw(key, { alg, kid: key.kid, typ: 'AT+JWT' }, tollgateClaims())
      await expect(verifier.verify(jwt)).resolves.toMatchObject({ sub: 'sa_reader' })
    })

    it('accepts typ application/at+jwt (RFC 9068 §4)', async () => {
      const jwt = signRaw(key, { alg, kid: key.kid, typ: 'application/at+jwt' }, tollgateClaims())
      await expect(verifier.verify(jwt)).resolves.toMatchObject({ sub: 'sa_reader' })
    })

    it('accepts a federated JWT: a trust policy and an actor instead of an access token', async () => {
      const claims = tollgateClaims({
        token_type: 'federated',
        client_id: 'tp_1',
        atid: undefined,
        atv: undefined,
        tpid: 'tp_1',
        ptv: 2,
        act: {
          iss: 'https://token.actions.githubusercontent.com',
          sub: 'repo:acme/api:ref:refs/heads/main',
        },
        roles: [],
      })
      await expect(
        verifier.verify(signRaw(key, { alg, kid: key.kid, typ: 'at+jwt' }, claims)),
      ).resolves.toMatchObject({
        token_type: 'federated',
        tpid: 'tp_1',
        ptv: 2,
        act: {
          iss: 'https://token.actions.githubusercontent.com',
          sub: 'repo:acme/api:ref:refs/heads/main',
        },
      })
    })

    it('forgives up to 60 s of clock skew on exp, nbf and iat', async () => {
      const almostExpired = await signWithJose(
        key,
        tollgateClaims({
          iat: NOW_SECONDS - 359,
          nbf: NOW_SECONDS - 359,
          exp: NOW_SECONDS - 59,
        }),
      )
      const early = await signWithJose(
        key,
        tollgateClaims({ iat: NOW_SECONDS + 60, nbf: NOW_SECONDS + 60, exp: NOW_SECONDS + 360 }),
      )
      await expect(verifier.verify(almostExpired)).resolves.toBeDefined()
      await expect(verifier.verify(early)).resolves.toBeDefined()
    })

    it('accepts the longest lifetime the exchange may mint', async () => {
      const jwt = await signWithJose(key, tollgateClaims({ exp: NOW_SECONDS + MAX_DURATION }))
      await expect(verifier.verify(jwt)).resolves.toBeDefined()
    })

    it('refuses a JWT once the clock passes exp plus the skew', async () => {
      const jwt = await signWithJose(key, tollgateClaims())
      const local = setup(alg, { publicKeys: async () => [key.jwk] })
      local.clock.advance((300 + CLOCK_SKEW_SECONDS) * 1000)
      await expectInvalid(local.verifier.verify(jwt))
      expect(clock.now()).toBe(NOW)
    })
  })

  describe('the RFC 8725 / OWASP attack list', () => {
    it.each(attackTokens(key).map((a) => [a.name, a.token, a.because] as const))(
      'refuses: %s',
      async (_name, token, because) => {
        const error = await expectInvalid(verifier.verify(token))
        expect(error.message).toMatch(because)
        expect(error.message).not.toContain(token.slice(0, 20) || '\u0000')
      },
    )
  })
})

describe('createJwtVerifier, configured for ES256', () => {
  it('refuses the all-zero "psychic signature" even for a valid header and payload', async () => {
    const { key, verifier } = setup('ES256')
    const [h, p] = (await signWithJose(key)).split('.')
    await expectInvalid(verifier.verify(`${h}.${p}.${Buffer.alloc(64).toString('base64url')}`))
  })

  it('refuses a valid RS256 JWT signed by a key we also publish', async () => {
    const es = makeTestKey('ES256', 'es')
    const rs = makeTestKey('RS256', 'rs')
    const verifier = createJwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      alg: 'ES256',
      maxJwtDurationSeconds: MAX_DURATION,
      keySet: { publicKeys: async () => [es.jwk, rs.jwk] },
      clock: fixedClock(NOW),
      keysRefreshMs: KEYS_REFRESH_MS,
    })
    await expectInvalid(verifier.verify(await signWithJose(rs)))
    await expect(verifier.verify(await signWithJose(es))).resolves.toBeDefined()
  })
})

describe('createJwtVerifier size limits', () => {
  it(`refuses anything over ${MAX_JWT_LENGTH} characters before decoding`, async () => {
    const { verifier } = setup('RS256')
    const error = await expectInvalid(verifier.verify('a'.repeat(MAX_JWT_LENGTH + 1)))
    expect(error.message).toMatch(/too long/)
  })

  it('refuses a header segment over 1 KiB before decoding', async () => {
    const { verifier } = setup('RS256')
    const error = await expectInvalid(verifier.verify(`${'e'.repeat(1025)}.e30.e30`))
    expect(error.message).toMatch(/header is too long/)
  })
})

describe('createJwtVerifier key loading', () => {
  it('reads the key set once, on first use', async () => {
    const { key, verifier, counting } = setup('RS256')
    expect(counting.calls()).toBe(0)

    for (let i = 0; i < 3; i++) await verifier.verify(await signWithJose(key))

    expect(counting.calls()).toBe(1)
  })

  it('reloads on an unknown kid at most once a minute, then accepts a newly published key', async () => {
    const { key, verifier, counting, clock } = setup('RS256')
    const next = makeTestKey('RS256', 'next-key')
    await verifier.verify(await signWithJose(key))
    expect(counting.calls()).toBe(1)

    // Within the minute: unknown kids do not reach the key set, however many.
    for (let i = 0; i < 5; i++) await expectInvalid(verifier.verify(await signWithJose(next)))
    expect(counting.calls()).toBe(1)

    // A minute later one reload happens; the key is still unknown, and the next try waits again.
    clock.advance(KEY_REFRESH_INTERVAL_MS)
    await expectInvalid(verifier.verify(await signWithJose(next)))
    expect(counting.calls()).toBe(2)
    await expectInvalid(verifier.verify(await signWithJose(next)))
    expect(counting.calls()).toBe(2)

    // Rotation: the next key is published; after the interval it is picked up.
    counting.replace([key.jwk, next.jwk])
    clock.advance(KEY_REFRESH_INTERVAL_MS - 1)
    await expectInvalid(verifier.verify(await signWithJose(next)))
    expect(counting.calls()).toBe(2)
    clock.advance(1)
    await expect(verifier.verify(await signWithJose(next))).resolves.toBeDefined()
    expect(counting.calls()).toBe(3)
    await expect(verifier.verify(await signWithJose(key))).resolves.toBeDefined()
    expect(counting.calls()).toBe(3)
  })

  it('shares one reload between concurrent calls', async () => {
    const { key, verifier, counting } = setup('RS256')
    const jwt = await signWithJose(key)
    await Promise.all(Array.from({ length: 10 }, () => verifier.verify(jwt)))
    expect(counting.calls()).toBe(1)
  })

  it('retries a failed first load on the next call, and the failure is not invalid_token', async () => {
    const key = makeTestKey('RS256')
    let fail = true
    const { verifier } = setup('RS256', {
      publicKeys: async () => {
        if (fail) throw new Error('key source down')
        return [key.jwk]
      },
    })
    const jwt = await signWithJose(key)
    await expect(verifier.verify(jwt)).rejects.toThrow('key source down')
    fail = false
    await expect(verifier.verify(jwt)).resolves.toBeDefined()
  })

  it('ignores keys published for another algorithm, whatever their kid', async () => {
    const es = makeTestKey('ES256', 'shared-kid')
    const { verifier } = setup('RS256', { publicKeys: async () => [es.jwk] })
    await expectInvalid(verifier.verify(await signWithJose(es)))
  })

  it('skips a malformed key or two keys sharing a kid, and keeps the rest usable', async () => {
    const a = makeTestKey('RS256', 'same')
    const b = makeTestKey('RS256', 'same')
    const good = makeTestKey('RS256', 'good')
    // A 1024-bit RSA key: too weak to be one of ours.
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey
    const weak = { ...small.export({ format: 'jwk' }), kid: 'weak', alg: 'RS256', use: 'sig' }
    const garbage = { kty: 'RSA', kid: 'garbage', alg: 'RS256', use: 'sig', n: '!!', e: 'AQAB' }
    const { verifier, skipped } = setup('RS256', {
      publicKeys: async () => [
        a.jwk,
        weak as typeof a.jwk,
        b.jwk,
        garbage as typeof a.jwk,
        good.jwk,
      ],
    })

    await expect(verifier.verify(await signWithJose(good))).resolves.toBeDefined()
    await expectInvalid(verifier.verify(await signWithJose(a)))
    expect(skipped.map(([index]) => index)).toEqual([1, 2, 3])
  })

  it('re-reads the key set when its copy is due, so a withdrawn key stops working', async () => {
    const next = makeTestKey('RS256', 'next')
    const { key, verifier, counting, clock } = setup('RS256')
    await verifier.verify(await signWithJose(key))

    counting.replace([next.jwk])
    clock.advance(KEYS_REFRESH_MS - 1)
    await expect(
      verifier.verify(await signWithJose(key, tollgateClaims({ exp: NOW_SECONDS + 10_000 }))),
    ).resolves.toBeDefined()
    clock.advance(1)

    await expectInvalid(
      verifier.verify(await signWithJose(key, tollgateClaims({ exp: NOW_SECONDS + 10_000 }))),
    )
    expect(counting.calls()).toBe(2)
  })

  it('keeps verifying with a recent copy through a short key-store outage, then fails', async () => {
    let down = false
    const key = makeTestKey('RS256')
    const { verifier, clock } = setup('RS256', {
      publicKeys: async () => {
        if (down) throw new TollgateError('unavailable', 'key store down')
        return [key.jwk]
      },
    })
    const jwt = (at: number) =>
      signWithJose(key, tollgateClaims({ iat: at, nbf: at, exp: at + 300 }))
    await verifier.verify(await jwt(NOW_SECONDS))
    down = true

    clock.advance(KEYS_REFRESH_MS)
    await expect(
      verifier.verify(await jwt(NOW_SECONDS + KEYS_REFRESH_MS / 1000)),
    ).resolves.toBeDefined()
    clock.advance(KEYS_REFRESH_MS)
    await expect(
      verifier.verify(await jwt(NOW_SECONDS + (2 * KEYS_REFRESH_MS) / 1000)),
    ).rejects.toMatchObject({
      code: 'unavailable',
    })
  })
})
