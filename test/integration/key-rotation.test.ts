import { randomUUID, sign } from 'node:crypto'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createDynamoDbKeySet,
  readPublicKeySet,
} from '../../functions/adapters/public-key-set-item.js'
import { createSecretsManagerSigner } from '../../functions/adapters/secrets-manager-keys.js'
import type { RotationTiming } from '../../functions/core/key-rotation.js'
import type { PublicJwk, Signer } from '../../functions/core/ports.js'
import {
  parseSigningKeySet,
  privateKeyOf,
  type SigningKeySet,
} from '../../functions/core/signing-keys.js'
import type { RotationDependencies } from '../../functions/core/use-cases/rotate-signing-keys.js'
import { createKeyRotationHandler } from '../../functions/handlers/key-rotation.js'
import { initKeys } from '../../functions/operations/keys-init.js'
import { keyStoresOf } from '../../functions/wiring/key-management.js'
import { createTestTable } from '../support/dynamodb.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'
import { fixedClock } from '../support/fakes.js'
import { mint, verifyWithJose } from '../support/jwt-checks.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const timing: RotationTiming = {
  keysCacheTtlSeconds: 300,
  signingKeysCacheTtlSeconds: 300,
  maxJwtDurationSeconds: 43_200,
  authorizerCacheTtlSeconds: 10,
  stepWindowSeconds: 600,
}
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const

let aws: FakeAws
beforeAll(async () => {
  aws = await startFakeAws()
})
afterAll(() => aws.close())

/** A seeded stack: both secrets, the public item, and the rotation function's dependencies. */
const seededStack = async () => {
  const { client: dynamoDb, tableName } = await createTestTable()
  const secretsManager = aws.secretsManagerClient()
  const clock = fixedClock(Date.now())
  const secretId = `signing-keys-${randomUUID()}`
  const logs: Array<Record<string, unknown>> = []
  await initKeys({
    secretsManager,
    dynamoDb,
    tableName,
    alg: 'ES256',
    pepperSecretId: `pepper-${randomUUID()}`,
    signingKeysSecretId: secretId,
    clock,
  })
  const deps: RotationDependencies = {
    ...keyStoresOf(secretsManager, dynamoDb, tableName),
    alg: 'ES256',
    timing,
    clock,
    log: (message, fields) => logs.push({ message, ...fields }),
  }
  const handler = createKeyRotationHandler(async () => deps)
  aws.secretsManager.rotateWith(secretId, handler)
  /** What Secrets Manager does on a rotation: a pending version, then the four steps. */
  const startRotation = async () => {
    const { VersionId } = await secretsManager.send(
      new RotateSecretCommand({ SecretId: secretId, ClientRequestToken: randomUUID() }),
    )
    return String(VersionId)
  }
  const step = (Step: string, token: string) =>
    handler({ Step, SecretId: secretId, ClientRequestToken: token })
  const rotate = async () => {
    const token = await startRotation()
    for (const name of STEPS) await step(name, token)
    return logs.filter((log) => log.version === token)
  }
  const current = (): SigningKeySet =>
    parseSigningKeySet(aws.secretsManager.valueOf(secretId) ?? '')
  return { dynamoDb, tableName, secretId, clock, logs, rotate, startRotation, step, current }
}

/** A minting instance whose cached secret still holds `set` (its current key signs). */
const staleSigner = (set: SigningKeySet): Signer => ({
  alg: 'ES256',
  sign: async (signingInputFor) => {
    const signingInput = signingInputFor(set.current.kid)
    const key = { key: privateKeyOf(set.current), dsaEncoding: 'ieee-p1363' as const }
    return { kid: set.current.kid, signingInput, signature: sign('sha256', signingInput, key) }
  },
})

const publicKeys = (dynamoDb: DynamoDBClient, tableName: string) =>
  createDynamoDbKeySet({
    dynamoDb,
    tableName,
    cacheTtlSeconds: 300,
    clock: fixedClock(),
  }).publicKeys()

describe('Secrets Manager key rotation (handler: key-rotation)', () => {
  it('walks a whole cycle: every JWT verifies until it expires, early rotations change nothing', async () => {
    const stack = await seededStack()
    const { clock } = stack
    const signer = createSecretsManagerSigner({
      secretsManager: aws.secretsManagerClient(),
      secretId: stack.secretId,
      alg: 'ES256',
      cacheTtlSeconds: 0,
    })
    const minted: Array<{ jwt: string; exp: number }> = []
    let cachedJwks: readonly PublicJwk[] = await publicKeys(stack.dynamoDb, stack.tableName)
    const plan: Array<{ after: number; expect: string }> = [
      { after: 5 * MINUTE, expect: 'none' }, // an early manual rotation right after deploy
      { after: 2 * HOUR + 5 * MINUTE, expect: 'promote' }, // next published 2 h + TTL ago
      { after: 10 * MINUTE, expect: 'none' }, // the fresh next may not sign yet
      { after: 3 * HOUR, expect: 'none' }, // next could sign, but previous must stay
      { after: 10 * HOUR, expect: 'promote' }, // previous retired on the way
      { after: 24 * HOUR, expect: 'promote' },
    ]

    for (const { after, expect: expected } of plan) {
      clock.advance(after)
      const before = stack.current()
      minted.push({ jwt: await mint(signer, clock.now(), 43_200), exp: clock.now() + 43_200_000 })

      // Act
      const logs = await stack.rotate()

      // Assess: the step and its reason are logged; nothing changes when nothing is due.
      const created = logs.find((log) => log.message === 'Key rotation: pending key set created')
      expect(created?.rotation_step).toBe(expected)
      const after_ = stack.current()
      if (expected === 'none') {
        expect(String(created?.reason)).toMatch(/^nothing is due: /)
        expect([after_.current, after_.previous, after_.next].map((k) => k?.kid)).toEqual(
          [before.current, before.previous, before.next].map((k) => k?.kid),
        )
      } else {
        expect(after_.current.kid).toBe(before.next?.kid)
        expect(after_.previous?.kid).toBe(before.current.kid)
      }
      // A warm minting instance may still sign with the old current for its cache TTL.
      minted.push({
        jwt: await mint(staleSigner(before), clock.now(), 43_200),
        exp: clock.now() + 43_200_000,
      })
      minted.push({ jwt: await mint(signer, clock.now(), 43_200), exp: clock.now() + 43_200_000 })

      // Every unexpired JWT verifies against the published set, and JWTs signed now also
      // against the set a verifier cached before this rotation.
      const jwks = await publicKeys(stack.dynamoDb, stack.tableName)
      for (const { jwt } of minted.filter(({ exp }) => exp > clock.now())) {
        await verifyWithJose(jwt, jwks, 'ES256', clock.now())
      }
      for (const { jwt } of minted.slice(-2))
        await verifyWithJose(jwt, cachedJwks, 'ES256', clock.now())
      cachedJwks = jwks
      expect(jwks.map((key) => key.kid).sort()).toEqual(
        [after_.current, after_.previous, after_.next].flatMap((k) => (k ? [k.kid] : [])).sort(),
      )
    }
  })

  it('is idempotent per step, and never logs key material', async () => {
    // Prepare
    const stack = await seededStack()
    stack.clock.advance(3 * HOUR)
    const token = await stack.startRotation()

    // Act: every step twice, as a retried invocation would.
    for (const name of STEPS) {
      await stack.step(name, token)
      await stack.step(name, token)
    }

    // Assess
    const set = stack.current()
    expect(
      stack.logs.filter((log) => log.message === 'Key rotation: pending key set created'),
    ).toHaveLength(1)
    expect(aws.secretsManager.stagesOf(stack.secretId)[token]).toEqual(['AWSCURRENT'])
    const text = JSON.stringify(stack.logs)
    for (const key of [set.current, set.previous, set.next]) {
      if (key) expect(text).not.toContain(key.privateJwk.d)
    }
    expect(await readPublicKeySet(stack.dynamoDb, stack.tableName)).toHaveLength(3)
  })

  it('abandons a pending version found after the step window, so the next rotation starts afresh', async () => {
    // Prepare
    const stack = await seededStack()
    stack.clock.advance(3 * HOUR)
    const before = stack.current()
    const token = await stack.startRotation()
    await stack.step('createSecret', token)

    // Act
    stack.clock.advance(timing.stepWindowSeconds * 1000 + 1)
    const error = await stack.step('setSecret', token).catch((caught: unknown) => caught)

    // Assess
    expect(String(error)).toContain('abandoned')
    expect(aws.secretsManager.stagesOf(stack.secretId)[token]).toBeUndefined()
    expect(stack.current().current.kid).toBe(before.current.kid)
    const logs = await stack.rotate()
    expect(logs.find((log) => log.rotation_step)?.rotation_step).toBe('promote')
  })

  it('passes the test Secrets Manager runs on a copy of the current set when the schedule changes', async () => {
    // Prepare: a rotation done, then hours later (the copy's stamps long past the step window).
    const stack = await seededStack()
    stack.clock.advance(3 * HOUR)
    await stack.rotate()
    const before = stack.current()
    stack.clock.advance(5 * HOUR)

    // Act: what CloudFormation does with RotateImmediatelyOnUpdate: false.
    await aws.secretsManagerClient().send(
      new RotateSecretCommand({
        SecretId: stack.secretId,
        RotationRules: { ScheduleExpression: 'rate(12 hours)' },
        RotateImmediately: false,
      }),
    )

    // Assess: tested, nothing changed, nothing left pending, and the next rotation runs.
    expect(aws.secretsManager.scheduleOf(stack.secretId)).toBe('rate(12 hours)')
    expect(stack.logs.at(-1)).toMatchObject({ message: 'Key rotation: pending keys tested' })
    expect(stack.current()).toEqual(before)
    const stages = Object.values(aws.secretsManager.stagesOf(stack.secretId)).flat()
    expect(stages).not.toContain('AWSPENDING')
    const logs = await stack.rotate()
    expect(logs.map((log) => log.message)).toContain('Key rotation: finished')
  })

  it('refuses a version that is not pending, and an unknown step', async () => {
    // Prepare
    const stack = await seededStack()
    const token = await stack.startRotation()

    // Act and assess
    await expect(stack.step('createSecret', randomUUID())).rejects.toThrow('no stage')
    await expect(stack.step('dropSecret', token)).rejects.toThrow('Unknown rotation step')
  })
})
