import { randomBytes, randomUUID } from 'node:crypto'
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager'
import { JwtVerifier } from 'aws-jwt-verify'
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/core/config.js'
import { jwkThumbprint } from '../../functions/core/jwk-thumbprint.js'
import { parseSigningKeySet } from '../../functions/core/signing-keys.js'
import { createKeyRotationHandler } from '../../functions/handlers/key-rotation.js'
import { keyStoresOf, rotationTimingOf } from '../../functions/wiring/key-management.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'
import { fixedClock } from '../support/fakes.js'
import { keysInitOnStart } from '../support/keys-init.js'

/**
 * The dev server with KEY_SOURCE=kms and secrets-manager against the fake
 * KMS/Secrets Manager endpoint: JWTs minted by the exchange verify against
 * GET /.well-known/jwks.json (jose and aws-jwt-verify) and against Tollgate's
 * own verifier (GET /whoami) through a whole rotation of each key source.
 *
 * Waits are virtual: the rotation and the JWTs' lives are reckoned on a clock
 * advanced by each step's wait, while the server mints in real time. A JWT
 * must verify at a step while its virtual life (MAX_JWT_DURATION_SECONDS from
 * its virtual minting) has not ended.
 */

const ISSUER = 'https://tollgate.test'
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const MAX_JWT_DURATION_SECONDS = 43_200

let aws: FakeAws
beforeAll(async () => {
  aws = await startFakeAws()
})
afterAll(() => aws.close())

interface Minted {
  readonly step: string
  readonly jwt: string
  readonly kid: string
  /** Virtual epoch ms until which the JWT must verify. */
  readonly validUntil: number
}

const exchange = async (tollgate: RunningTollgate): Promise<string> => {
  const response = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      access_token: tollgate.adminToken,
      duration_seconds: MAX_JWT_DURATION_SECONDS,
    }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { jwt: string }).jwt
}

const jwksOf = async (tollgate: RunningTollgate): Promise<JSONWebKeySet> => {
  const response = await fetch(`${tollgate.server.url}/.well-known/jwks.json`)
  expect(response.status).toBe(200)
  return (await response.json()) as JSONWebKeySet
}

const whoamiStatus = async (tollgate: RunningTollgate, jwt: string): Promise<number> =>
  (await fetch(`${tollgate.server.url}/whoami`, { headers: { authorization: `Bearer ${jwt}` } }))
    .status

/** Verifies with jose and with aws-jwt-verify (its JWKS cache hydrated: it refuses http URIs). */
const verifyBoth = async (jwt: string, jwks: JSONWebKeySet, alg: string): Promise<void> => {
  await jwtVerify(jwt, createLocalJWKSet(jwks), {
    issuer: ISSUER,
    audience: 'tollgate',
    algorithms: [alg],
  })
  const verifier = JwtVerifier.create({
    issuer: ISSUER,
    audience: 'tollgate',
    jwksUri: `${ISSUER}/.well-known/jwks.json`,
  })
  verifier.cacheJwks({ keys: jwks.keys.map((key) => ({ ...key, kty: String(key.kty) })) })
  await verifier.verify(jwt)
}

/** Every JWT still within its virtual life verifies now, also at Tollgate itself. */
const checkAll = async (
  tollgate: RunningTollgate,
  minted: readonly Minted[],
  virtualNow: number,
  alg: string,
) => {
  const jwks = await jwksOf(tollgate)
  const living = minted.filter(({ validUntil }) => validUntil > virtualNow)
  for (const { jwt } of living) {
    await verifyBoth(jwt, jwks, alg)
    expect(await whoamiStatus(tollgate, jwt)).toBe(200)
  }
  return { jwks, living }
}

describe('KEY_SOURCE=kms on the dev server', () => {
  let tollgate: RunningTollgate
  let oldKey: string
  let newKey: string

  beforeAll(async () => {
    oldKey = aws.kms.createKey('ECC_NIST_P256').arn
    newKey = aws.kms.createKey('ECC_NIST_P256').arn
    const pepperSecretId = `pepper-${randomUUID()}`
    tollgate = await startTollgate(
      {
        KEY_SOURCE: 'kms',
        JWT_ALG: 'ES256',
        ISSUER,
        KMS_KEY_IDS: oldKey,
        PEPPER_SECRET_ID: pepperSecretId,
        AWS_ENDPOINT_URL_KMS: aws.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      },
      keysInitOnStart(aws, { alg: 'ES256', pepperSecretId, clock: fixedClock() }),
    )
  })
  afterAll(() => tollgate?.close())

  it('keeps every JWT verifiable through the KMS_KEY_IDS rotation procedure', async () => {
    // Prepare: the design's procedure (docs/design.md#keys), each step a redeployment (a restart with new KMS_KEY_IDS).
    const steps = [
      { name: 'start', keyIds: [oldKey], waitMs: 0, signer: oldKey },
      { name: 'add the new key last', keyIds: [oldKey, newKey], waitMs: HOUR, signer: oldKey },
      // ≥ 2 h (API Gateway's JWKS cache) + KEYS_CACHE_TTL after the new key was published.
      {
        name: 'move it first',
        keyIds: [newKey, oldKey],
        waitMs: 2 * HOUR + 5 * MINUTE,
        signer: newKey,
      },
      // The old key stopped signing at the step before; its last JWT has expired since.
      {
        name: 'remove the old key',
        keyIds: [newKey],
        waitMs: (MAX_JWT_DURATION_SECONDS + 300 + 60) * 1000,
        signer: newKey,
      },
    ]
    // Tollgate names a KMS key by its public key's RFC 7638 thumbprint, never its ARN.
    const kidOf = (arn: string) => jwkThumbprint(aws.kms.publicKeyOf(arn).export({ format: 'jwk' }))
    const minted: Minted[] = []
    let virtualNow = Date.now()
    let previousJwks: JSONWebKeySet | undefined

    for (const step of steps) {
      // Act
      virtualNow += step.waitMs
      tollgate = await tollgate.restart({ KMS_KEY_IDS: step.keyIds.join(',') })
      const jwt = await exchange(tollgate)
      const kid = String(decodeProtectedHeader(jwt).kid)
      minted.push({
        step: step.name,
        jwt,
        kid,
        validUntil: virtualNow + MAX_JWT_DURATION_SECONDS * 1000,
      })

      // Assess: the key that signs is the one first in KMS_KEY_IDS; every living JWT
      // verifies, and the one just minted also against the JWKS a verifier cached before.
      expect(kid).toBe(kidOf(step.signer))
      const { jwks } = await checkAll(tollgate, minted, virtualNow, 'ES256')
      if (previousJwks !== undefined) await verifyBoth(jwt, previousJwks, 'ES256')
      expect(jwks.keys.map((key) => key.kid).sort()).toEqual(step.keyIds.map(kidOf).sort())
      previousJwks = jwks
    }
    expect(new Set(minted.map(({ kid }) => kid)).size).toBe(2)
  })
})

describe('KEY_SOURCE=secrets-manager on the dev server', () => {
  let tollgate: RunningTollgate
  const signingKeysSecretId = `signing-keys-${randomUUID()}`
  const pepperSecretId = `pepper-${randomUUID()}`
  const clock = fixedClock(Date.now())
  const envOf = () => ({
    KEY_SOURCE: 'secrets-manager',
    JWT_ALG: 'RS256',
    ISSUER,
    SIGNING_KEYS_SECRET_ID: signingKeysSecretId,
    PEPPER_SECRET_ID: pepperSecretId,
    // One second, so the server sees each rotation at once in real time; the
    // rotation's virtual waits are computed with the same TTL.
    KEYS_CACHE_TTL_SECONDS: '1',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
  })
  let rotate: () => Promise<string>

  beforeAll(async () => {
    const env = envOf()
    tollgate = await startTollgate(
      env,
      keysInitOnStart(aws, { alg: 'RS256', pepperSecretId, signingKeysSecretId, clock }),
    )
    const config = parseConfig({ ...env, TABLE_NAME: tollgate.config.tableName })
    const logs: Array<Record<string, unknown>> = []
    const handler = createKeyRotationHandler(async () => ({
      ...keyStoresOf(
        aws.secretsManagerClient(),
        (await import('../../functions/adapters/dynamodb-client.js')).createDynamoDbClient(
          tollgate.config.dynamoDbEndpoint,
        ),
        config.tableName,
      ),
      alg: 'RS256',
      timing: rotationTimingOf(config),
      clock,
      log: (message, fields) => logs.push({ message, ...fields }),
    }))
    /** What Secrets Manager does on a schedule: a pending version, then the four steps. */
    rotate = async () => {
      const token = randomUUID()
      await aws
        .secretsManagerClient()
        .send(new RotateSecretCommand({ SecretId: signingKeysSecretId, ClientRequestToken: token }))
      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
        await handler({ Step, SecretId: signingKeysSecretId, ClientRequestToken: token })
      }
      const created = logs.find(
        (log) => log.version === token && log.message === 'Key rotation: pending key set created',
      )
      return String(created?.rotation_step)
    }
  })
  afterAll(() => tollgate?.close())

  it('keeps every JWT verifiable through a whole rotation cycle, early rotations changing nothing', async () => {
    // Prepare
    const plan = [
      { after: 5 * MINUTE, step: 'none' }, // an early manual rotation right after deploy
      { after: 2 * HOUR, step: 'promote' }, // next published 2 h + TTL ago
      { after: 10 * MINUTE, step: 'none' }, // the fresh next may not sign yet
      { after: 3 * HOUR, step: 'none' }, // next could sign, but previous must stay
      { after: 10 * HOUR, step: 'promote' }, // previous retired on the way
      { after: 24 * HOUR, step: 'promote' },
    ]
    const minted: Minted[] = []
    const secret = () => parseSigningKeySet(aws.secretsManager.valueOf(signingKeysSecretId) ?? '')
    let previousJwks = await jwksOf(tollgate)

    for (const { after, step } of plan) {
      // Act
      clock.advance(after)
      const before = secret()
      const mintBefore = await exchange(tollgate)
      minted.push({
        step: `before ${step}`,
        jwt: mintBefore,
        kid: String(decodeProtectedHeader(mintBefore).kid),
        validUntil: clock.now() + MAX_JWT_DURATION_SECONDS * 1000,
      })
      expect(await rotate()).toBe(step)
      await new Promise((resolve) => setTimeout(resolve, 1_100)) // the server's 1 s caches
      const jwt = await exchange(tollgate)
      const kid = String(decodeProtectedHeader(jwt).kid)
      minted.push({
        step,
        jwt,
        kid,
        validUntil: clock.now() + MAX_JWT_DURATION_SECONDS * 1000,
      })

      // Assess: a promotion makes next sign; nothing due changes nothing.
      const after_ = secret()
      expect(kid).toBe(after_.current.kid)
      if (step === 'none') expect(after_.current.kid).toBe(before.current.kid)
      else expect(after_.current.kid).toBe(before.next?.kid)
      const { jwks } = await checkAll(tollgate, minted, clock.now(), 'RS256')
      // Published before it signed: the JWKS a verifier cached before this rotation has it.
      await verifyBoth(jwt, previousJwks, 'RS256')
      expect(jwks.keys.map((key) => key.kid).sort()).toEqual(
        [after_.current, after_.previous, after_.next].flatMap((k) => (k ? [k.kid] : [])).sort(),
      )
      previousJwks = jwks
    }
    expect(new Set(minted.map(({ kid }) => kid)).size).toBe(4)
  })

  it('breaks no token with a pepper rotation: old hashes keep their version, new ones take the new', async () => {
    // Prepare: a token hashed with version 1 before the rotation.
    const adminJwt = await exchange(tollgate)
    const createToken = async (name: string) => {
      const response = await fetch(`${tollgate.server.url}/access-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminJwt}` },
        body: JSON.stringify({ name, service_account_id: await adminAccountId() }),
      })
      expect(response.status).toBe(201)
      return (await response.json()) as { id: string; token: string }
    }
    const adminAccountId = async () => {
      const response = await fetch(`${tollgate.server.url}/whoami`, {
        headers: { authorization: `Bearer ${adminJwt}` },
      })
      return ((await response.json()) as { sub: string }).sub
    }
    const before = await createToken('before-pepper-rotation')
    const pepper = JSON.parse(aws.secretsManager.valueOf(pepperSecretId) ?? '{}')

    // Act: the pepper rotation (docs/keys.md#the-pepper), a new current version beside the old ones.
    const { PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager')
    await aws.secretsManagerClient().send(
      new PutSecretValueCommand({
        SecretId: pepperSecretId,
        SecretString: JSON.stringify({
          current: '2',
          versions: { ...pepper.versions, '2': randomBytes(32).toString('base64url') },
        }),
      }),
    )
    await new Promise((resolve) => setTimeout(resolve, 1_100)) // the server's 1 s cache
    const after = await createToken('after-pepper-rotation')

    // Assess: every token exchanges, old and new; each record names the version that hashed it.
    for (const token of [tollgate.adminToken, before.token, after.token]) {
      const response = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: token }),
      })
      expect(response.status).toBe(200)
    }
    const versionOf = async (id: string) =>
      (await tollgate.dependencies.store.getTokenWithOwner(id)).token?.pepperVersion
    expect(await versionOf(before.id)).toBe('1')
    expect(await versionOf(after.id)).toBe('2')
  })
})
