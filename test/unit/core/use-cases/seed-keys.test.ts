import { describe, expect, it } from 'vitest'
import { parsePepperSecret } from '../../../../functions/core/pepper-secret.js'
import type { PublicJwk } from '../../../../functions/core/ports.js'
import { parseSigningKeySet } from '../../../../functions/core/signing-keys.js'
import { type SeedKeysRequest, seedKeys } from '../../../../functions/core/use-cases/seed-keys.js'
import { rejectionOf } from '../../../support/errors.js'
import { fixedClock } from '../../../support/fakes.js'
import { MemoryPublishedKeySet, MemorySecretStore } from '../../../support/memory-key-stores.js'

const PEPPER = 'tollgate/pepper'
const SIGNING = 'tollgate/signing-keys'
const request: SeedKeysRequest = {
  alg: 'ES256',
  pepperSecretId: PEPPER,
  signingKeysSecretId: SIGNING,
}

const stores = () => {
  const secrets = new MemorySecretStore()
  const publishedKeys = new MemoryPublishedKeySet()
  const logs: string[] = []
  const deps = {
    secrets,
    publishedKeys,
    clock: fixedClock(),
    log: (message: string) => {
      logs.push(message)
    },
  }
  return { secrets, publishedKeys, logs, deps }
}

const kids = (keys: readonly PublicJwk[] | undefined) => keys?.map((key) => key.kid)

describe('seedKeys', () => {
  it('seeds the pepper and a current and next key, published before the secret holds them', async () => {
    // Prepare
    const { secrets, publishedKeys, deps } = stores()
    const secretAtEachPublish: Array<string | undefined> = []
    const write = publishedKeys.write.bind(publishedKeys)
    publishedKeys.write = async (keys, updatedAt) => {
      secretAtEachPublish.push(secrets.valueOf(SIGNING))
      return write(keys, updatedAt)
    }

    // Act
    const result = await seedKeys(deps, request)

    // Assess
    expect(result).toEqual({ signingKeys: 'created', publicKeySet: 'written', pepper: 'created' })
    expect(secretAtEachPublish).toEqual([undefined])
    const set = parseSigningKeySet(secrets.valueOf(SIGNING) ?? '')
    expect(kids(publishedKeys.keys)).toEqual([set.current.kid, set.next?.kid])
    expect(parsePepperSecret(secrets.valueOf(PEPPER) ?? '').current).toBe('1')
  })

  it('keeps everything on a second run, writing nothing', async () => {
    // Prepare
    const { secrets, deps } = stores()
    await seedKeys(deps, request)
    const writes = secrets.writes.length

    // Act
    const result = await seedKeys(deps, request)

    // Assess
    expect(result).toEqual({ signingKeys: 'kept', publicKeySet: 'kept', pepper: 'kept' })
    expect(secrets.writes.length).toBe(writes)
  })

  it('fills a secret holding the stack placeholder, and never creates one when told not to', async () => {
    // Prepare
    const { secrets, deps } = stores()
    await secrets.create(PEPPER, '{"uninitialized": true, "placeholder": "x"}')

    // Act
    const error = await rejectionOf(seedKeys(deps, { ...request, createMissing: false }))

    // Assess: the pepper was filled; the missing signing-key secret was not created.
    expect(error.code).toBe('internal')
    expect(error.message).toContain(`${SIGNING} does not exist`)
    expect(parsePepperSecret(secrets.valueOf(PEPPER) ?? '').current).toBe('1')
    expect(secrets.writes).not.toContain(`create ${SIGNING}`)
  })

  it('refuses a secret holding anything else, leaving it as is and naming no value', async () => {
    // Prepare
    const { secrets, deps } = stores()
    await secrets.create(PEPPER, 'hunter2')

    // Act
    const error = await rejectionOf(seedKeys(deps, request))

    // Assess
    expect(error.code).toBe('internal')
    expect(error.message).not.toContain('hunter2')
    expect(secrets.valueOf(PEPPER)).toBe('hunter2')
  })

  it('publishes the keys of an existing secret missing from the item, and says so', async () => {
    // Prepare
    const { publishedKeys, logs, deps } = stores()
    await seedKeys(deps, request)
    const published = kids(publishedKeys.keys)
    publishedKeys.keys = undefined

    // Act
    const result = await seedKeys(deps, request)

    // Assess
    expect(result).toEqual({ signingKeys: 'kept', publicKeySet: 'written', pepper: 'kept' })
    expect(kids(publishedKeys.keys)).toEqual(published)
    expect(logs).toContain('keys init: published keys missing from the key-set item')
  })

  it('seeds only the pepper without a signing-key secret (KEY_SOURCE=kms)', async () => {
    // Prepare
    const { publishedKeys, deps } = stores()

    // Act
    const result = await seedKeys(deps, { ...request, signingKeysSecretId: undefined })

    // Assess
    expect(result).toEqual({
      signingKeys: 'not-applicable',
      publicKeySet: 'not-applicable',
      pepper: 'created',
    })
    expect(publishedKeys.keys).toBeUndefined()
  })
})
