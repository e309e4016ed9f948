import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { calculateJwkThumbprint } from 'jose'
import { describe, expect, it } from 'vitest'
import { jwkThumbprint } from '../../../functions/core/jwk-thumbprint.js'
import {
  generateSigningKey,
  parseSigningKeySet,
  privateKeyOf,
  publicJwkOf,
  type SigningKeySet,
  serializeSigningKeySet,
} from '../../../functions/core/signing-keys.js'
import { errorOf } from '../../support/errors.js'

const T = Date.UTC(2026, 0, 1)

// RSA key generation is slow; one set serves every case.
const SET: SigningKeySet = {
  current: generateSigningKey('RS256', T),
  previous: { ...generateSigningKey('RS256', T - 1), supersededAt: T },
  next: generateSigningKey('ES256', T + 1),
  updatedAt: T,
}
const keySet = (): SigningKeySet => SET

describe('Function: parseSigningKeySet', () => {
  it('reads back what serializeSigningKeySet wrote', () => {
    // Prepare
    const set = keySet()

    // Act
    const parsed = parseSigningKeySet(serializeSigningKeySet(set))

    // Assess
    expect(parsed).toEqual(set)
  })

  it('keeps only the JWK members of each key type', () => {
    // Prepare
    const set = keySet()
    const json = JSON.parse(serializeSigningKeySet(set))
    json.current.x5u = 'https://attacker.example/keys'
    json.current.note = 'whatever'

    // Act
    const parsed = parseSigningKeySet(JSON.stringify(json))

    // Assess
    expect(Object.keys(parsed.current.privateJwk).sort()).toEqual(
      ['d', 'dp', 'dq', 'e', 'kty', 'n', 'p', 'q', 'qi'].sort(),
    )
  })

  const mutations: Array<[string, (json: Record<string, Record<string, unknown>>) => unknown]> = [
    ['invalid JSON', () => '{"current":'],
    ['no current key', (json) => ({ ...json, current: undefined })],
    ['a kid that is not the thumbprint', (json) => set(json, 'current', 'kid', 'my-key')],
    ['an alg that does not fit the key', (json) => set(json, 'current', 'alg', 'ES256')],
    ['an unknown alg', (json) => set(json, 'current', 'alg', 'HS256')],
    ['a missing private member', (json) => set(json, 'current', 'd', undefined)],
    ['a damaged modulus', (json) => set(json, 'current', 'n', 'AAAA')],
    ['a previous key without superseded_at', (json) => set(json, 'previous', 'superseded_at')],
    ['a published_at that is not a time', (json) => set(json, 'next', 'published_at', '2026')],
    ['one key twice', (json) => ({ ...json, next: json.current })],
    ['no updated_at', (json) => ({ ...json, updated_at: undefined })],
  ]

  it.each(mutations)('refuses %s, naming no value', (_, mutate) => {
    // Prepare
    const text = serializeSigningKeySet(keySet())
    const mutated = mutate(JSON.parse(text))
    const input = typeof mutated === 'string' ? mutated : JSON.stringify(mutated)

    // Act
    const error = errorOf(() => parseSigningKeySet(input))

    // Assess
    expect(error.code).toBe('internal')
    expect(error.message).toBe('The signing-key secret does not hold a valid key set.')
  })

  it('refuses an RSA key under 2048 bits', () => {
    // Prepare
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>
    const current = { ...jwk, kid: jwkThumbprint(jwk), alg: 'RS256' }

    // Act
    const error = errorOf(() =>
      parseSigningKeySet(
        JSON.stringify({ current: { ...current, published_at: T }, updated_at: T }),
      ),
    )

    // Assess
    expect(error.code).toBe('internal')
  })
})

/** Sets (or, without a value, deletes) one member of one key. */
function set(
  json: Record<string, Record<string, unknown>>,
  key: string,
  member: string,
  value?: unknown,
) {
  const copy = { ...json[key] }
  if (value === undefined) delete copy[member]
  else copy[member] = value
  return { ...json, [key]: copy }
}

describe('Function: publicJwkOf', () => {
  it.each(['RS256', 'ES256'] as const)('publishes only the public %s members', (alg) => {
    // Prepare
    const key = generateSigningKey(alg, T)

    // Act
    const jwk = publicJwkOf(key)

    // Assess
    expect(Object.keys(jwk).sort()).toEqual(
      (alg === 'RS256'
        ? ['alg', 'e', 'kid', 'kty', 'n', 'use']
        : ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']
      ).sort(),
    )
    expect(jwk).toMatchObject({ alg, kid: key.kid, use: 'sig' })
  })
})

describe('Function: jwkThumbprint', () => {
  it.each(['RS256', 'ES256'] as const)('agrees with jose for %s keys', async (alg) => {
    // Prepare
    const jwk = publicJwkOf(generateSigningKey(alg, T))

    // Act and assess
    expect(jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk))
  })
})

describe('Function: generateSigningKey', () => {
  it.each(['RS256', 'ES256'] as const)('makes a %s key whose kid is its thumbprint', (alg) => {
    // Prepare
    const key = generateSigningKey(alg, T)
    const message = Buffer.from('probe')

    // Act
    const signature = sign('sha256', message, privateKeyOf(key))

    // Assess
    expect(key.kid).toBe(jwkThumbprint(publicJwkOf(key)))
    expect(key.publishedAt).toBe(T)
    expect(verify('sha256', message, { key: publicJwkOf(key), format: 'jwk' }, signature)).toBe(
      true,
    )
  })
})
