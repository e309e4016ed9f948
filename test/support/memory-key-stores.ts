import { randomUUID } from 'node:crypto'
import type {
  PublicJwk,
  PublishedKeySet,
  SecretDescription,
  SecretStore,
  SecretVersion,
} from '../../functions/core/ports.js'

interface Version {
  /** Undefined for the empty AWSPENDING version a rotation starts with. */
  value: string | undefined
  readonly stages: Set<string>
}

interface Secret {
  rotationEnabled: boolean
  readonly versions: Map<string, Version>
}

/**
 * Secrets Manager's version and staging-label rules, in memory: a label is
 * on one version at a time, a put without stages makes the value
 * AWSCURRENT, a repeated put of the same version and value changes nothing.
 */
export class MemorySecretStore implements SecretStore {
  readonly #secrets = new Map<string, Secret>()
  /** Every write, in order: what a test asserts did (not) happen. */
  readonly writes: string[] = []

  /** Test view: the value at a stage. */
  valueOf(secretId: string, stage = 'AWSCURRENT'): string | undefined {
    const versions = this.#secrets.get(secretId)?.versions.values() ?? []
    return [...versions].find((version) => version.stages.has(stage))?.value
  }

  /** What RotateSecret does before the rotation function runs: an empty AWSPENDING version. */
  startRotation(secretId: string, token = randomUUID()): string {
    const secret = this.#secrets.get(secretId)
    if (secret === undefined) throw new Error(`no secret ${secretId}`)
    secret.rotationEnabled = true
    this.#attach(secret, 'AWSPENDING', token, undefined)
    return token
  }

  async read(secretId: string, version: SecretVersion = {}): Promise<string | undefined> {
    const versions = this.#secrets.get(secretId)?.versions
    const { versionId, stage } = version
    const found =
      versionId === undefined
        ? [...(versions?.values() ?? [])].find((v) => v.stages.has(stage ?? 'AWSCURRENT'))
        : versions?.get(versionId)
    if (stage !== undefined && found?.stages.has(stage) !== true) return undefined
    return found?.value
  }

  async describe(secretId: string): Promise<SecretDescription | undefined> {
    const secret = this.#secrets.get(secretId)
    if (secret === undefined) return undefined
    const stages = [...secret.versions]
      .filter(([, version]) => version.stages.size > 0)
      .map(([id, version]) => [id, [...version.stages]])
    return { rotationEnabled: secret.rotationEnabled, stages: Object.fromEntries(stages) }
  }

  async create(secretId: string, value: string): Promise<boolean> {
    if (this.#secrets.has(secretId)) return false
    this.writes.push(`create ${secretId}`)
    const secret: Secret = { rotationEnabled: false, versions: new Map() }
    this.#secrets.set(secretId, secret)
    this.#attach(secret, 'AWSCURRENT', randomUUID(), value)
    return true
  }

  async put(
    secretId: string,
    value: string,
    version: { readonly versionId?: string; readonly stages?: readonly string[] } = {},
  ): Promise<void> {
    const secret = this.#secrets.get(secretId)
    if (secret === undefined) throw new Error(`no secret ${secretId}`)
    const versionId = version.versionId ?? randomUUID()
    const existing = secret.versions.get(versionId)?.value
    if (existing === value) return
    if (existing !== undefined) throw new Error(`version ${versionId} already holds a value`)
    this.writes.push(`put ${secretId}`)
    for (const stage of version.stages ?? ['AWSCURRENT']) {
      this.#attach(secret, stage, versionId, value)
    }
  }

  async moveStage(
    secretId: string,
    stage: string,
    versions: { readonly moveTo?: string; readonly removeFrom?: string },
  ): Promise<void> {
    const secret = this.#secrets.get(secretId)
    if (secret === undefined) throw new Error(`no secret ${secretId}`)
    this.writes.push(`move ${stage} ${secretId}`)
    if (versions.removeFrom !== undefined) {
      secret.versions.get(versions.removeFrom)?.stages.delete(stage)
    }
    if (versions.moveTo !== undefined) {
      this.#attach(secret, stage, versions.moveTo, secret.versions.get(versions.moveTo)?.value)
    }
  }

  #attach(secret: Secret, stage: string, versionId: string, value: string | undefined): void {
    for (const version of secret.versions.values()) version.stages.delete(stage)
    const version = secret.versions.get(versionId) ?? { value, stages: new Set<string>() }
    version.value = value
    version.stages.add(stage)
    secret.versions.set(versionId, version)
  }
}

/** The public key-set item, in memory, with its condition: a newer set is never replaced. */
export class MemoryPublishedKeySet implements PublishedKeySet {
  keys: readonly PublicJwk[] | undefined
  updatedAt = Number.NEGATIVE_INFINITY

  async read(): Promise<readonly PublicJwk[] | undefined> {
    return this.keys
  }

  async write(keys: readonly PublicJwk[], updatedAt: number): Promise<boolean> {
    if (updatedAt < this.updatedAt) return false
    this.keys = keys
    this.updatedAt = updatedAt
    return true
  }
}
