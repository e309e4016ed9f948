import { randomUUID } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { generateAccessToken } from '../../../../functions/core/access-token.js'
import { encodeBase62 } from '../../../../functions/core/base62.js'
import { parseConfig } from '../../../../functions/core/config.js'
import { ownerTag } from '../../../../functions/core/owners.js'
import type { OwnerRecord } from '../../../../functions/core/records.js'
import { TOLLGATE_SCOPES } from '../../../../functions/core/routes.js'
import { hashAccessToken } from '../../../../functions/core/token-hash.js'
import { bootstrapAdmin } from '../../../../functions/core/use-cases/bootstrap-admin.js'
import {
  DEFAULT_JWT_DURATION_SECONDS,
  type ExchangeRequest,
  exchangeToken,
} from '../../../../functions/core/use-cases/exchange-token.js'
import { rejectionOf } from '../../../support/errors.js'
import {
  anyTokenId,
  fixedClock,
  fixedSecrets,
  MemoryStore,
  testSigner,
} from '../../../support/fakes.js'
import { seedToken as seed } from '../../../support/seed.js'

const config = parseConfig({})
const rs256 = testSigner('RS256')
const es256 = testSigner('ES256')
const pepper = Buffer.alloc(32, 7)
const HOUR_MS = 3_600_000

const setup = (signer = rs256) => {
  const store = new MemoryStore()
  const clock = fixedClock()
  const secrets = fixedSecrets(pepper)
  const deps = { store, clock, secrets, signer: signer.signer, config }
  const exchange = (request: ExchangeRequest) => exchangeToken(deps, request)

  /** Stores a token record as the create-token use case would, and returns its secret. */
  const seedToken = (overrides: Parameters<typeof seed>[2] = {}) =>
    seed(store, { pepper, now: clock.now() }, overrides)

  return { store, clock, secrets, deps, exchange, seedToken }
}

const verify = (jwt: string, now: number, signer = rs256) =>
  jwtVerify(jwt, signer.publicKey, {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: [signer.signer.alg],
    currentDate: new Date(now),
  })

/** The same id and secret under the other prefix, with a checksum that passes. */
const withOtherPrefix = (value: string): string => {
  const body = `${value.startsWith('tgs_') ? 'tgp_' : 'tgs_'}${value.slice(4, -6)}`
  return body + encodeBase62(BigInt(crc32(Buffer.from(body, 'ascii'))), 6)
}

describe('exchangeToken', () => {
  describe('success', () => {
    it('mints a JWT that jose verifies, with the claims of the design', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup()
      const { secret, record } = seedToken()

      // Act
      const result = await exchange({ accessToken: secret })

      // Assess
      const { payload, protectedHeader } = await verify(result.jwt, clock.now())
      const iat = Math.floor(clock.now() / 1000)
      expect(protectedHeader).toEqual({ alg: 'RS256', kid: 'test-RS256', typ: 'at+jwt' })
      expect(payload).toEqual({
        iss: 'http://127.0.0.1:3000',
        sub: 'sa_1',
        aud: 'tollgate',
        scope: 'datasets:read datasets:write tokens:read',
        roles: ['reader'],
        token_type: 'service',
        is_bot: true,
        client_id: record.id,
        atid: record.id,
        atv: 1,
        otv: 1,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        iat,
        nbf: iat,
        exp: iat + DEFAULT_JWT_DURATION_SECONDS,
      })
      expect(result).toEqual({
        jwt: result.jwt,
        claims: payload,
        expiresIn: 300,
        expiresAt: (iat + 300) * 1000,
        scope: 'datasets:read datasets:write tokens:read',
      })
    })

    it('mints a fresh jti for every JWT', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup()
      const { secret } = seedToken()

      // Act
      const first = await exchange({ accessToken: secret })
      const second = await exchange({ accessToken: secret })

      // Assess
      const a = await verify(first.jwt, clock.now())
      const b = await verify(second.jwt, clock.now())
      expect(a.payload.jti).not.toBe(b.payload.jti)
    })

    it('marks a JWT from a personal token as a person', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup()
      const { secret } = seedToken({ kind: 'personal' })

      // Act
      const result = await exchange({ accessToken: secret })

      // Assess
      const { payload } = await verify(result.jwt, clock.now())
      expect(secret.startsWith('tgp_')).toBe(true)
      expect(payload).toMatchObject({
        sub: 'user:dev:alice',
        token_type: 'personal',
        is_bot: false,
      })
    })

    it.each([60, 301, 3600, 43_200])(
      'honours a duration of %i seconds exactly',
      async (duration) => {
        // Prepare
        const { exchange, seedToken, clock } = setup()
        const { secret } = seedToken()

        // Act
        const result = await exchange({ accessToken: secret, durationSeconds: duration })

        // Assess
        const { payload } = await verify(result.jwt, clock.now())
        expect(result.expiresIn).toBe(duration)
        expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(duration)
      },
    )

    it('allows the longest JWT for a token that never expires', async () => {
      // Prepare
      const { exchange, seedToken } = setup()
      const { secret } = seedToken({ expiresAt: null })

      // Act
      const result = await exchange({ accessToken: secret, durationSeconds: 43_200 })

      // Assess
      expect(result.expiresIn).toBe(43_200)
    })

    it('narrows scope to the requested subset', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup()
      const { secret } = seedToken()

      // Act
      const result = await exchange({ accessToken: secret, scope: 'tokens:read  datasets:read' })

      // Assess
      const { payload } = await verify(result.jwt, clock.now())
      expect(payload.scope).toBe('tokens:read datasets:read')
      expect(result.scope).toBe('tokens:read datasets:read')
    })

    it('signs with ES256 when that is the configured algorithm', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup(es256)
      const { secret } = seedToken()

      // Act
      const result = await exchange({ accessToken: secret })

      // Assess
      expect(decodeProtectedHeader(result.jwt)).toEqual({
        alg: 'ES256',
        kid: 'test-ES256',
        typ: 'at+jwt',
      })
      const { payload } = await verify(result.jwt, clock.now(), es256)
      expect(payload.aud).toBe('tollgate')
      await expect(verify(result.jwt, clock.now(), rs256)).rejects.toThrow()
    })

    it('exchanges the token minted by bootstrap', async () => {
      // Prepare
      const { deps, exchange, clock } = setup()
      const admin = await bootstrapAdmin(deps, { name: 'admin', asFirstAdmin: true })

      // Act
      const result = await exchange({ accessToken: admin.secret })

      // Assess
      const { payload } = await verify(result.jwt, clock.now())
      expect(payload).toMatchObject({
        sub: admin.account.id,
        roles: ['admin'],
        scope: [...TOLLGATE_SCOPES, 'tollgate:admin'].join(' '),
        atid: admin.token.id,
      })
    })
  })

  describe('duration_seconds', () => {
    it.each([
      ['59', 59],
      ['0', 0],
      ['negative', -300],
      ['max + 1', 43_201],
      ['fractional', 1.5],
      ['fractional in range', 300.5],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
    ])('rejects %s as invalid_request', async (_name, durationSeconds) => {
      // Prepare
      const { exchange, seedToken } = setup()
      const { secret } = seedToken({ expiresAt: null })

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret, durationSeconds }))

      // Assess
      expect(error.code).toBe('invalid_request')
    })

    it('follows a lower configured maximum', async () => {
      // Prepare
      const { deps, seedToken } = setup()
      const { secret } = seedToken()
      const strict = { ...deps, config: { ...config, maxJwtDurationSeconds: 600 } }

      // Act
      const error = await rejectionOf(
        exchangeToken(strict, { accessToken: secret, durationSeconds: 601 }),
      )

      // Assess
      expect(error.code).toBe('invalid_request')
    })

    it('refuses a duration beyond the token remaining life instead of clamping it', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup()
      const { secret } = seedToken({ expiresAt: clock.now() + 1000 * 1000 })

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret, durationSeconds: 1001 }))
      const result = await exchange({ accessToken: secret, durationSeconds: 1000 })

      // Assess
      expect(error.code).toBe('invalid_request')
      expect(result.expiresIn).toBe(1000)
    })

    it('refuses the default duration when the token has less than that left', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup()
      const { secret } = seedToken({ expiresAt: clock.now() + 299_999 })

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret }))

      // Assess
      expect(error.code).toBe('invalid_request')
    })

    it('says how long the token may still ask for, in words and as max_duration_seconds', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup()
      const { secret } = seedToken({ expiresAt: clock.now() + 240_500 })

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret }))

      // Assess
      expect(error.message).toMatch(/remaining life \(240 s\): ask for 240 or less\.$/)
      expect(error.extensions).toEqual({ max_duration_seconds: 240 })
    })

    it('says plainly when not even the shortest JWT fits the token’s remaining life', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup()
      const { secret } = seedToken({ expiresAt: clock.now() + 42_000 })

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret, durationSeconds: 60 }))

      // Assess
      expect(error.code).toBe('invalid_request')
      expect(error.message).toBe(
        'The access token expires in 42 s, sooner than the shortest JWT (60 s): use a new access token.',
      )
      expect(error.extensions).toEqual({ max_duration_seconds: 42 })
    })

    it('names a JWT sent as the access token, without quoting it', async () => {
      // Prepare
      const { exchange } = setup()
      const jwt = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYV8xIn0.${'s'.repeat(43)}`

      // Act
      const error = await rejectionOf(exchange({ accessToken: jwt }))

      // Assess
      expect(error.code).toBe('invalid_token')
      expect(error.message).toMatch(/^A JWT was sent where an access token belongs\. Exchange /)
      expect(error.message).toContain('Authorization: Bearer <jwt>')
      expect(error.message).not.toContain('eyJ')
    })

    it('checks the duration before reading the store', async () => {
      // Prepare
      const { exchange, seedToken, store } = setup()
      const { secret } = seedToken()
      const getToken = vi.spyOn(store, 'getTokenWithOwner')

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret, durationSeconds: 59 }))

      // Assess
      expect(error.code).toBe('invalid_request')
      expect(getToken).not.toHaveBeenCalled()
    })
  })

  describe('scope', () => {
    it('refuses a scope the token lacks with insufficient_scope', async () => {
      // Prepare
      const { exchange, seedToken } = setup()
      const { secret } = seedToken()

      // Act
      const error = await rejectionOf(
        exchange({ accessToken: secret, scope: 'datasets:read admin' }),
      )

      // Assess
      expect(error.code).toBe('insufficient_scope')
    })

    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['malformed', 'datasets:"read"'],
    ])('rejects a %s scope string as invalid_request', async (_name, scope) => {
      // Prepare
      const { exchange, seedToken } = setup()
      const { secret } = seedToken()

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret, scope }))

      // Assess
      expect(error.code).toBe('invalid_request')
    })
  })

  describe('invalid tokens', () => {
    it('refuses a revoked token', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup()
      const { secret } = seedToken({
        status: 'revoked',
        revokedAt: clock.now(),
        revokedBy: 'admin',
      })

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret }))

      // Assess
      expect(error.code).toBe('invalid_token')
    })

    it('refuses a token once it has expired', async () => {
      // Prepare
      const { exchange, seedToken, clock } = setup()
      const { secret } = seedToken({ expiresAt: clock.now() + HOUR_MS })
      await exchange({ accessToken: secret })

      // Act
      clock.advance(HOUR_MS)
      const error = await rejectionOf(exchange({ accessToken: secret, durationSeconds: 60 }))

      // Assess
      expect(error.code).toBe('invalid_token')
    })

    it('refuses another secret under the right id', async () => {
      // Prepare
      const { exchange, seedToken } = setup()
      const { record } = seedToken()
      const forged = generateAccessToken('service', record.id).value

      // Act
      const error = await rejectionOf(exchange({ accessToken: forged }))

      // Assess
      expect(error.code).toBe('invalid_token')
    })

    it('refuses a token presented under the other prefix', async () => {
      // Prepare
      const { exchange, seedToken } = setup()
      const service = seedToken({ kind: 'service' })
      const personal = seedToken({ kind: 'personal' })

      // Act
      const errors = await Promise.all([
        rejectionOf(exchange({ accessToken: withOtherPrefix(service.secret) })),
        rejectionOf(exchange({ accessToken: withOtherPrefix(personal.secret) })),
      ])

      // Assess
      expect(errors.map((e) => e.code)).toEqual(['invalid_token', 'invalid_token'])
    })

    it('refuses a record whose kind differs from the prefix even when the hash matches', async () => {
      // Prepare
      const { exchange, seedToken } = setup()
      const { secret, record } = seedToken({ kind: 'service' })
      seedToken({ ...record, kind: 'personal', owner: { type: 'user', id: 'user:dev:alice' } })

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret }))

      // Assess
      expect(error.code).toBe('invalid_token')
    })

    it('refuses a well-formed token with an unknown id', async () => {
      // Prepare
      const { exchange } = setup()

      // Act
      const error = await rejectionOf(
        exchange({ accessToken: generateAccessToken('service', anyTokenId()).value }),
      )

      // Assess
      expect(error.code).toBe('invalid_token')
    })

    it('refuses a token hashed under another pepper', async () => {
      // Prepare
      const { exchange, seedToken } = setup()
      const { secret, record } = seedToken()
      seedToken({ ...record, secretHash: hashAccessToken(Buffer.alloc(32, 9), secret) })

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret }))

      // Assess
      expect(error.code).toBe('invalid_token')
    })

    it.each([
      ['garbage', 'not-a-token'],
      ['a number', 42],
      ['undefined', undefined],
      ['a UUID', randomUUID()],
    ])('refuses %s before any read', async (_name, accessToken) => {
      // Prepare
      const { exchange, store } = setup()
      const getToken = vi.spyOn(store, 'getTokenWithOwner')

      // Act
      const error = await rejectionOf(exchange({ accessToken }))

      // Assess
      expect(error.code).toBe('invalid_token')
      expect(getToken).not.toHaveBeenCalled()
    })

    it('never puts the presented token in the error', async () => {
      // Prepare
      const { exchange, seedToken } = setup()
      const { record } = seedToken()
      const forged = generateAccessToken('service', record.id).value

      // Act
      const error = await rejectionOf(exchange({ accessToken: forged }))

      // Assess
      expect(error.message).not.toContain(forged)
      expect(error.message).not.toContain(record.id)
    })
  })

  describe('owner item', () => {
    const ownerOf = (store: MemoryStore, id = 'sa_1') =>
      store.owners.get(ownerTag(id)) as OwnerRecord

    it('refuses a token its owner no longer lists (every token of the owner revoked)', async () => {
      // Prepare
      const { exchange, seedToken, store } = setup()
      const { secret } = seedToken()
      store.owners.set(ownerTag('sa_1'), { ...ownerOf(store), tokens: [], otv: 2 })

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret }))

      // Assess
      expect(error.code).toBe('invalid_token')
      expect(error.message).toContain('revoked')
    })

    it('refuses every token of a deleted service account', async () => {
      // Prepare
      const { exchange, seedToken, store } = setup()
      const { secret } = seedToken()
      store.owners.set(ownerTag('sa_1'), { ...ownerOf(store), status: 'deleted' })

      // Act
      const error = await rejectionOf(exchange({ accessToken: secret }))

      // Assess
      expect(error.code).toBe('invalid_token')
    })

    it('refuses a token whose owner item is missing', async () => {
      // Prepare
      const { exchange, seedToken, store } = setup()
      const { secret } = seedToken()
      store.owners.clear()

      // Act and assess
      expect((await rejectionOf(exchange({ accessToken: secret }))).code).toBe('invalid_token')
    })

    it('grants the token within the account ceiling after the account was narrowed', async () => {
      // Prepare
      const { exchange, seedToken, store, clock } = setup()
      const { secret } = seedToken({ roles: ['reader', 'writer'] })
      store.owners.set(ownerTag('sa_1'), {
        ...ownerOf(store),
        ceiling: { roles: ['reader'], scopes: ['datasets:read'] },
        otv: 4,
      })

      // Act
      const result = await exchange({ accessToken: secret })
      const beyond = await rejectionOf(exchange({ accessToken: secret, scope: 'datasets:write' }))

      // Assess
      const { payload } = await verify(result.jwt, clock.now())
      expect(payload).toMatchObject({ scope: 'datasets:read', roles: ['reader'], otv: 4 })
      expect(beyond.code).toBe('insufficient_scope')
    })

    it("carries the token's generation and its owner's in atv and otv", async () => {
      // Prepare
      const { exchange, seedToken, store, clock } = setup()
      const { secret } = seedToken({ generation: 7 })
      store.owners.set(ownerTag('sa_1'), { ...ownerOf(store), otv: 3 })

      // Act
      const { jwt } = await exchange({ accessToken: secret })

      // Assess
      expect((await verify(jwt, clock.now())).payload).toMatchObject({ atv: 7, otv: 3 })
    })

    it('refuses a token hashed with a pepper version no longer held', async () => {
      // Prepare
      const { exchange, seedToken } = setup()
      const { secret } = seedToken({ pepperVersion: '0' })

      // Act and assess
      expect((await rejectionOf(exchange({ accessToken: secret }))).code).toBe('invalid_token')
    })
  })

  describe('last_used_at', () => {
    let context: ReturnType<typeof setup>
    let secret: string
    let id: string

    beforeEach(() => {
      context = setup()
      const seeded = context.seedToken({ expiresAt: null })
      secret = seeded.secret
      id = seeded.record.id
    })

    it('is written on the first exchange', async () => {
      // Act
      await context.exchange({ accessToken: secret })

      // Assess
      expect(context.store.uses).toEqual([{ id, at: context.clock.now() }])
      expect(context.store.tokens.get(id)?.lastUsedAt).toBe(context.clock.now())
    })

    it('is not written again within a minute', async () => {
      // Prepare
      const first = context.clock.now()
      await context.exchange({ accessToken: secret })

      // Act
      context.clock.advance(59_999)
      await context.exchange({ accessToken: secret })
      await context.exchange({ accessToken: secret })

      // Assess
      expect(context.store.uses).toEqual([{ id, at: first }])
    })

    it('is written again once a minute has passed', async () => {
      // Prepare
      const first = context.clock.now()
      await context.exchange({ accessToken: secret })

      // Act
      context.clock.advance(60_000)
      await context.exchange({ accessToken: secret })

      // Assess
      expect(context.store.uses).toEqual([
        { id, at: first },
        { id, at: first + 60_000 },
      ])
    })

    it('is not written by a refused exchange', async () => {
      // Act
      await rejectionOf(context.exchange({ accessToken: secret, scope: 'admin' }))

      // Assess
      expect(context.store.uses).toEqual([])
    })
  })
})

describe('exchangeToken, when last_used_at cannot be written', () => {
  it('still mints the JWT and reports the failed write', async () => {
    const { store, deps, seedToken } = setup()
    const { secret, record } = seedToken()
    const notRecorded = vi.fn()
    vi.spyOn(store, 'recordTokenUse').mockRejectedValue(new Error('throttled write'))

    const result = await exchangeToken(
      { ...deps, onUseNotRecorded: notRecorded },
      { accessToken: secret },
    )

    expect(result.jwt.split('.')).toHaveLength(3)
    expect(notRecorded).toHaveBeenCalledWith(record.id, expect.any(Error))
  })
})
