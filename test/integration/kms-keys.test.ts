import { calculateJwkThumbprint } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { awsJsonClientFor } from '../../functions/adapters/aws-json-client.js'
import { jsonKmsPublicKeyFetcher } from '../../functions/adapters/aws-json-reads.js'
import { createKmsKeySet } from '../../functions/adapters/kms-key-set.js'
import { kmsPublicKeyFetcher } from '../../functions/adapters/kms-public-keys.js'
import { createKmsSigner } from '../../functions/adapters/kms-signer.js'
import type { JwtAlg } from '../../functions/core/ports.js'
import { rejectionOf } from '../support/errors.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'
import type { FakeKeySpec } from '../support/fake-kms.js'
import { fixedClock } from '../support/fakes.js'
import { headerOf, mint, verifyWithAwsJwtVerify, verifyWithJose } from '../support/jwt-checks.js'

const SPEC: Record<JwtAlg, FakeKeySpec> = { RS256: 'RSA_2048', ES256: 'ECC_NIST_P256' }

let aws: FakeAws
beforeAll(async () => {
  aws = await startFakeAws()
})
afterAll(() => aws.close())
beforeEach(() => {
  aws.clearFaults()
  aws.kms.preferSignatures(undefined)
})

/**
 * How the key set reads public keys: with the SDK client, or with the JSON
 * client the authorizer's cold start uses (aws-json-client.ts).
 */
type Via = 'sdk' | 'json'

const setupVia = (
  alg: JwtAlg,
  keyIds: readonly string[],
  clock = fixedClock(Date.now()),
  via: Via = 'sdk',
) => {
  const kms = aws.kmsClient()
  const logs: Array<Record<string, unknown>> = []
  const options = { kms, keyIds, alg, cacheTtlSeconds: 300, clock }
  const json = awsJsonClientFor('kms', aws.endpoint, {}, {})
  if (json === undefined) throw new Error('no JSON client for the fake endpoint')
  return {
    clock,
    logs,
    signer: createKmsSigner(options),
    keySet: createKmsKeySet({
      ...options,
      fetchPublicKey:
        via === 'sdk' ? kmsPublicKeyFetcher(kms, alg) : jsonKmsPublicKeyFetcher(json, alg),
      log: (message, fields) => logs.push({ message, ...fields }),
    }),
  }
}

const setup = (alg: JwtAlg, keyIds: readonly string[]) => setupVia(alg, keyIds)

describe('Function: createKmsSigner', () => {
  it.each(['RS256', 'ES256'] as const)(
    'signs %s JWTs that jose and aws-jwt-verify accept with the key set',
    async (alg) => {
      // Prepare
      const { keyId } = aws.kms.createKey(SPEC[alg])
      const { signer, keySet } = setup(alg, [keyId])

      // Act
      const jwt = await mint(signer)
      const keys = await keySet.publicKeys()

      // Assess
      expect(await verifyWithJose(jwt, keys, alg)).toBe(keys[0]?.kid)
      await verifyWithAwsJwtVerify(jwt, keys)
      expect(headerOf(jwt)).toEqual({ alg, kid: keys[0]?.kid, typ: 'at+jwt' })
    },
  )

  it('names the key by its RFC 7638 thumbprint, never its ARN, and sends KMS only a digest', async () => {
    // Prepare
    const { keyId, arn } = aws.kms.createKey('ECC_NIST_P256')
    aws.kms.createAlias('alias/tollgate-test', keyId)
    const { signer } = setup('ES256', ['alias/tollgate-test'])

    // Act
    const jwt = await mint(signer)

    // Assess
    const jwk = aws.kms.publicKeyOf(keyId).export({ format: 'jwk' })
    expect(headerOf(jwt).kid).toBe(await calculateJwkThumbprint(jwk as never))
    expect(jwt).not.toContain(keyId)
    expect(aws.kms.signRequests.at(-1)).toEqual({
      keyId: arn,
      messageType: 'DIGEST',
      signingAlgorithm: 'ECDSA_SHA_256',
      messageLength: 32,
    })
  })

  const awkward: Array<[string, (der: Buffer) => boolean]> = [
    ['r shorter than 32 bytes', (der) => (der[3] ?? 0) < 32],
    ['s shorter than 32 bytes', (der) => (der[5 + (der[3] ?? 0)] ?? 0) < 32],
    ['r and s with the high bit set (33 bytes in DER)', (der) => der[3] === 33 && der[38] === 33],
    ['r with the high bit set, s without', (der) => der[3] === 33 && (der[38] ?? 0) <= 32],
  ]

  it.each(awkward)('turns a DER signature with %s into a valid JOSE one', async (_, accept) => {
    // Prepare
    const { keyId } = aws.kms.createKey('ECC_NIST_P256')
    const { signer, keySet } = setup('ES256', [keyId])
    aws.kms.preferSignatures(accept)

    // Act
    const jwt = await mint(signer)

    // Assess
    expect(accept(aws.kms.lastSignature ?? Buffer.alloc(0))).toBe(true)
    expect(Buffer.from(jwt.split('.')[2] ?? '', 'base64url')).toHaveLength(64)
    await verifyWithJose(jwt, await keySet.publicKeys(), 'ES256')
  })

  it('reads the signing key once per TTL, and signs with the key it read', async () => {
    // Prepare
    const { keyId } = aws.kms.createKey('RSA_2048')
    const { signer, clock } = setup('RS256', [keyId])
    const before = aws.calls.length

    // Act
    await Promise.all([mint(signer), mint(signer), mint(signer)])
    clock.advance(299_000)
    await mint(signer)
    clock.advance(1_000)
    await mint(signer)

    // Assess
    const calls = aws.calls.slice(before)
    expect(calls.filter((call) => call === 'GetPublicKey')).toHaveLength(2)
    expect(calls.filter((call) => call === 'Sign')).toHaveLength(5)
  })

  it.each([
    ['persistent throttling', { kind: 'throttle' } as const],
    ['a KMS internal error', { kind: 'internal' } as const],
    ['503 ServiceUnavailable', { kind: 'unavailable' } as const],
    [
      'a dependency timeout',
      { kind: 'error', status: 500, type: 'DependencyTimeoutException' } as const,
    ],
    [
      'KMS saying the key is unavailable for now',
      { kind: 'error', status: 500, type: 'KeyUnavailableException' } as const,
    ],
  ])('answers unavailable on %s, never a signature', async (_, fault) => {
    // Prepare
    const { keyId } = aws.kms.createKey('RSA_2048')
    const { signer } = setup('RS256', [keyId])
    aws.inject('Sign', fault, 10)

    // Act
    const error = await rejectionOf(mint(signer))

    // Assess
    expect(error.code).toBe('unavailable')
    expect(error.message).not.toContain('arn:')
  })

  it('answers unavailable when KMS is slower than the client timeout', async () => {
    // Prepare
    const { keyId } = aws.kms.createKey('ECC_NIST_P256')
    const kms = aws.kmsClient({ requestTimeoutMs: 200, maxAttempts: 2 })
    const signer = createKmsSigner({
      kms,
      keyIds: [keyId],
      alg: 'ES256',
      cacheTtlSeconds: 300,
      clock: fixedClock(),
    })
    aws.inject('GetPublicKey', { kind: 'slow', ms: 600 }, 2)

    // Act
    const error = await rejectionOf(mint(signer))

    // Assess
    expect(error.code).toBe('unavailable')
  })

  it('rides out one throttled call with the SDK retry', async () => {
    // Prepare
    const { keyId } = aws.kms.createKey('ECC_NIST_P256')
    const { signer, keySet } = setup('ES256', [keyId])
    aws.inject('Sign', { kind: 'throttle' }, 1)

    // Act
    const jwt = await mint(signer)

    // Assess
    await verifyWithJose(jwt, await keySet.publicKeys(), 'ES256')
  })

  it('says when KMS throttled a Sign beyond the retries, and answers unavailable', async () => {
    // Prepare
    const { keyId } = aws.kms.createKey('ECC_NIST_P256')
    const throttled: string[] = []
    const signer = createKmsSigner({
      kms: aws.kmsClient({ maxAttempts: 1 }),
      keyIds: [keyId],
      alg: 'ES256',
      cacheTtlSeconds: 300,
      clock: fixedClock(),
      onThrottled: (name) => throttled.push(name),
    })
    aws.inject('Sign', { kind: 'throttle' }, 1)

    // Act
    const error = await rejectionOf(mint(signer))

    // Assess
    expect(error.code).toBe('unavailable')
    expect(throttled).toEqual(['ThrottlingException'])
    await mint(signer)
    expect(throttled).toHaveLength(1)
  })

  it.each([
    ['a disabled key', (keyId: string) => aws.kms.setState(keyId, 'Disabled')],
    ['a key pending deletion', (keyId: string) => aws.kms.setState(keyId, 'PendingDeletion')],
    ['a key that does not exist', () => undefined],
    ['a key of the other algorithm', () => undefined],
    [
      'access denied',
      () =>
        aws.inject(
          'GetPublicKey',
          { kind: 'error', status: 400, type: 'AccessDeniedException' },
          5,
        ),
    ],
  ])(
    'answers internal (our misconfiguration, not the caller’s fault) for %s',
    async (name, prepare) => {
      // Prepare
      const { keyId } = aws.kms.createKey(name.includes('other') ? 'ECC_NIST_P256' : 'RSA_2048')
      prepare(keyId)
      const { signer } = setup('RS256', [name.includes('not exist') ? 'alias/missing' : keyId])

      // Act
      const error = await rejectionOf(mint(signer))

      // Assess
      expect(error.code).toBe('internal')
      expect(error.message).not.toContain(keyId)
    },
  )
})

describe.each(['sdk', 'json'] as const)('Function: createKmsKeySet (via %s)', (via) => {
  const setup = (alg: JwtAlg, keyIds: readonly string[]) =>
    setupVia(alg, keyIds, fixedClock(Date.now()), via)

  it('publishes every configured key, skipping and logging the unusable ones', async () => {
    // Prepare
    const good = [aws.kms.createKey('RSA_2048'), aws.kms.createKey('RSA_2048')]
    const disabled = aws.kms.createKey('RSA_2048')
    aws.kms.setState(disabled.keyId, 'Disabled')
    const pending = aws.kms.createKey('RSA_2048')
    aws.kms.setState(pending.keyId, 'PendingDeletion')
    const corrupt = aws.kms.createKey('RSA_2048')
    aws.kms.corruptPublicKey(corrupt.keyId)
    const wrong = ['RSA_3072', 'ECC_NIST_P256', 'SYMMETRIC_DEFAULT'] as const
    const wrongSpecs = wrong.map((spec) => aws.kms.createKey(spec).keyId)
    const keyIds = [
      good[0]?.keyId ?? '',
      disabled.keyId,
      pending.keyId,
      corrupt.keyId,
      'alias/missing',
      ...wrongSpecs,
      good[1]?.arn ?? '',
    ]
    const { keySet, logs } = setup('RS256', keyIds)

    // Act
    const keys = await keySet.publicKeys()

    // Assess
    expect(keys.map((key) => key.kid)).toEqual(
      await Promise.all(
        good.map(({ keyId }) =>
          calculateJwkThumbprint(aws.kms.publicKeyOf(keyId).export({ format: 'jwk' }) as never),
        ),
      ),
    )
    expect(logs.map((log) => log.key_id)).toEqual(keyIds.slice(1, -1))
    expect(logs.map((log) => log.error)).toEqual([
      'DisabledException',
      'KMSInvalidStateException',
      'UnusableKmsKeyError',
      'NotFoundException',
      'UnusableKmsKeyError',
      'UnusableKmsKeyError',
      'UnsupportedOperationException',
    ])
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use'])
    }
  })

  it('lists a key named twice (by alias and by ARN) once', async () => {
    // Prepare
    const { keyId, arn } = aws.kms.createKey('ECC_NIST_P256')
    aws.kms.createAlias('alias/twice', keyId)
    const { keySet } = setup('ES256', ['alias/twice', arn])

    // Act and assess
    expect(await keySet.publicKeys()).toHaveLength(1)
  })

  it('caches for the TTL with one load for concurrent callers', async () => {
    // Prepare
    const ids = [aws.kms.createKey('ECC_NIST_P256').keyId, aws.kms.createKey('ECC_NIST_P256').keyId]
    const { keySet, clock } = setup('ES256', ids)
    const before = aws.calls.length

    // Act
    await Promise.all([keySet.publicKeys(), keySet.publicKeys(), keySet.publicKeys()])
    clock.advance(299_999)
    await keySet.publicKeys()
    clock.advance(1)
    await keySet.publicKeys()

    // Assess
    expect(aws.calls.slice(before)).toEqual(Array(4).fill('GetPublicKey'))
  })

  it('reads again at once on refresh: a re-enabled key is published before the TTL runs out', async () => {
    // Prepare
    const ids = [aws.kms.createKey('ECC_NIST_P256').keyId, aws.kms.createKey('ECC_NIST_P256').keyId]
    aws.kms.setState(ids[1] as string, 'Disabled')
    const { keySet } = setup('ES256', ids)
    expect(await keySet.publicKeys()).toHaveLength(1)
    aws.kms.setState(ids[1] as string, 'Enabled')

    // Act
    const refreshed = await keySet.refresh?.()

    // Assess
    expect(refreshed).toHaveLength(2)
    expect(await keySet.publicKeys()).toHaveLength(2)
  })

  it('fails with unavailable, not a smaller key set, when KMS is down for one key', async () => {
    // Prepare
    const ids = [aws.kms.createKey('ECC_NIST_P256').keyId, aws.kms.createKey('ECC_NIST_P256').keyId]
    const { keySet } = setup('ES256', ids)
    aws.inject('GetPublicKey', { kind: 'throttle' }, 1)
    aws.inject('GetPublicKey', { kind: 'internal' }, 10)

    // Act
    const error = await rejectionOf(keySet.publicKeys())

    // Assess
    expect(error.code).toBe('unavailable')
  })

  it('is internal when no configured key is usable', async () => {
    // Prepare
    const { keyId } = aws.kms.createKey('ECC_NIST_P256')
    aws.kms.setState(keyId, 'Disabled')
    const { keySet } = setup('ES256', [keyId])

    // Act and assess
    expect((await rejectionOf(keySet.publicKeys())).code).toBe('internal')
  })
})
