import { TollgateError } from '../errors.js'
import { newPepperSecret, parsePepperSecret } from '../pepper-secret.js'
import type { Clock, JwtAlg, PublishedKeySet, SecretStore } from '../ports.js'
import {
  generateSigningKey,
  parseSigningKeySet,
  publicJwkOf,
  serializeSigningKeySet,
  signingKeysOf,
} from '../signing-keys.js'

export interface SeedKeysDependencies {
  /** Where the pepper and signing-key secrets live (Secrets Manager). */
  readonly secrets: SecretStore
  /** The public key-set item (KEYSET#public) of the stack's table. */
  readonly publishedKeys: PublishedKeySet
  readonly clock: Clock
  readonly log?: (message: string, fields: Readonly<Record<string, unknown>>) => void
}

export interface SeedKeysRequest {
  readonly alg: JwtAlg
  /** PEPPER_SECRET_ID. */
  readonly pepperSecretId: string
  /** SIGNING_KEYS_SECRET_ID; absent for KEY_SOURCE=kms, whose keys live in KMS. */
  readonly signingKeysSecretId?: string | undefined
  /**
   * Create a secret that does not exist, encrypted with `secretsKmsKeyId`:
   * what `tollgate keys init` does against LocalStack or a test endpoint.
   * The stack declares both secrets itself and passes false, so a missing
   * secret fails the deployment instead (its role has no CreateSecret).
   * @default true
   */
  readonly createMissing?: boolean
  /** The customer KMS key that encrypts secrets this creates (absent: the AWS managed key). */
  readonly secretsKmsKeyId?: string | undefined
}

/** What happened to each piece: made now, or found in place and kept. */
export type SeedOutcome = 'created' | 'kept' | 'not-applicable'

export interface KeysInitResult {
  readonly signingKeys: SeedOutcome
  readonly publicKeySet: 'written' | 'kept' | 'not-applicable'
  readonly pepper: SeedOutcome
}

/**
 * `tollgate keys init`, also run by the stack at deploy (a custom resource)
 * and by `npm start` against an emulator: seeds the pepper secret, and for
 * KEY_SOURCE=secrets-manager the signing-key secret and the public key-set
 * item. Idempotent: existing material is never overwritten, and a secret
 * holding something that is not ours is refused, not replaced.
 *
 * A fresh key set is `current` and `next`, both published (the item is
 * written before the secret, and their `published_at` taken after that
 * write). `current` must sign at once so a fresh stack works; that is safe
 * because no verifier can hold an older copy of a key set that did not
 * exist. `next` starts its 2 h + KEYS_CACHE_TTL wait at deploy, so the first
 * scheduled rotation can already promote it.
 *
 * Primary course:
 * 1. Seed the pepper secret.
 * 2. With a signing-key secret: seed it with `current` and `next`, publishing
 *    both before the secret holds them.
 * 3. Publish any key of that secret missing from the item (whoever wrote it).
 *
 * @example
 * await seedKeys({ secrets, publishedKeys, clock: systemClock },
 *   { alg: 'RS256', pepperSecretId, signingKeysSecretId })
 */
export const seedKeys = async (
  deps: SeedKeysDependencies,
  request: SeedKeysRequest,
): Promise<KeysInitResult> => {
  const seed = { ...deps, ...request }
  const pepper = await seedSecret(seed, request.pepperSecretId, newPepperSecret, (text) => {
    parsePepperSecret(text)
  })
  if (request.signingKeysSecretId === undefined) {
    return { signingKeys: 'not-applicable', publicKeySet: 'not-applicable', pepper }
  }
  const signing = await seedSigningKeys(seed, request.signingKeysSecretId)
  return { ...signing, pepper }
}

type Seed = SeedKeysDependencies & SeedKeysRequest

const seedSigningKeys = async (
  seed: Seed,
  secretId: string,
): Promise<Pick<KeysInitResult, 'signingKeys' | 'publicKeySet'>> => {
  const signingKeys = await seedSecret(
    seed,
    secretId,
    async () => {
      const now = seed.clock.now()
      const current = generateSigningKey(seed.alg, now)
      const next = generateSigningKey(seed.alg, now)
      // Publish first: by the time the secret exists, its keys are public.
      await seed.publishedKeys.write([current, next].map(publicJwkOf), now)
      const publishedAt = seed.clock.now()
      return serializeSigningKeySet({
        current: { ...current, publishedAt },
        next: { ...next, publishedAt },
        updatedAt: publishedAt,
      })
    },
    (text) => {
      parseSigningKeySet(text)
    },
  )
  // Whoever wrote the secret (this run, an earlier one, a concurrent one),
  // its keys must be in the public item.
  const written = await ensurePublished(seed, secretId)
  return {
    signingKeys,
    publicKeySet: signingKeys === 'created' || written ? 'written' : 'kept',
  }
}

/** Publishes any key of the secret missing from the item; resolves whether it wrote. */
const ensurePublished = async (seed: Seed, secretId: string): Promise<boolean> => {
  const text = await seed.secrets.read(secretId)
  if (text === undefined) throw new Error('The signing-key secret vanished during keys init.')
  const ours = signingKeysOf(parseSigningKeySet(text))
  const published = (await seed.publishedKeys.read()) ?? []
  const missing = ours.filter((key) => !published.some((jwk) => jwk.kid === key.kid))
  if (missing.length === 0) return false
  const others = published.filter((jwk) => !ours.some((key) => key.kid === jwk.kid))
  const keys = [...ours.map(publicJwkOf), ...others]
  await seed.publishedKeys.write(keys, seed.clock.now())
  // Their published_at predates this write; the log lets an operator delay the next promotion.
  seed.log?.('keys init: published keys missing from the key-set item', {
    kids: missing.map((key) => key.kid),
  })
  return true
}

/**
 * Creates the secret with `make()` when it does not exist (unless
 * `createMissing` is false), or fills it when it holds no value or a
 * placeholder (see isPlaceholder). A value `check` accepts is kept; any
 * other value is refused, so nothing that may be key material is overwritten.
 */
const seedSecret = async (
  seed: Seed,
  secretId: string,
  make: () => string | Promise<string>,
  check: (text: string) => void,
): Promise<'created' | 'kept'> => {
  const { secrets } = seed
  const text = await secrets.read(secretId)
  if (text !== undefined && !isPlaceholder(text)) {
    try {
      check(text)
    } catch (error) {
      throw new TollgateError(
        'internal',
        `The secret ${secretId} holds a value keys init does not recognise; it was left as is.`,
        { cause: error },
      )
    }
    return 'kept'
  }
  const exists = text !== undefined || (await secrets.describe(secretId)) !== undefined
  if (!exists && seed.createMissing === false) {
    throw new TollgateError('internal', `The secret ${secretId} does not exist.`)
  }
  const value = await make()
  if (exists) {
    await secrets.put(secretId, value)
  } else if (!(await secrets.create(secretId, value, seed.secretsKmsKeyId))) {
    return 'kept' // another init created it first; the caller re-reads it
  }
  seed.log?.('keys init: secret seeded', { secret_id: secretId })
  return 'created'
}

/**
 * What an unseeded secret holds: nothing, `{}` (a secret made by hand), or
 * the stack's placeholder `{"uninitialized": true, "placeholder": "<random>"}`
 * (CloudFormation must give a secret some value; infra/constructs/key-material.ts).
 */
const isPlaceholder = (text: string): boolean => {
  const trimmed = text.trim()
  if (trimmed === '' || /^\{\s*\}$/.test(trimmed)) return true
  let value: unknown
  try {
    value = JSON.parse(trimmed)
  } catch {
    return false
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const { uninitialized, placeholder, ...rest } = value as Record<string, unknown>
  return (
    uninitialized === true &&
    (placeholder === undefined || typeof placeholder === 'string') &&
    Object.keys(rest).length === 0
  )
}
