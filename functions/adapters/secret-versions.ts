import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager'
import type { SecretStore } from '../core/ports.js'
import { translateAwsError } from './aws-errors.js'

/**
 * Thin calls on secret versions for the rotation function and keys init
 * (through `secretsManagerSecretStore`, their port).
 * They never log, and translate every SDK failure (`unavailable` for an
 * outage, `internal` otherwise) except the "not found" that callers branch on.
 */

const isNotFound = (error: unknown): boolean =>
  (error as { name?: string } | null)?.name === 'ResourceNotFoundException'

/**
 * The string of one version (by id and/or stage; AWSCURRENT by default), or
 * undefined when there is no such version or it holds no value yet.
 *
 * @example
 * const pending = await secretString(client, arn, { versionId: token, stage: 'AWSPENDING' })
 */
export const secretString = async (
  client: SecretsManagerClient,
  secretId: string,
  version: { readonly versionId?: string; readonly stage?: string } = {},
): Promise<string | undefined> => {
  try {
    const output = await client.send(
      new GetSecretValueCommand({
        SecretId: secretId,
        ...(version.versionId === undefined ? {} : { VersionId: version.versionId }),
        ...(version.stage === undefined ? {} : { VersionStage: version.stage }),
      }),
    )
    return output.SecretString
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw translateAwsError(error)
  }
}

/**
 * What the rotation needs of DescribeSecret; undefined when the secret does not exist.
 *
 * @example
 * const { rotationEnabled, stages } = (await describeSecret(client, arn)) ?? fail()
 */
export const describeSecret = async (
  client: SecretsManagerClient,
  secretId: string,
): Promise<
  | { readonly rotationEnabled: boolean; readonly stages: Readonly<Record<string, string[]>> }
  | undefined
> => {
  try {
    const output = await client.send(new DescribeSecretCommand({ SecretId: secretId }))
    return {
      rotationEnabled: output.RotationEnabled === true,
      stages: output.VersionIdsToStages ?? {},
    }
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw translateAwsError(error)
  }
}

/**
 * Puts a value as the version `versionId` with `stages` (Secrets Manager
 * treats a repeat with the same token and value as a no-op, which keeps a
 * retried createSecret idempotent). Without a version id the SDK makes one,
 * and without stages the new version becomes AWSCURRENT.
 *
 * @example
 * await putSecretString(client, arn, text, { versionId: token, stages: ['AWSPENDING'] })
 */
export const putSecretString = async (
  client: SecretsManagerClient,
  secretId: string,
  value: string,
  version: { readonly versionId?: string; readonly stages?: readonly string[] } = {},
): Promise<void> => {
  try {
    await client.send(
      new PutSecretValueCommand({
        SecretId: secretId,
        SecretString: value,
        ...(version.versionId === undefined ? {} : { ClientRequestToken: version.versionId }),
        ...(version.stages === undefined ? {} : { VersionStages: [...version.stages] }),
      }),
    )
  } catch (error) {
    throw translateAwsError(error)
  }
}

/**
 * Creates the secret with its first value (AWSCURRENT), encrypted with
 * `kmsKeyId` when given. Resolves false when it already exists.
 *
 * @example
 * const created = await createSecret(client, 'tollgate/pepper', newPepperSecret(), cmkArn)
 */
export const createSecret = async (
  client: SecretsManagerClient,
  name: string,
  value: string,
  kmsKeyId?: string,
): Promise<boolean> => {
  try {
    await client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: value,
        ...(kmsKeyId === undefined ? {} : { KmsKeyId: kmsKeyId }),
      }),
    )
    return true
  } catch (error) {
    if ((error as { name?: string } | null)?.name === 'ResourceExistsException') return false
    throw translateAwsError(error)
  }
}

/**
 * Moves (or, without `moveTo`, removes) a staging label.
 *
 * @example
 * await moveStage(client, arn, 'AWSCURRENT', { moveTo: token, removeFrom: currentVersion })
 */
export const moveStage = async (
  client: SecretsManagerClient,
  secretId: string,
  stage: string,
  versions: { readonly moveTo?: string; readonly removeFrom?: string },
): Promise<void> => {
  try {
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: stage,
        ...(versions.moveTo === undefined ? {} : { MoveToVersionId: versions.moveTo }),
        ...(versions.removeFrom === undefined ? {} : { RemoveFromVersionId: versions.removeFrom }),
      }),
    )
  } catch (error) {
    throw translateAwsError(error)
  }
}

/**
 * The SecretStore of keys init and the rotation: the calls above on one client.
 *
 * @example
 * const secrets = secretsManagerSecretStore(createSecretsManagerClient({ endpoint }))
 */
export const secretsManagerSecretStore = (client: SecretsManagerClient): SecretStore => ({
  read: (secretId, version) => secretString(client, secretId, version),
  describe: (secretId) => describeSecret(client, secretId),
  create: (secretId, value, kmsKeyId) => createSecret(client, secretId, value, kmsKeyId),
  put: (secretId, value, version) => putSecretString(client, secretId, value, version),
  moveStage: (secretId, stage, versions) => moveStage(client, secretId, stage, versions),
})
