import { randomUUID } from 'node:crypto'
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager'
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import { readPublicKeySet } from '../../functions/adapters/public-key-set-item.js'
import { createSecret } from '../../functions/adapters/secret-versions.js'
import { parsePepperSecret } from '../../functions/core/pepper-secret.js'
import { parseSigningKeySet } from '../../functions/core/signing-keys.js'
import { cli } from '../cli/run-cli.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'

let aws: FakeAws
beforeAll(async () => {
  aws = await startFakeAws()
})
afterAll(() => aws.close())
beforeEach(() => aws.clearFaults())

/** A configuration for one run: fresh secret names and a table keys init has to create. */
const environment = (keySource: 'kms' | 'secrets-manager'): Record<string, string> => ({
  KEY_SOURCE: keySource,
  JWT_ALG: 'ES256',
  TABLE_NAME: `keys-init-${randomUUID()}`,
  PEPPER_SECRET_ID: `tollgate/pepper-${randomUUID()}`,
  ...(keySource === 'kms'
    ? { KMS_KEY_IDS: 'alias/tollgate-signing' }
    : { SIGNING_KEYS_SECRET_ID: `tollgate/signing-keys-${randomUUID()}` }),
  AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
  AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoDbEndpoint'),
})

describe('tollgate keys init', () => {
  it('seeds both secrets and the public key set for secrets-manager, then keeps them', async () => {
    // Prepare
    const env = environment('secrets-manager')

    // Act
    const first = await cli(['keys', 'init'], env)
    const second = await cli(['keys', 'init', '--json'], env)

    // Assess
    expect(first).toMatchObject({ code: 0, stderr: '' })
    expect(first.stdout).toMatch(/pepper secret\s+created/)
    expect(first.stdout).toMatch(/signing-key secret\s+created/)
    expect(first.stdout).toMatch(/public key set\s+written/)
    expect(JSON.parse(second.stdout)).toEqual({
      pepper: 'kept',
      signingKeys: 'kept',
      publicKeySet: 'kept',
    })
    parsePepperSecret(aws.secretsManager.valueOf(String(env.PEPPER_SECRET_ID)) ?? '')
    const keys = parseSigningKeySet(
      aws.secretsManager.valueOf(String(env.SIGNING_KEYS_SECRET_ID)) ?? '',
    )
    const dynamoDb = createDynamoDbClient(env.AWS_ENDPOINT_URL_DYNAMODB)
    const published = await readPublicKeySet(dynamoDb, String(env.TABLE_NAME))
    dynamoDb.destroy()
    expect(published?.map((key) => key.kid).sort()).toEqual(
      [keys.current.kid, keys.next?.kid].sort(),
    )
    // Never a secret on the terminal.
    expect(first.stdout + second.stdout).not.toContain(keys.current.privateJwk.d as string)
  })

  it('seeds only the pepper for kms, and encrypts what it creates with --kms-key-id', async () => {
    // Prepare
    const env = environment('kms')
    const { arn } = aws.kms.createKey('SYMMETRIC_DEFAULT')

    // Act
    const run = await cli(['keys', 'init', '--kms-key-id', arn, '--json'], env)

    // Assess
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({
      pepper: 'created',
      signingKeys: 'not-applicable',
      publicKeySet: 'not-applicable',
    })
    const described = await aws
      .secretsManagerClient()
      .send(new DescribeSecretCommand({ SecretId: env.PEPPER_SECRET_ID }))
    expect(described.KmsKeyId).toBe(arn)
  })

  it('refuses a secret holding something else (exit 1), without showing it', async () => {
    // Prepare
    const env = environment('kms')
    const pepperSecretId = String(env.PEPPER_SECRET_ID)
    await createSecret(aws.secretsManagerClient(), pepperSecretId, 'hunter2-not-a-pepper')

    // Act
    const run = await cli(['keys', 'init'], env)

    // Assess
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(pepperSecretId)
    expect(run.stderr + run.stdout).not.toContain('hunter2')
  })

  it('exits 6 while Secrets Manager is throttled', async () => {
    // Prepare
    const env = environment('kms')
    aws.inject('GetSecretValue', { kind: 'throttle' }, 10)

    // Act
    const run = await cli(['keys', 'init'], env)

    // Assess
    expect(run.code).toBe(6)
    expect(run.stderr).toMatch(/unavailable/)
  })

  it.each([
    [{ KEY_SOURCE: 'local' }, /KEY_SOURCE is local/],
    [{ PEPPER_SECRET_ID: '' }, /PEPPER_SECRET_ID is required/],
    [{ SIGNING_KEYS_SECRET_ID: '' }, /SIGNING_KEYS_SECRET_ID is required/],
  ])('is a usage error (exit 2) with %j', async (overrides, message) => {
    // Act
    const run = await cli(['keys', 'init'], { ...environment('secrets-manager'), ...overrides })

    // Assess
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
  })

  it('explains itself with --help, with an example, and is listed in tollgate --help', async () => {
    // Act
    const help = await cli(['keys', 'init', '--help'], {})
    const root = await cli(['--help'], {})

    // Assess
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: tollgate keys init/)
    expect(help.stdout).toMatch(/Examples?:\n {2}KEY_SOURCE=/)
    expect(root.stdout).toMatch(/\n {2}keys +Key material/)
  })
})
