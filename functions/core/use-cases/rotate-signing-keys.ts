import { type RotationContext, type RotationTiming, rotateKeySet } from '../key-rotation.js'
import { createPublicKey, sign, verify } from '../node-crypto.js'
import type { Clock, JwtAlg, PublishedKeySet, SecretStore } from '../ports.js'
import {
  parseSigningKeySet,
  privateKeyOf,
  publicJwkOf,
  type SigningKeySet,
  serializeSigningKeySet,
  signingKeysOf,
} from '../signing-keys.js'

export interface RotationDependencies {
  /** Holds the signing-key secret being rotated. */
  readonly secrets: SecretStore
  /** The public key-set item (KEYSET#public) verifiers read. */
  readonly publishedKeys: PublishedKeySet
  readonly alg: JwtAlg
  readonly timing: RotationTiming
  readonly clock: Clock
  /** Structured log lines: steps, kids and reasons only, never key material. */
  readonly log: (message: string, fields: Readonly<Record<string, unknown>>) => void
  readonly generateKey?: RotationContext['generateKey']
}

/** One step of Secrets Manager's rotation contract, as its event names it. */
export interface RotationRequest {
  /** `createSecret`, `setSecret`, `testSecret` or `finishSecret`; anything else is refused. */
  readonly step: string
  readonly secretId: string
  /** The version being rotated to (the event's ClientRequestToken). */
  readonly token: string
}

interface Step {
  readonly deps: RotationDependencies
  readonly secretId: string
  readonly token: string
}

/**
 * One step of the signing-key secret's rotation (KEY_SOURCE=secrets-manager),
 * following Secrets Manager's four-step contract.
 *
 * Primary course:
 * 1. createSecret: decide the due step by the clock (core/key-rotation.ts)
 *    and put the resulting key set as AWSPENDING (idempotent per token; when
 *    nothing is due, the same keys, and the log says why).
 * 2. setSecret: publish the pending set's public keys (KEYSET#public), before
 *    anything can sign with them.
 * 3. testSecret: every pending key signs and verifies, and is published
 *    (at any age: Secrets Manager runs this step alone when a schedule changes).
 * 4. finishSecret: move AWSCURRENT to the pending version.
 *
 * Any other step finding the pending version older than the step window abandons it
 * (removes AWSPENDING) and fails, so its time stamps are never relied on late.
 * A version already AWSCURRENT makes every step a logged no-op.
 *
 * @example
 * await rotateSigningKeys(deps, { step: 'createSecret', secretId, token })
 */
export const rotateSigningKeys = async (
  deps: RotationDependencies,
  request: RotationRequest,
): Promise<void> => {
  const { step: stepName, secretId, token } = request
  const step: Step = { deps, secretId, token }
  const secret = await deps.secrets.describe(secretId)
  if (secret === undefined) throw new Error('The secret to rotate does not exist.')
  if (!secret.rotationEnabled) throw new Error('Rotation is not enabled for this secret.')
  const stages = secret.stages[token]
  if (stages === undefined) throw new Error('The version has no stage for rotation.')
  if (stages.includes('AWSCURRENT')) {
    deps.log('Key rotation: version already current', { step: stepName, version: token })
    return
  }
  if (!stages.includes('AWSPENDING')) throw new Error('The version is not AWSPENDING.')
  switch (stepName) {
    case 'createSecret':
      return createPending(step)
    case 'setSecret':
      return publishPending(step)
    case 'testSecret':
      return testPending(step)
    case 'finishSecret':
      return finish(step, secret.stages)
    default:
      throw new Error('Unknown rotation step.')
  }
}

const createPending = async ({ deps, secretId, token }: Step): Promise<void> => {
  const currentText = await deps.secrets.read(secretId, { stage: 'AWSCURRENT' })
  if (currentText === undefined) throw new Error('The secret has no AWSCURRENT value.')
  const pendingText = await deps.secrets.read(secretId, { versionId: token, stage: 'AWSPENDING' })
  if (pendingText !== undefined) {
    await ensureFresh({ deps, secretId, token }, parseSigningKeySet(pendingText))
    deps.log('Key rotation: pending version already created', { version: token })
    return
  }
  const decision = rotateKeySet(parseSigningKeySet(currentText), {
    now: deps.clock.now(),
    timing: deps.timing,
    alg: deps.alg,
    ...(deps.generateKey === undefined ? {} : { generateKey: deps.generateKey }),
  })
  await deps.secrets.put(secretId, serializeSigningKeySet(decision.keySet), {
    versionId: token,
    stages: ['AWSPENDING'],
  })
  deps.log('Key rotation: pending key set created', {
    version: token,
    rotation_step: decision.step,
    reason: decision.reason,
    ...kidsOf(decision.keySet),
  })
}

const publishPending = async (step: Step): Promise<void> => {
  const pending = await readPending(step)
  const keys = signingKeysOf(pending).map(publicJwkOf)
  const written = await step.deps.publishedKeys.write(keys, pending.updatedAt)
  if (!written) throw new Error('A newer key set is already published; not rolling it back.')
  step.deps.log('Key rotation: public key set published', {
    version: step.token,
    ...kidsOf(pending),
  })
}

/**
 * Writes nothing and relies on no stamp, so it takes the pending set at any
 * age: Secrets Manager also calls this step alone, on a pending copy of the
 * current set it makes when a schedule is set or changed, and removes it after.
 * A stale version of a real rotation is still abandoned by finishSecret.
 */
const testPending = async (step: Step): Promise<void> => {
  const pending = await readPending(step, { anyAge: true })
  const published = await step.deps.publishedKeys.read()
  const publishedKids = new Set((published ?? []).map((key) => key.kid))
  const probe = Buffer.from(`tollgate key rotation ${step.token}`)
  for (const key of signingKeysOf(pending)) {
    const dsa = key.alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {}
    const signature = sign('sha256', probe, { key: privateKeyOf(key), ...dsa })
    const publicKey = createPublicKey({ key: publicJwkOf(key), format: 'jwk' })
    if (!verify('sha256', probe, { key: publicKey, ...dsa }, signature)) {
      throw new Error(`Key ${key.kid} does not verify its own signature.`)
    }
    if (!publishedKids.has(key.kid)) throw new Error(`Key ${key.kid} is not published.`)
  }
  step.deps.log('Key rotation: pending keys tested', { version: step.token, ...kidsOf(pending) })
}

const finish = async (step: Step, stages: Readonly<Record<string, string[]>>): Promise<void> => {
  await readPending(step)
  const current = Object.keys(stages).find((id) => stages[id]?.includes('AWSCURRENT'))
  const { secrets } = step.deps
  await secrets.moveStage(step.secretId, 'AWSCURRENT', {
    moveTo: step.token,
    ...(current === undefined ? {} : { removeFrom: current }),
  })
  await secrets.moveStage(step.secretId, 'AWSPENDING', { removeFrom: step.token })
  step.deps.log('Key rotation: finished', { version: step.token })
}

/** The pending key set, if it is still fresh enough to act on (or `anyAge`). */
const readPending = async (
  step: Step,
  { anyAge }: { readonly anyAge: boolean } = { anyAge: false },
): Promise<SigningKeySet> => {
  const text = await step.deps.secrets.read(step.secretId, {
    versionId: step.token,
    stage: 'AWSPENDING',
  })
  if (text === undefined) throw new Error('The pending version has no value.')
  const pending = parseSigningKeySet(text)
  if (!anyAge) await ensureFresh(step, pending)
  return pending
}

/**
 * The stamps in a pending set hold only if every step runs within the step
 * window of createSecret. A version found later is abandoned: AWSPENDING is
 * removed so the next scheduled rotation starts afresh with new stamps.
 */
const ensureFresh = async (step: Step, pending: SigningKeySet): Promise<void> => {
  const deadline = pending.updatedAt + step.deps.timing.stepWindowSeconds * 1000
  if (step.deps.clock.now() <= deadline) return
  await step.deps.secrets.moveStage(step.secretId, 'AWSPENDING', { removeFrom: step.token })
  step.deps.log('Key rotation: stale pending version abandoned', { version: step.token })
  throw new Error('The pending version is older than the step window; it was abandoned.')
}

const kidsOf = (set: SigningKeySet) => ({
  current_kid: set.current.kid,
  previous_kid: set.previous?.kid,
  next_kid: set.next?.kid,
})
