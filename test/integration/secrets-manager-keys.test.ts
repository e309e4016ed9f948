import { randomUUID, sign } from 'node:crypto'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import {
  createDynamoDbKeySet,
  readPublicKeySet,
  writePublicKeySet,
} from '../../functions/adapters/public-key-set-item.js'
import { createSecret } from '../../functions/adapters/secret-versions.js'
import { createSecretsManagerSigner } from '../../functions/adapters/secrets-manager-keys.js'
import { itemKeys } from '../../functions/adapters/token-table.js'
import { signJwt } from '../../functions/core/jws.js'
import { createJwtVerifier } from '../../functions/core/jwt-verifier.js'
import type { JwtAlg, Signer } from '../../functions/core/ports.js'
import {
  generateSigningKey,
  privateKeyOf,
  publicJwkOf,
  type SigningKey,
  type SigningKeySet,
  serializeSigningKeySet,
  signingKeysOf,
} from '../../functions/core/signing-keys.js'
import { createTestTable } from '../support/dynamodb.js'
import { rejectionOf } from '../support/errors.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'
import { fixedClock } from '../support/fakes.js'
import { AUDIENCE, ISSUER, NOW, tollgateClaims } from '../support/jwt-attacks.js'
import { headerOf, mint, verifyWithAwsJwtVerify, verifyWithJose } from '../support/jwt-checks.js'

/** Signs with a key of the secret, in-process, as a minting instance does. */
const localSigner = (key: SigningKey): Signer => ({
  alg: key.alg,
  sign: async (signingInputFor) => {
    const signingInput = signingInputFor(key.kid)
    return {
      kid: key.kid,
      signingInput,
      signature: sign('sha256', signingInput, privateKeyOf(key)),
    }
  },
})

let aws: FakeAws
let dynamoDb: DynamoDBClient
let tableName: string
beforeAll(async () => {
  aws = await startFakeAws()
  ;({ client: dynamoDb, tableName } = await createTestTable())
})
afterAll(() => aws.close())
beforeEach(() => aws.clearFaults())

const T = Date.now()
const keySetOf = (alg: JwtAlg): SigningKeySet => ({
  current: generateSigningKey(alg, T),
  previous: { ...generateSigningKey(alg, T), supersededAt: T },
  next: generateSigningKey(alg, T),
  updatedAt: T,
})

/** A secret holding `set`, optionally encrypted with a fake CMK. */
const storeSecret = async (text: string, kmsKeyId?: string): Promise<string> => {
  const name = `signing-keys-${randomUUID()}`
  await createSecret(aws.secretsManagerClient(), name, text, kmsKeyId)
  return name
}

const signerFor = (secretId: string, alg: JwtAlg, cacheTtlSeconds = 60) =>
  createSecretsManagerSigner({
    // Two attempts and a short timeout keep the fault cases quick.
    secretsManager: aws.secretsManagerClient({ maxAttempts: 2, requestTimeoutMs: 300 }),
    secretId,
    alg,
    cacheTtlSeconds,
  })

describe('Function: createSecretsManagerSigner', () => {
  it.each(['RS256', 'ES256'] as const)(
    'signs %s JWTs with the current key, verified against the published key set',
    async (alg) => {
      // Prepare
      const set = keySetOf(alg)
      const signer = signerFor(await storeSecret(serializeSigningKeySet(set)), alg)
      await writePublicKeySet(dynamoDb, tableName, signingKeysOf(set).map(publicJwkOf), T)
      const keySet = createDynamoDbKeySet({
        dynamoDb,
        tableName,
        cacheTtlSeconds: 300,
        clock: fixedClock(T),
      })

      // Act
      const jwt = await mint(signer)
      const keys = await keySet.publicKeys()

      // Assess
      expect(headerOf(jwt)).toEqual({ alg, kid: set.current.kid, typ: 'at+jwt' })
      expect(await verifyWithJose(jwt, keys, alg)).toBe(set.current.kid)
      await verifyWithAwsJwtVerify(jwt, keys)
    },
  )

  it('reads the secret once per cache TTL', async () => {
    // Prepare
    const signer = signerFor(await storeSecret(serializeSigningKeySet(keySetOf('ES256'))), 'ES256')
    const before = aws.calls.length

    // Act
    await Promise.all([mint(signer), mint(signer)])
    await mint(signer)

    // Assess
    expect(aws.calls.slice(before).filter((call) => call === 'GetSecretValue').length).toBeLessThan(
      3,
    )
  })

  it.each([
    ['persistent throttling', { kind: 'throttle' } as const],
    ['an internal service error', { kind: 'internal' } as const],
    ['503 ServiceUnavailable', { kind: 'unavailable' } as const],
    ['answers slower than the timeout', { kind: 'slow', ms: 800 } as const],
  ])('answers unavailable on %s', async (_, fault) => {
    // Prepare
    const signer = signerFor(await storeSecret(serializeSigningKeySet(keySetOf('RS256'))), 'RS256')
    aws.inject('GetSecretValue', fault, 3)

    // Act
    const error = await rejectionOf(mint(signer))

    // Assess
    expect(error.code).toBe('unavailable')
  })

  it('answers internal, naming nothing, for a secret whose CMK cannot decrypt it', async () => {
    // Prepare
    const { keyId } = aws.kms.createKey('SYMMETRIC_DEFAULT')
    const secretId = await storeSecret(serializeSigningKeySet(keySetOf('RS256')), keyId)
    aws.kms.setState(keyId, 'Disabled')

    // Act
    const error = await rejectionOf(mint(signerFor(secretId, 'RS256')))

    // Assess
    expect(error.code).toBe('internal')
    expect(error.message).not.toContain(keyId)
  })

  it.each([
    ['a missing secret', async () => `missing-${randomUUID()}`],
    ['a secret that is not a key set', async () => storeSecret('{"current":{"d":"c2VjcmV0"}}')],
    [
      'a current key of the other algorithm',
      async () => storeSecret(serializeSigningKeySet(keySetOf('ES256'))),
    ],
  ])('answers internal for %s, echoing no secret', async (_, secret) => {
    // Act
    const error = await rejectionOf(mint(signerFor(await secret(), 'RS256')))

    // Assess
    expect(error.code).toBe('internal')
    expect(error.message).not.toContain('c2VjcmV0')
  })
})

describe('Function: createDynamoDbKeySet', () => {
  it('skips and logs malformed entries, keeps the rest, and publishes only public members', async () => {
    // Prepare
    const { client, tableName: table } = await createTestTable()
    const good = publicJwkOf(generateSigningKey('RS256', T))
    const ec = publicJwkOf(generateSigningKey('ES256', T))
    const withPrivate = { ...generateSigningKey('ES256', T).privateJwk }
    const entries = [
      good,
      { ...ec, kid: 'not-the-thumbprint' },
      { ...ec, alg: 'RS256' },
      { ...publicJwkOf(generateSigningKey('ES256', T)), ...withPrivate },
      { ...ec, use: 'enc' },
      'a string',
      good,
      { ...ec, extra: 'ignored' },
    ]
    await DynamoDBDocumentClient.from(client).send(
      new PutCommand({
        TableName: table,
        Item: {
          ...itemKeys.publicKeySet(),
          keys: JSON.stringify({ keys: entries }),
          updated_at: T,
        },
      }),
    )
    const logs: unknown[] = []
    const keySet = createDynamoDbKeySet({
      dynamoDb: client,
      tableName: table,
      cacheTtlSeconds: 300,
      clock: fixedClock(T),
      log: (message, fields) => logs.push({ message, ...fields }),
    })

    // Act
    const keys = await keySet.publicKeys()

    // Assess
    expect(keys).toEqual([good, ec])
    expect(logs.map((log) => (log as { key_index: number }).key_index)).toEqual([1, 2, 3, 4, 5, 6])
    expect(JSON.stringify(logs)).not.toContain(withPrivate.d)
  })

  it('caches for the TTL and re-reads after it', async () => {
    // Prepare
    const { client, tableName: table } = await createTestTable()
    const first = publicJwkOf(generateSigningKey('ES256', T))
    const second = publicJwkOf(generateSigningKey('ES256', T))
    await writePublicKeySet(client, table, [first], T)
    const clock = fixedClock(T)
    const keySet = createDynamoDbKeySet({
      dynamoDb: client,
      tableName: table,
      cacheTtlSeconds: 300,
      clock,
    })
    await keySet.publicKeys()
    await writePublicKeySet(client, table, [first, second], T + 1)

    // Act and assess
    expect(await keySet.publicKeys()).toEqual([first])
    clock.advance(300_000)
    expect(await keySet.publicKeys()).toEqual([first, second])
  })

  it('reads the item again at once on refresh (a verifier meeting an unknown kid)', async () => {
    // Prepare
    const { client, tableName: table } = await createTestTable()
    const first = publicJwkOf(generateSigningKey('ES256', T))
    const second = publicJwkOf(generateSigningKey('ES256', T))
    await writePublicKeySet(client, table, [first], T)
    const keySet = createDynamoDbKeySet({
      dynamoDb: client,
      tableName: table,
      cacheTtlSeconds: 300,
      clock: fixedClock(T),
    })
    await keySet.publicKeys()
    await writePublicKeySet(client, table, [first, second], T + 1)

    // Act
    const refreshed = await keySet.refresh?.()

    // Assess: and the cache holds the new copy from then on.
    expect(refreshed).toEqual([first, second])
    expect(await keySet.publicKeys()).toEqual([first, second])
  })

  it('lets a verifier accept a key published after it cached the set, at once (unknown kid)', async () => {
    // Prepare: a verifier that has read the set holding only `first`.
    const { client, tableName: table } = await createTestTable()
    const [first, second] = [generateSigningKey('RS256', T), generateSigningKey('RS256', T)]
    await writePublicKeySet(client, table, [publicJwkOf(first)], T)
    const clock = fixedClock(NOW)
    const keySet = createDynamoDbKeySet({
      dynamoDb: client,
      tableName: table,
      cacheTtlSeconds: 300,
      clock,
    })
    const verifier = createJwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      alg: 'RS256',
      maxJwtDurationSeconds: 43_200,
      keySet,
      clock,
      keysRefreshMs: 300_000,
    })
    await verifier.verify(await signJwt(localSigner(first), tollgateClaims()))
    await expect(
      verifier.verify(await signJwt(localSigner(second), tollgateClaims())),
    ).rejects.toMatchObject({ code: 'invalid_token' })

    // Act: the rotation publishes `second`, and a JWT it signed arrives a minute later
    // (unknown kids re-read at most once a minute), well within the 300 s TTL.
    await writePublicKeySet(client, table, [first, second].map(publicJwkOf), T + 1)
    clock.advance(60_000)
    const claims = await verifier.verify(await signJwt(localSigner(second), tollgateClaims()))

    // Assess
    expect(claims.iss).toBe(ISSUER)
  })

  it('is internal when no key has been published', async () => {
    // Prepare
    const { client, tableName: table } = await createTestTable()
    const keySet = createDynamoDbKeySet({
      dynamoDb: client,
      tableName: table,
      cacheTtlSeconds: 300,
      clock: fixedClock(T),
    })

    // Act and assess
    expect((await rejectionOf(keySet.publicKeys())).code).toBe('internal')
  })

  it('is unavailable when DynamoDB cannot be reached', async () => {
    // Prepare: nothing listens on port 9 of the loopback interface.
    const keySet = createDynamoDbKeySet({
      dynamoDb: createDynamoDbClient('http://127.0.0.1:9'),
      tableName,
      cacheTtlSeconds: 300,
      clock: fixedClock(T),
    })

    // Act and assess
    expect((await rejectionOf(keySet.publicKeys())).code).toBe('unavailable')
  })
})

describe('Function: writePublicKeySet', () => {
  it('never replaces a newer set, and onlyIfAbsent never replaces any', async () => {
    // Prepare
    const { client, tableName: table } = await createTestTable()
    const [a, b] = [
      publicJwkOf(generateSigningKey('ES256', T)),
      publicJwkOf(generateSigningKey('ES256', T)),
    ]

    // Act and assess
    expect(await writePublicKeySet(client, table, [a], T + 10)).toBe(true)
    expect(await writePublicKeySet(client, table, [b], T + 9)).toBe(false)
    expect(await writePublicKeySet(client, table, [b], T + 10, { onlyIfAbsent: true })).toBe(false)
    expect(await writePublicKeySet(client, table, [a, b], T + 10)).toBe(true)
    expect(await readPublicKeySet(client, table)).toEqual([a, b])
  })

  it('refuses to publish a private key', async () => {
    // Prepare
    const key = generateSigningKey('ES256', T)

    // Act
    const error = await rejectionOf(
      writePublicKeySet(dynamoDb, tableName, [{ ...publicJwkOf(key), d: key.privateJwk.d }], T),
    )

    // Assess
    expect(error.code).toBe('internal')
  })
})
