import { describe, expect, it } from 'vitest'
import type { RotationTiming } from '../../../../functions/core/key-rotation.js'
import {
  generateSigningKey,
  parseSigningKeySet,
  serializeSigningKeySet,
} from '../../../../functions/core/signing-keys.js'
import {
  type RotationDependencies,
  rotateSigningKeys,
} from '../../../../functions/core/use-cases/rotate-signing-keys.js'
import { seedKeys } from '../../../../functions/core/use-cases/seed-keys.js'
import { fixedClock } from '../../../support/fakes.js'
import { MemoryPublishedKeySet, MemorySecretStore } from '../../../support/memory-key-stores.js'

const SECRET = 'tollgate/signing-keys'
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

/** A seeded key set (current and next, both published) and the rotation's dependencies. */
const seeded = async () => {
  const secrets = new MemorySecretStore()
  const publishedKeys = new MemoryPublishedKeySet()
  const clock = fixedClock()
  await seedKeys(
    { secrets, publishedKeys, clock },
    { alg: 'ES256', pepperSecretId: 'tollgate/pepper', signingKeysSecretId: SECRET },
  )
  const logs: Array<Record<string, unknown>> = []
  const deps: RotationDependencies = {
    secrets,
    publishedKeys,
    alg: 'ES256',
    timing,
    clock,
    log: (message, fields) => logs.push({ message, ...fields }),
  }
  const step = (name: string, token: string) =>
    rotateSigningKeys(deps, { step: name, secretId: SECRET, token })
  const rotate = async () => {
    const token = secrets.startRotation(SECRET)
    for (const name of STEPS) await step(name, token)
    return token
  }
  const current = () => parseSigningKeySet(secrets.valueOf(SECRET) ?? '')
  return { secrets, publishedKeys, clock, logs, step, rotate, current }
}

describe('rotateSigningKeys', () => {
  it('promotes next once it has been published long enough, publishing the new next first', async () => {
    // Prepare
    const { clock, publishedKeys, logs, rotate, current } = await seeded()
    const before = current()
    clock.advance(2 * HOUR + 6 * MINUTE)

    // Act
    const token = await rotate()

    // Assess
    const after = current()
    expect(after.current.kid).toBe(before.next?.kid)
    expect(after.previous?.kid).toBe(before.current.kid)
    expect(publishedKeys.keys?.map((key) => key.kid).sort()).toEqual(
      [after.current.kid, after.previous?.kid, after.next?.kid].sort(),
    )
    expect(logs.filter((log) => log.version === token).map((log) => log.message)).toEqual([
      'Key rotation: pending key set created',
      'Key rotation: public key set published',
      'Key rotation: pending keys tested',
      'Key rotation: finished',
    ])
    expect(logs[0]).toMatchObject({ rotation_step: 'promote' })
  })

  it('changes no key when nothing is due, and says why', async () => {
    // Prepare
    const { clock, logs, rotate, current } = await seeded()
    const before = current()
    clock.advance(5 * MINUTE)

    // Act
    await rotate()

    // Assess
    expect(current()).toMatchObject({ current: before.current, next: before.next })
    expect(logs[0]).toMatchObject({ rotation_step: 'none' })
    expect(String(logs[0]?.reason)).toMatch(/^nothing is due/)
  })

  it('abandons a pending version found after the step window, and fails', async () => {
    // Prepare
    const { secrets, clock, step } = await seeded()
    const token = secrets.startRotation(SECRET)
    await step('createSecret', token)
    clock.advance(11 * MINUTE)

    // Act and assess
    await expect(step('setSecret', token)).rejects.toThrow('older than the step window')
    expect(secrets.valueOf(SECRET, 'AWSPENDING')).toBeUndefined()
  })

  it('tests a pending copy of the current set at any age, and refuses one with an unpublished key', async () => {
    // Prepare: what Secrets Manager makes when a schedule changes, hours after the last rotation.
    const { secrets, clock, step, current } = await seeded()
    clock.advance(5 * HOUR)
    const copy = secrets.startRotation(SECRET)
    await secrets.put(SECRET, secrets.valueOf(SECRET) ?? '', {
      versionId: copy,
      stages: ['AWSPENDING'],
    })
    const withNewKey = { ...current(), next: generateSigningKey('ES256', clock.now()) }

    // Act and assess
    await expect(step('testSecret', copy)).resolves.toBeUndefined()
    const unpublished = secrets.startRotation(SECRET)
    await secrets.put(SECRET, serializeSigningKeySet(withNewKey), {
      versionId: unpublished,
      stages: ['AWSPENDING'],
    })
    await expect(step('testSecret', unpublished)).rejects.toThrow('is not published')
  })

  it('never rolls back a newer published set', async () => {
    // Prepare
    const { secrets, publishedKeys, step } = await seeded()
    const token = secrets.startRotation(SECRET)
    await step('createSecret', token)
    publishedKeys.updatedAt = Number.POSITIVE_INFINITY

    // Act and assess
    await expect(step('setSecret', token)).rejects.toThrow('A newer key set is already published')
  })

  it('does nothing for a version that is already current, and refuses unknown steps', async () => {
    // Prepare
    const { secrets, logs, rotate, step } = await seeded()
    const done = await rotate()
    const writes = secrets.writes.length
    const pending = secrets.startRotation(SECRET)

    // Act and assess
    await step('finishSecret', done)
    expect(secrets.writes.length).toBe(writes)
    expect(logs.at(-1)).toMatchObject({ message: 'Key rotation: version already current' })
    await expect(step('rollBack', pending)).rejects.toThrow('Unknown rotation step')
  })
})
