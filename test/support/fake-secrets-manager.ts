import { randomBytes, randomUUID } from 'node:crypto'
import { awsError, type FakeAnswer, type FakeKms } from './fake-kms.js'

interface Version {
  /** Undefined for the empty AWSPENDING version a rotation starts with. */
  value: string | undefined
  readonly stages: Set<string>
  readonly createdAt: number
}

interface Secret {
  readonly arn: string
  readonly name: string
  readonly kmsKeyId: string | undefined
  readonly versions: Map<string, Version>
  rotationEnabled: boolean
  scheduleExpression: string | undefined
}

/** The event Secrets Manager invokes a rotation function with. */
export interface RotationInvocation {
  readonly Step: string
  readonly SecretId: string
  readonly ClientRequestToken: string
}

/** A secret's rotation function, as the fake invokes it in Lambda's place. */
export type RotationFunction = (event: RotationInvocation) => Promise<void>

const notFound = (what: string) =>
  awsError(400, 'ResourceNotFoundException', `Secrets Manager can't find ${what}.`)
const invalid = (message: string) => awsError(400, 'InvalidParameterException', message)

/**
 * The parts of Secrets Manager Tollgate uses, with its staging-label rules:
 * CreateSecret, GetSecretValue, PutSecretValue (idempotent per
 * ClientRequestToken), DescribeSecret (VersionIdsToStages),
 * UpdateSecretVersionStage (AWSPREVIOUS follows AWSCURRENT) and RotateSecret.
 * RotateSecret starts a rotation (an empty AWSPENDING version; the test then
 * drives the rotation function's four steps itself), or, with
 * `RotateImmediately: false` (a schedule set or changed, as CloudFormation does
 * with `RotateImmediatelyOnUpdate: false`), tests the rotation configuration as
 * Secrets Manager documents it: an AWSPENDING version made from AWSCURRENT's
 * value, the rotation function's testSecret step only (the function given to
 * `rotateWith`), then the label removed. A failed test is answered as an error.
 */
export class FakeSecretsManager {
  readonly #secrets = new Map<string, Secret>()
  readonly #rotationFunctions = new Map<string, RotationFunction>()
  readonly #kms: FakeKms

  constructor(kms: FakeKms) {
    this.#kms = kms
  }

  /** Test view: the value at a stage, undefined when there is none. */
  valueOf(secretId: string, stage = 'AWSCURRENT'): string | undefined {
    const secret = this.#find(secretId)
    return [...(secret?.versions.values() ?? [])].find((v) => v.stages.has(stage))?.value
  }

  /** Test view: every labelled version's stages. */
  stagesOf(secretId: string): Record<string, string[]> {
    return Object.fromEntries(
      [...(this.#find(secretId)?.versions ?? [])]
        .filter(([, version]) => version.stages.size > 0)
        .map(([id, version]) => [id, [...version.stages].sort()]),
    )
  }

  /** Test setup: the rotation function RotateSecret invokes for `secretId` (Lambda's part). */
  rotateWith(secretId: string, fn: RotationFunction): void {
    const secret = this.#find(secretId)
    if (secret === undefined) throw new Error(`no secret ${secretId}`)
    this.#rotationFunctions.set(secret.arn, fn)
  }

  /** Test view: the secret's rotation schedule, undefined before any. */
  scheduleOf(secretId: string): string | undefined {
    return this.#find(secretId)?.scheduleExpression
  }

  handle(operation: string, input: Record<string, unknown>): FakeAnswer | Promise<FakeAnswer> {
    if (operation === 'CreateSecret') return this.#create(input)
    const secret = this.#find(input.SecretId)
    if (secret === undefined) return notFound('the specified secret')
    switch (operation) {
      case 'GetSecretValue':
        return this.#get(secret, input)
      case 'PutSecretValue':
        return this.#put(secret, input)
      case 'DescribeSecret':
        return this.#describe(secret)
      case 'UpdateSecretVersionStage':
        return this.#updateStage(secret, input)
      case 'RotateSecret':
        return this.#rotate(secret, input)
      default:
        return awsError(400, 'UnknownOperationException', `${operation} is not faked`)
    }
  }

  #create(input: Record<string, unknown>): FakeAnswer {
    const name = String(input.Name)
    if (this.#find(name) !== undefined) {
      return awsError(400, 'ResourceExistsException', `The secret ${name} already exists.`)
    }
    const suffix = randomBytes(3).toString('hex')
    const arn = `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-${suffix}`
    const kmsKeyId = typeof input.KmsKeyId === 'string' ? input.KmsKeyId : undefined
    const secret: Secret = {
      arn,
      name,
      kmsKeyId,
      versions: new Map(),
      rotationEnabled: false,
      scheduleExpression: undefined,
    }
    this.#secrets.set(arn, secret)
    const versionId = String(input.ClientRequestToken ?? randomUUID())
    if (typeof input.SecretString === 'string') {
      secret.versions.set(versionId, {
        value: input.SecretString,
        stages: new Set(['AWSCURRENT']),
        createdAt: Date.now(),
      })
    }
    return { status: 200, body: { ARN: arn, Name: name, VersionId: versionId } }
  }

  #get(secret: Secret, input: Record<string, unknown>): FakeAnswer {
    const stage = typeof input.VersionStage === 'string' ? input.VersionStage : undefined
    const entry =
      typeof input.VersionId === 'string'
        ? ([input.VersionId, secret.versions.get(input.VersionId)] as const)
        : [...secret.versions].find(([, v]) => v.stages.has(stage ?? 'AWSCURRENT'))
    const [versionId, version] = entry ?? []
    if (version?.value === undefined || (stage !== undefined && !version.stages.has(stage))) {
      return notFound(`the secret value for staging label: ${stage ?? 'AWSCURRENT'}`)
    }
    if (secret.kmsKeyId !== undefined && !this.#kms.canDecrypt(secret.kmsKeyId)) {
      return awsError(400, 'DecryptionFailure', `KMS key ${secret.kmsKeyId} cannot decrypt.`)
    }
    return {
      status: 200,
      body: {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: versionId,
        SecretString: version.value,
        VersionStages: [...version.stages],
        CreatedDate: version.createdAt / 1000,
      },
    }
  }

  #put(secret: Secret, input: Record<string, unknown>): FakeAnswer {
    const versionId = String(input.ClientRequestToken)
    const value = String(input.SecretString)
    const stages = Array.isArray(input.VersionStages)
      ? input.VersionStages.map(String)
      : ['AWSCURRENT']
    const existing = secret.versions.get(versionId)
    if (existing?.value !== undefined) {
      // Idempotent: the same token with the same value is a repeat, anything else a conflict.
      if (existing.value !== value) {
        return awsError(400, 'ResourceExistsException', `Version ${versionId} already exists.`)
      }
    } else {
      const version = existing ?? { value, stages: new Set<string>(), createdAt: Date.now() }
      version.value = value
      secret.versions.set(versionId, version)
      for (const stage of stages) this.#attach(secret, stage, versionId)
    }
    const labels = [...(secret.versions.get(versionId)?.stages ?? [])]
    return {
      status: 200,
      body: { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: labels },
    }
  }

  #describe(secret: Secret): FakeAnswer {
    return {
      status: 200,
      body: {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.kmsKeyId === undefined ? {} : { KmsKeyId: secret.kmsKeyId }),
        RotationEnabled: secret.rotationEnabled,
        VersionIdsToStages: this.stagesOf(secret.arn),
      },
    }
  }

  #updateStage(secret: Secret, input: Record<string, unknown>): FakeAnswer {
    const stage = String(input.VersionStage)
    const moveTo = typeof input.MoveToVersionId === 'string' ? input.MoveToVersionId : undefined
    const removeFrom =
      typeof input.RemoveFromVersionId === 'string' ? input.RemoveFromVersionId : undefined
    const holder = [...secret.versions].find(([, v]) => v.stages.has(stage))?.[0]
    if (removeFrom !== undefined && holder !== removeFrom) {
      return invalid(`The staging label ${stage} is not attached to version ${removeFrom}.`)
    }
    if (
      moveTo !== undefined &&
      holder !== undefined &&
      holder !== moveTo &&
      removeFrom === undefined
    ) {
      return invalid(`The staging label ${stage} is attached to ${holder}; name it to remove it.`)
    }
    if (moveTo !== undefined && !secret.versions.has(moveTo)) return notFound(`version ${moveTo}`)
    if (moveTo === undefined) {
      if (removeFrom !== undefined) secret.versions.get(removeFrom)?.stages.delete(stage)
    } else {
      this.#attach(secret, stage, moveTo)
    }
    return { status: 200, body: { ARN: secret.arn, Name: secret.name } }
  }

  async #rotate(secret: Secret, input: Record<string, unknown>): Promise<FakeAnswer> {
    const pending = [...secret.versions].find(([, v]) => v.stages.has('AWSPENDING'))
    if (pending !== undefined && !pending[1].stages.has('AWSCURRENT')) {
      return awsError(400, 'InvalidRequestException', 'A previous rotation isn’t complete.')
    }
    if (pending !== undefined) pending[1].stages.delete('AWSPENDING')
    const rules = input.RotationRules as { ScheduleExpression?: unknown } | undefined
    if (typeof rules?.ScheduleExpression === 'string') {
      secret.scheduleExpression = rules.ScheduleExpression
    }
    secret.rotationEnabled = true
    const versionId = String(input.ClientRequestToken ?? randomUUID())
    if (input.RotateImmediately === false) return this.#testRotation(secret, versionId)
    secret.versions.set(versionId, {
      value: undefined,
      stages: new Set(['AWSPENDING']),
      createdAt: Date.now(),
    })
    return { status: 200, body: { ARN: secret.arn, Name: secret.name, VersionId: versionId } }
  }

  /** testSecret on a pending copy of AWSCURRENT, then the copy's label goes. */
  async #testRotation(secret: Secret, versionId: string): Promise<FakeAnswer> {
    const fn = this.#rotationFunctions.get(secret.arn)
    if (fn === undefined) return invalid('No rotation function is set for this secret.')
    const current = [...secret.versions.values()].find((v) => v.stages.has('AWSCURRENT'))
    const version = {
      value: current?.value,
      stages: new Set(['AWSPENDING']),
      createdAt: Date.now(),
    }
    secret.versions.set(versionId, version)
    try {
      await fn({ Step: 'testSecret', SecretId: secret.arn, ClientRequestToken: versionId })
    } catch (error) {
      return awsError(400, 'InvalidRequestException', `The rotation test failed: ${error}`)
    } finally {
      version.stages.delete('AWSPENDING')
    }
    return { status: 200, body: { ARN: secret.arn, Name: secret.name } }
  }

  /** Moves `stage` to `versionId`; AWSPREVIOUS follows a moved AWSCURRENT. */
  #attach(secret: Secret, stage: string, versionId: string): void {
    for (const [id, version] of secret.versions) {
      if (id === versionId || !version.stages.delete(stage)) continue
      if (stage === 'AWSCURRENT') this.#attach(secret, 'AWSPREVIOUS', id)
    }
    secret.versions.get(versionId)?.stages.add(stage)
  }

  #find(id: unknown): Secret | undefined {
    if (typeof id !== 'string') return undefined
    return this.#secrets.get(id) ?? [...this.#secrets.values()].find((secret) => secret.name === id)
  }
}
