import { randomUUID } from 'node:crypto'
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../functions/local/free-port.js'
import { createTestTable } from '../support/dynamodb.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'
import { type NpmStart, runNpmStart } from '../support/npm-start.js'
import { useTempDirs } from '../support/temp-dirs.js'

const TOKEN_LINE = /^ {4}(tg[sp]_[0-9A-Za-z]{71})$/m

let aws: FakeAws
beforeAll(async () => {
  aws = await startFakeAws()
})
afterAll(() => aws.close())

/**
 * `npm start` with the production key sources against an emulator's endpoints
 * (here the tests' fake, as it would be LocalStack): it seeds the key material
 * as `tollgate keys init` does, then serves JWTs that verify against its JWKS.
 */
describe('npm start with KEY_SOURCE=kms or secrets-manager', () => {
  const tempDir = useTempDirs()

  it.each([
    ['secrets-manager', { SIGNING_KEYS_SECRET_ID: `tollgate/signing-keys-${randomUUID()}` }],
    ['kms', { KMS_KEY_IDS: '' }],
  ] as const)('serves %s keys from the emulator, seeded at start', async (keySource, extra) => {
    const table = await createTestTable()
    const url = `http://127.0.0.1:${await freePort()}`
    const env: Record<string, string> = {
      PORT: new URL(url).port,
      DATA_DIR: await tempDir('start'),
      TABLE_NAME: table.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_ENDPOINT_URL_KMS: aws.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      KEY_SOURCE: keySource,
      JWT_ALG: 'ES256',
      PEPPER_SECRET_ID: `tollgate/pepper-${randomUUID()}`,
      ...extra,
      ...(keySource === 'kms' ? { KMS_KEY_IDS: aws.kms.createKey('ECC_NIST_P256').arn } : {}),
    }
    let npm: NpmStart | undefined
    try {
      npm = runNpmStart(env)
      const token = (await npm.waitFor(TOKEN_LINE, { timeoutMs: 90_000 }))[1] ?? ''
      const exchanged = await fetch(`${url}/access-tokens/jwt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: token }),
      })
      const { jwt } = (await exchanged.json()) as { jwt: string }
      const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as JSONWebKeySet

      expect(exchanged.status).toBe(200)
      await jwtVerify(jwt, createLocalJWKSet(jwks), { algorithms: ['ES256'], audience: 'tollgate' })
      expect(npm.stderr()).toMatch(
        keySource === 'kms'
          ? /keys \(kms at http:\/\/127\.0\.0\.1:\d+\): pepper created, signing keys not-applicable/
          : /keys \(secrets-manager at .*\): pepper created, signing keys created, public key set written/,
      )
      // The dev issuer exists only in local mode.
      expect((await fetch(`${url}/dev/jwks.json`)).status).toBe(404)
      expect(await npm.stop()).toBe(0)
    } finally {
      await npm?.stop()
    }
  })
})
