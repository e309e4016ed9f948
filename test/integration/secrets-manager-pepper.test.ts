import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSecret, putSecretString } from '../../functions/adapters/secret-versions.js'
import { createSecretsManagerPepper } from '../../functions/adapters/secrets-manager-pepper.js'
import { hashAccessToken, matchesHash } from '../../functions/core/token-hash.js'
import { rejectionOf } from '../support/errors.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'
import { fixedClock } from '../support/fakes.js'

let aws: FakeAws
beforeAll(async () => {
  aws = await startFakeAws()
})
afterAll(() => aws.close())
beforeEach(() => aws.clearFaults())

const pepperJson = (current: string, versions: Record<string, Buffer>) =>
  JSON.stringify({
    current,
    versions: Object.fromEntries(
      Object.entries(versions).map(([version, key]) => [version, key.toString('base64url')]),
    ),
  })

const newSecret = async (text: string): Promise<string> => {
  const name = `pepper-${randomUUID()}`
  await createSecret(aws.secretsManagerClient(), name, text)
  return name
}

/** One Lambda instance's view of the pepper. */
const instance = (secretId: string, clock = fixedClock()) =>
  createSecretsManagerPepper({
    secretsManager: aws.secretsManagerClient({ maxAttempts: 2, requestTimeoutMs: 300 }),
    secretId,
    cacheTtlSeconds: 300,
    clock,
  })

describe('Function: createSecretsManagerPepper', () => {
  it('keeps every existing token working through a pepper rotation, without a cold start', async () => {
    // Prepare: a token hashed with version 1 by a warm instance.
    const [k1, k2] = [randomBytes(32), randomBytes(32)]
    const secretId = await newSecret(pepperJson('1', { '1': k1 }))
    const warm = instance(secretId)
    const v1 = await warm.currentPepper()
    const oldToken = 'tgs_old'
    const oldRecord = { pepperVersion: v1.version, hash: hashAccessToken(v1.key, oldToken) }

    // Act: the operator adds version 2 and makes it current; a new instance hashes with it.
    await putSecretString(
      aws.secretsManagerClient(),
      secretId,
      pepperJson('2', { '1': k1, '2': k2 }),
    )
    const cold = instance(secretId)
    const v2 = await cold.currentPepper()
    const newToken = 'tgs_new'
    const newRecord = { pepperVersion: v2.version, hash: hashAccessToken(v2.key, newToken) }

    // Assess: both tokens verify on both instances.
    expect(v1.version).toBe('1')
    expect(v2.version).toBe('2')
    for (const secrets of [warm, cold]) {
      for (const [token, record] of [
        [oldToken, oldRecord],
        [newToken, newRecord],
      ] as const) {
        const pepper = await secrets.pepperOf(record.pepperVersion)
        expect(pepper && matchesHash(pepper, token, record.hash)).toBe(true)
      }
    }
  })

  it('refetches for an unknown version at most once a minute', async () => {
    // Prepare
    const clock = fixedClock()
    const secrets = instance(await newSecret(pepperJson('1', { '1': randomBytes(32) })), clock)
    await secrets.currentPepper()
    const before = aws.calls.length

    // Act
    const answers = [await secrets.pepperOf('9'), await secrets.pepperOf('9')]
    clock.advance(59_999)
    answers.push(await secrets.pepperOf('9'))
    clock.advance(1)
    answers.push(await secrets.pepperOf('9'))

    // Assess
    expect(answers).toEqual([undefined, undefined, undefined, undefined])
    expect(aws.calls.slice(before)).toEqual(['GetSecretValue', 'GetSecretValue'])
  })

  it.each([
    ['not JSON', 'v1=abc'],
    ['a current version it does not hold', pepperJson('2', { '1': randomBytes(32) })],
    ['a short pepper', pepperJson('1', { '1': randomBytes(16) })],
  ])('fails internal on a secret that is %s, naming no value', async (_, text) => {
    // Prepare
    const secrets = instance(await newSecret(text))

    // Act
    const error = await rejectionOf(secrets.currentPepper())

    // Assess
    expect(error.code).toBe('internal')
    expect(error.message).toBe('The pepper secret is not valid.')
  })

  it.each([
    ['throttled', { kind: 'throttle' } as const],
    ['failing', { kind: 'internal' } as const],
    ['too slow', { kind: 'slow', ms: 800 } as const],
  ])('is unavailable while Secrets Manager is %s', async (_, fault) => {
    // Prepare
    const secrets = instance(await newSecret(pepperJson('1', { '1': randomBytes(32) })))
    aws.inject('GetSecretValue', fault, 2)

    // Act
    const error = await rejectionOf(secrets.pepperOf('1'))

    // Assess
    expect(error.code).toBe('unavailable')
  })
})
