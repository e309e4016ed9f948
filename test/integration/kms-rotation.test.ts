import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKmsKeySet } from '../../functions/adapters/kms-key-set.js'
import { kmsPublicKeyFetcher } from '../../functions/adapters/kms-public-keys.js'
import { createKmsSigner } from '../../functions/adapters/kms-signer.js'
import type { PublicJwk } from '../../functions/core/ports.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'
import { fixedClock } from '../support/fakes.js'
import { mint, verifyWithJose } from '../support/jwt-checks.js'

const HOUR = 3_600_000
const MAX_JWT_DURATION_SECONDS = 43_200
const KEYS_CACHE_TTL_SECONDS = 300

let aws: FakeAws
beforeAll(async () => {
  aws = await startFakeAws()
})
afterAll(() => aws.close())

/**
 * The KMS rotation procedure on KMS_KEY_IDS (docs/design.md#keys), walked with a JWT minted at
 * each step and checked at every later step: by a verifier that loads the
 * key set of that step, and by one still holding the JWKS it fetched at the
 * step before (API Gateway's JWT authorizer may keep one for 2 h).
 */
describe('KMS key rotation (docs/design.md#keys)', () => {
  it.each(['RS256', 'ES256'] as const)(
    'never leaves a valid %s JWT without its key',
    async (alg) => {
      // Prepare
      const spec = alg === 'RS256' ? 'RSA_2048' : 'ECC_NIST_P256'
      const old = aws.kms.createKey(spec).keyId
      const fresh = aws.kms.createKey(spec).keyId
      const clock = fixedClock(Date.now())
      const kms = aws.kmsClient()
      /** One deployment: what a Lambda built with this KMS_KEY_IDS does. */
      const deploy = (keyIds: string[]) => {
        const options = { kms, keyIds, alg, cacheTtlSeconds: KEYS_CACHE_TTL_SECONDS, clock }
        return {
          signer: createKmsSigner(options),
          keySet: createKmsKeySet({ ...options, fetchPublicKey: kmsPublicKeyFetcher(kms, alg) }),
        }
      }
      const steps: Array<{ name: string; keyIds: string[]; waitMs: number }> = [
        { name: 'start', keyIds: [old], waitMs: 0 },
        { name: 'add the new key last', keyIds: [old, fresh], waitMs: HOUR },
        // ≥ 2 h (API Gateway's JWKS cache) + KEYS_CACHE_TTL after the new key was published.
        {
          name: 'move it first',
          keyIds: [fresh, old],
          waitMs: 2 * HOUR + KEYS_CACHE_TTL_SECONDS * 1000,
        },
        // The old key stopped signing at the previous step; its last JWT has expired.
        {
          name: 'remove the old key',
          keyIds: [fresh],
          waitMs: (MAX_JWT_DURATION_SECONDS + KEYS_CACHE_TTL_SECONDS + 60) * 1000,
        },
      ]
      const minted: Array<{ step: string; jwt: string; exp: number }> = []
      let previousJwks: readonly PublicJwk[] = []

      for (const step of steps) {
        // Act
        clock.advance(step.waitMs)
        const { signer, keySet } = deploy(step.keyIds)
        const jwks = await keySet.publicKeys()
        const jwt = await mint(signer, clock.now(), MAX_JWT_DURATION_SECONDS, step.name)
        minted.push({ step: step.name, jwt, exp: clock.now() + MAX_JWT_DURATION_SECONDS * 1000 })

        // Assess: every JWT still valid verifies with this step's JWKS, and the one
        // just minted also with the JWKS a verifier cached one step earlier.
        for (const earlier of minted.filter(({ exp }) => exp > clock.now())) {
          await verifyWithJose(earlier.jwt, jwks, alg, clock.now())
        }
        if (previousJwks.length > 0) await verifyWithJose(jwt, previousJwks, alg, clock.now())
        previousJwks = jwks
      }
      expect(minted.filter(({ exp }) => exp > clock.now()).map(({ step }) => step)).toEqual([
        'remove the old key',
      ])
    },
  )
})
