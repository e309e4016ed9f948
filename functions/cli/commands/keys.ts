import { type Config, parseConfig, type RemoteKeyConfig } from '../../core/config.js'
import { TollgateError } from '../../core/errors.js'
import { requireKeyMaterial } from '../../core/key-material.js'
import type { KeysInitResult } from '../../core/use-cases/seed-keys.js'
import { helpText, parseCommand } from '../args.js'
import type { Command, CommandGroup } from '../command.js'
import { EXIT, UsageError } from '../exit-codes.js'
import type { CliIo } from '../io.js'
import { withOptionalPeers } from '../optional-peers.js'
import { fields, printer } from '../output.js'

const initCommand: Command = {
  name: 'init',
  summary: 'Seed the pepper, signing-key secret and public key set (kms, secrets-manager)',
  help: helpText({
    usage: 'tollgate keys init [--kms-key-id KEY]',
    description: `Seeds the key material of KEY_SOURCE=kms or secrets-manager against whatever
endpoint the AWS SDK is given (AWS_ENDPOINT_URL_SECRETS_MANAGER,
AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL: LocalStack, a test endpoint; else
AWS itself), straight from the configuration, not over HTTP:
- the pepper secret PEPPER_SECRET_ID: {"current", "versions"};
- with secrets-manager, the public key set (item KEYSET#public in TABLE_NAME)
  and then the signing-key secret SIGNING_KEYS_SECRET_ID, whose current key
  signs at once and whose next key waits for the rotation.
Idempotent: material already there is kept (and published keys missing from
the item are published again). A secret that holds anything else is refused,
never overwritten. A secret that does not exist is created, encrypted with
--kms-key-id (else the AWS managed key); one holding nothing, {} or the
stack's placeholder is filled. With an explicit DynamoDB endpoint the table is
created if missing. The stack runs the same code once at deploy, into the
secrets it declares.

Exit codes: 0 done, 1 refused (a secret holds something else), 2 usage or bad
configuration, 6 a service unavailable.`,
    options: `  --kms-key-id KEY       customer managed KMS key for the secrets this creates\n`,
    examples: [
      'KEY_SOURCE=secrets-manager SIGNING_KEYS_SECRET_ID=tollgate/signing-keys \\\n' +
        '    PEPPER_SECRET_ID=tollgate/pepper AWS_ENDPOINT_URL=http://localhost:4566 \\\n' +
        '    npx tollgate keys init',
      'KEY_SOURCE=kms KMS_KEY_IDS=alias/tollgate PEPPER_SECRET_ID=tollgate/pepper \\\n' +
        '    npx tollgate keys init --json',
    ],
  }),
  run: (args, io) => withOptionalPeers('tollgate keys init', () => keysInit(args, io)),
}

/** `tollgate keys <command>`: key material, for operators. */
export const keysCommands: CommandGroup = {
  name: 'keys',
  summary: 'Key material: seed the secrets and public key set (keys init)',
  subcommands: [initCommand],
}

const keysInit = async (args: readonly string[], io: CliIo): Promise<number> => {
  const { values } = parseCommand('keys init', args, { 'kms-key-id': { type: 'string' } })
  const config = configOf(io)
  if (config.keySource === 'local' || config.keySource === 'jwks') {
    const hint = config.keySource === 'local' ? ' (npm start makes the local key file)' : ''
    throw new UsageError(
      `tollgate keys init: KEY_SOURCE is ${config.keySource}; keys init seeds kms or secrets-manager key material${hint}`,
    )
  }
  const result = await seed(config, values['kms-key-id']).catch((error: unknown) => {
    if (!(error instanceof TollgateError)) throw error
    io.stderr.write(`tollgate keys init: ${error.message}\n`)
    return error.code === 'unavailable' ? EXIT.unavailable : EXIT.error
  })
  if (typeof result === 'number') return result
  printer(io, values.json === true).data(result, () =>
    fields([
      ['pepper secret', result.pepper],
      ['signing-key secret', result.signingKeys],
      ['public key set', result.publicKeySet],
    ]),
  )
  return EXIT.ok
}

const configOf = (io: CliIo): Config => {
  try {
    const config = parseConfig(io.env)
    // It seeds the pepper, and with secrets-manager the signing-key secret.
    return requireKeyMaterial(
      config,
      config.keySource === 'secrets-manager' ? ['signer', 'pepper'] : ['pepper'],
    )
  } catch (error) {
    throw new UsageError(`tollgate keys init: ${(error as Error).message}`)
  }
}

/** keys init and its SDK clients, loaded only when the command runs (the CLI stays quick to start). */
const seed = async (
  config: RemoteKeyConfig,
  kmsKeyId: string | undefined,
): Promise<KeysInitResult> => {
  const { initConfiguredKeys } = await import('../../operations/keys-init.js')
  return initConfiguredKeys(config, { secretsKmsKeyId: kmsKeyId })
}
