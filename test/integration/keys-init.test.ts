import { randomUUID } from 'node:crypto'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import type { CloudFormationCustomResourceEvent } from 'aws-lambda'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createDynamoDbKeySet,
  readPublicKeySet,
} from '../../functions/adapters/public-key-set-item.js'
import { createSecret } from '../../functions/adapters/secret-versions.js'
import { createSecretsManagerSigner } from '../../functions/adapters/secrets-manager-keys.js'
import { itemKeys } from '../../functions/adapters/token-table.js'
import { parsePepperSecret } from '../../functions/core/pepper-secret.js'
import { parseSigningKeySet } from '../../functions/core/signing-keys.js'
import { createKeysInitHandler } from '../../functions/handlers/keys-init.js'
import { initKeys, type KeysInitOptions } from '../../functions/operations/keys-init.js'
import { keyStoresOf } from '../../functions/wiring/key-management.js'
import { createTestTable } from '../support/dynamodb.js'
import { rejectionOf } from '../support/errors.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'
import { fixedClock } from '../support/fakes.js'
import { mint, verifyWithJose } from '../support/jwt-checks.js'

let aws: FakeAws
let dynamoDb: DynamoDBClient
beforeAll(async () => {
  aws = await startFakeAws()
})
afterAll(() => aws.close())
beforeEach(() => aws.clearFaults())

/** Options for a fresh table and fresh secret names. */
const freshOptions = async (): Promise<KeysInitOptions> => {
  const table = await createTestTable()
  dynamoDb = table.client
  return {
    secretsManager: aws.secretsManagerClient({ maxAttempts: 2 }),
    dynamoDb,
    tableName: table.tableName,
    alg: 'RS256',
    pepperSecretId: `pepper-${randomUUID()}`,
    signingKeysSecretId: `signing-keys-${randomUUID()}`,
    clock: fixedClock(Date.now()),
  }
}

const value = (secretId: string | undefined) => aws.secretsManager.valueOf(secretId ?? '')

describe('Function: initKeys', () => {
  it('seeds both secrets and the public item, so a fresh stack signs and verifies at once', async () => {
    // Prepare
    const options = await freshOptions()

    // Act
    const result = await initKeys(options)

    // Assess
    expect(result).toEqual({ signingKeys: 'created', publicKeySet: 'written', pepper: 'created' })
    const set = parseSigningKeySet(value(options.signingKeysSecretId) ?? '')
    expect(set.next).toBeDefined()
    expect(parsePepperSecret(value(options.pepperSecretId) ?? '').current).toBe('1')
    const keys = await createDynamoDbKeySet({
      dynamoDb,
      tableName: options.tableName,
      cacheTtlSeconds: 1,
      clock: options.clock,
    }).publicKeys()
    expect(keys.map((key) => key.kid)).toEqual([set.current.kid, set.next?.kid])
    const signer = createSecretsManagerSigner({
      secretsManager: options.secretsManager,
      secretId: options.signingKeysSecretId ?? '',
      alg: 'RS256',
      cacheTtlSeconds: 0,
    })
    expect(await verifyWithJose(await mint(signer), keys, 'RS256')).toBe(set.current.kid)
  })

  it('keeps everything on a second run', async () => {
    // Prepare
    const options = await freshOptions()
    await initKeys(options)
    const before = [value(options.signingKeysSecretId), value(options.pepperSecretId)]
    const item = await readPublicKeySet(dynamoDb, options.tableName)

    // Act
    const result = await initKeys(options)

    // Assess
    expect(result).toEqual({ signingKeys: 'kept', publicKeySet: 'kept', pepper: 'kept' })
    expect([value(options.signingKeysSecretId), value(options.pepperSecretId)]).toEqual(before)
    expect(await readPublicKeySet(dynamoDb, options.tableName)).toEqual(item)
  })

  it('fills secrets the stack declared with its placeholder', async () => {
    // Prepare: what CloudFormation's GenerateSecretString makes of the stack's template.
    const options = await freshOptions()
    const placeholder = JSON.stringify({ uninitialized: true, placeholder: 'Xb7kP2qR9sT4vW8y' })
    await createSecret(options.secretsManager, options.pepperSecretId, placeholder)
    await createSecret(options.secretsManager, options.signingKeysSecretId ?? '', placeholder)

    // Act
    const result = await initKeys({ ...options, createMissing: false })

    // Assess
    expect(result).toEqual({ signingKeys: 'created', publicKeySet: 'written', pepper: 'created' })
    parsePepperSecret(value(options.pepperSecretId) ?? '')
    parseSigningKeySet(value(options.signingKeysSecretId) ?? '')
  })

  it('never takes a value that only looks like the placeholder', async () => {
    // Prepare
    const options = await freshOptions()
    const lookalike = JSON.stringify({ uninitialized: true, placeholder: 'x', current: '1' })
    await createSecret(options.secretsManager, options.pepperSecretId, lookalike)

    // Act and assess
    expect((await rejectionOf(initKeys(options))).code).toBe('internal')
    expect(value(options.pepperSecretId)).toBe(lookalike)
  })

  it('refuses to create a missing secret when told not to (the stack declares its own)', async () => {
    // Prepare
    const options = { ...(await freshOptions()), createMissing: false }
    const before = aws.calls.length

    // Act
    const error = await rejectionOf(initKeys(options))

    // Assess
    expect(error.message).toContain('does not exist')
    expect(aws.calls.slice(before)).not.toContain('CreateSecret')
  })

  it('fills secrets made by hand with {}', async () => {
    // Prepare
    const options = await freshOptions()
    await createSecret(options.secretsManager, options.pepperSecretId, '{}')
    await createSecret(options.secretsManager, options.signingKeysSecretId ?? '', ' { } ')

    // Act
    const result = await initKeys(options)

    // Assess
    expect(result.signingKeys).toBe('created')
    expect(result.pepper).toBe('created')
    parseSigningKeySet(value(options.signingKeysSecretId) ?? '')
  })

  it('refuses to overwrite a secret holding something else, naming no value', async () => {
    // Prepare
    const options = await freshOptions()
    await createSecret(options.secretsManager, options.pepperSecretId, 'hunter2-not-a-pepper')

    // Act
    const error = await rejectionOf(initKeys(options))

    // Assess
    expect(error.code).toBe('internal')
    expect(error.message).toContain(options.pepperSecretId)
    expect(error.message).not.toContain('hunter2')
    expect(value(options.pepperSecretId)).toBe('hunter2-not-a-pepper')
  })

  it('republishes the keys of an existing secret when the item is gone', async () => {
    // Prepare
    const options = await freshOptions()
    await initKeys(options)
    await DynamoDBDocumentClient.from(dynamoDb).send(
      new DeleteCommand({ TableName: options.tableName, Key: itemKeys.publicKeySet() }),
    )
    const logs: unknown[] = []

    // Act
    const result = await initKeys({ ...options, log: (message) => logs.push(message) })

    // Assess
    expect(result).toEqual({ signingKeys: 'kept', publicKeySet: 'written', pepper: 'kept' })
    expect(await readPublicKeySet(dynamoDb, options.tableName)).toHaveLength(2)
    expect(logs).toContain('keys init: published keys missing from the key-set item')
  })

  it('seeds only the pepper for KEY_SOURCE=kms', async () => {
    // Prepare
    const options = { ...(await freshOptions()), signingKeysSecretId: undefined }

    // Act
    const result = await initKeys(options)

    // Assess
    expect(result).toEqual({
      signingKeys: 'not-applicable',
      publicKeySet: 'not-applicable',
      pepper: 'created',
    })
    expect(await readPublicKeySet(dynamoDb, options.tableName)).toBeUndefined()
  })

  it('is unavailable while Secrets Manager is throttled', async () => {
    // Prepare
    const options = await freshOptions()
    aws.inject('GetSecretValue', { kind: 'throttle' }, 2)

    // Act and assess
    expect((await rejectionOf(initKeys(options))).code).toBe('unavailable')
  })
})

describe('Handler: keys-init (CloudFormation custom resource)', () => {
  const event = (
    RequestType: 'Create' | 'Update' | 'Delete',
    options: KeysInitOptions,
  ): CloudFormationCustomResourceEvent =>
    ({
      RequestType,
      ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:provider',
      ResponseURL: 'https://cloudformation.example/response',
      StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/tollgate/1',
      RequestId: randomUUID(),
      LogicalResourceId: 'KeysInit',
      ResourceType: 'Custom::TollgateKeys',
      ...(RequestType === 'Create' ? {} : { PhysicalResourceId: 'tollgate-keys' }),
      ResourceProperties: {
        ServiceToken: 'arn:aws:lambda:us-east-1:000000000000:function:provider',
        KeySource: options.signingKeysSecretId === undefined ? 'kms' : 'secrets-manager',
        TableName: options.tableName,
        JwtAlg: options.alg,
        PepperSecretId: options.pepperSecretId,
        SigningKeysSecretId: options.signingKeysSecretId ?? '',
      },
    }) as CloudFormationCustomResourceEvent

  /** The function's dependencies, on the clients of `options`. */
  const dependenciesOf = (options: KeysInitOptions) => async () => ({
    keyStores: (tableName: string) =>
      keyStoresOf(options.secretsManager, options.dynamoDb, tableName),
    clock: options.clock,
    log: () => undefined,
  })

  /** Both secrets as the stack declares them, before the custom resource runs. */
  const declaredByStack = async (options: KeysInitOptions) => {
    for (const id of [options.pepperSecretId, options.signingKeysSecretId ?? '']) {
      const placeholder = JSON.stringify({ uninitialized: true, placeholder: randomUUID() })
      await createSecret(options.secretsManager, id, placeholder)
    }
  }

  it('seeds on Create, keeps on Update, and leaves everything on Delete', async () => {
    // Prepare: the secrets exist with the stack's placeholder (the test premise until the
    // stack declared them was that keys-init created them; the stack now owns them).
    const options = await freshOptions()
    await declaredByStack(options)
    const handler = createKeysInitHandler(dependenciesOf(options))

    // Act
    const created = await handler(event('Create', options))
    const secret = value(options.signingKeysSecretId)
    const updated = await handler(event('Update', options))
    const callsBefore = aws.calls.length
    const deleted = await handler(event('Delete', options))

    // Assess
    expect(created).toEqual({
      PhysicalResourceId: 'tollgate-keys',
      Data: { signingKeys: 'created', publicKeySet: 'written', pepper: 'created' },
    })
    expect(updated.Data).toEqual({ signingKeys: 'kept', publicKeySet: 'kept', pepper: 'kept' })
    expect(value(options.signingKeysSecretId)).toBe(secret)
    expect(deleted).toEqual({ PhysicalResourceId: 'tollgate-keys' })
    expect(aws.calls.length).toBe(callsBefore)
    expect(value(options.pepperSecretId)).toBeDefined()
  })

  it('fails the deployment when a property is missing', async () => {
    // Prepare
    const options = await freshOptions()
    const handler = createKeysInitHandler(dependenciesOf(options))
    const bad = event('Create', { ...options, pepperSecretId: '' })

    // Act and assess
    await expect(handler(bad)).rejects.toThrow('PepperSecretId')
  })

  it.each([
    [{ KeySource: 'local' }, 'KeySource'],
    [{ KeySource: 'kms', SigningKeysSecretId: 'tollgate/signing-keys' }, 'SigningKeysSecretId'],
    [{ KeySource: 'secrets-manager', SigningKeysSecretId: '' }, 'SigningKeysSecretId'],
    [{ JwtAlg: 'HS256' }, 'JwtAlg'],
  ])('refuses the properties %j, naming %s', async (overrides, name) => {
    // Prepare
    const options = await freshOptions()
    const handler = createKeysInitHandler(dependenciesOf(options))
    const base = event('Create', options)
    const bad = {
      ...base,
      ResourceProperties: { ...base.ResourceProperties, ...overrides },
    } as CloudFormationCustomResourceEvent

    // Act and assess
    await expect(handler(bad)).rejects.toThrow(name)
  })

  it('creates no secret at deploy: a missing one fails the deployment', async () => {
    // Prepare
    const options = await freshOptions()
    const handler = createKeysInitHandler(dependenciesOf(options))
    const before = aws.calls.length

    // Act and assess
    await expect(handler(event('Create', options))).rejects.toThrow('does not exist')
    expect(aws.calls.slice(before)).not.toContain('CreateSecret')
  })
})
