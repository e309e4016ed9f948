import {
  type RotationDependencies,
  rotateSigningKeys,
} from '../core/use-cases/rotate-signing-keys.js'

/** The event Secrets Manager invokes a rotation function with, once per step. */
export interface RotationEvent {
  readonly Step: string
  readonly SecretId: string
  readonly ClientRequestToken: string
}

/**
 * The signing-key secret's rotation function (KEY_SOURCE=secrets-manager):
 * Secrets Manager calls it once per step of its four-step contract, and each
 * call runs that step (core/use-cases/rotate-signing-keys.ts).
 *
 * @example
 * export const handler = createKeyRotationHandler(async () => dependencies)
 */
export const createKeyRotationHandler =
  (dependencies: () => Promise<RotationDependencies>) =>
  async (event: RotationEvent): Promise<void> =>
    rotateSigningKeys(await dependencies(), {
      step: event.Step,
      secretId: event.SecretId,
      token: event.ClientRequestToken,
    })
