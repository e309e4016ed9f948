import { type BootstrapAnswer, bootstrapAnswer } from '../../api/bootstrap.js'
import { SERVICE_FAULTS, TollgateError } from '../../core/errors.js'
import { RESOURCE_NAME, RESOURCE_NAME_RULE } from '../../core/names.js'
import { ALREADY_BOOTSTRAPPED, bootstrapAdmin } from '../../core/use-cases/bootstrap-admin.js'
import { readConfig } from '../../local/env-config.js'
import { checkBootstrapStore } from '../../local/store-guard.js'
import { loadStoreRuntime } from '../../local/store-runtime.js'
import { parseCommand } from '../args.js'
import type { Command } from '../command.js'
import { EXIT, type ExitCode, UsageError } from '../exit-codes.js'
import type { CliIo } from '../io.js'
import { withOptionalPeers } from '../optional-peers.js'

export const bootstrapCommand: Command = {
  name: 'bootstrap',
  summary: "A deployed stack's first admin (--function), or an admin straight into a local store",
  help: `Usage: tollgate bootstrap --function NAME [--name NAME] [--recover] [--json]
       tollgate bootstrap --name NAME [--force]

With --function: invokes a deployed stack's bootstrap function (the stack
output BootstrapFunctionName) with your AWS credentials and prints what it
returned. It mints the first admin service account and prints its access
token once (a secret: it is stored nowhere); once the table is bootstrapped
every later call is refused and creates nothing. --recover mints a new admin
even then, for when every admin token is lost, and the audit trail records
it as a recovery: whoever may call lambda:InvokeFunction on the function may
mint an admin. --name defaults to "admin" (a recovery: recovery-admin-<UTC
time>). Never retried: run it again only after reading why it failed.
AWS_REGION, AWS_PROFILE and the rest of the AWS SDK's settings apply;
AWS_ENDPOINT_URL_LAMBDA (else AWS_ENDPOINT_URL) sets the endpoint.

With --name alone: mints an admin service account and its first access token
straight into the configured store (TABLE_NAME, DATA_DIR,
AWS_ENDPOINT_URL_DYNAMODB), not over HTTP: for a development table. Next to a
running \`npm start\` it uses that server's DynamoDB Local. It refuses when a
dev server runs on PORT with another store than its own (its token would be
refused there), unless --force.

Options:
  --function NAME  the bootstrap function to invoke (name or ARN)
  --name NAME      the admin service account's name
  --recover        with --function: mint an admin although the table is bootstrapped
  --force          without --function: mint although the dev server on PORT has another store
  --json           with --function: print the function's answer as it came

Exit codes: 0 ok; with --function 2 bad input, 3 not allowed to invoke or no
AWS credentials, 4 no such function, 5 refused (already bootstrapped, name
taken), 6 unavailable, 1 anything else; with --name alone 1 refused (e.g. the
name is taken), 2 usage or bad configuration.

Examples:
  npx tollgate bootstrap --function Tollgate-TollgateBootstrap0123ABCD-AbCdEf
  npx tollgate bootstrap --function Tollgate-TollgateBootstrap0123ABCD-AbCdEf --recover --name ops-2
  npx tollgate bootstrap --name ops-admin
`,
  run: (args, io) => withOptionalPeers('tollgate bootstrap', () => bootstrap(args, io)),
}

const OPTIONS = {
  name: { type: 'string' },
  force: { type: 'boolean' },
  function: { type: 'string' },
  recover: { type: 'boolean' },
} as const

const bootstrap = async (args: readonly string[], io: CliIo): Promise<number> => {
  const { values } = parseCommand('bootstrap', args, OPTIONS)
  // As given, not trimmed: the API refuses "admin " rather than storing "admin", and so does this.
  const name = values.name
  if (name !== undefined && !RESOURCE_NAME.test(name)) {
    throw new UsageError(`tollgate bootstrap: --name must ${RESOURCE_NAME_RULE}`)
  }
  if (values.function !== undefined) {
    if (values.force === true) {
      throw new UsageError('tollgate bootstrap: --force is for a local store, not with --function')
    }
    return invokeFunction(io, {
      functionName: values.function,
      name,
      recover: values.recover === true,
      json: values.json === true,
    })
  }
  if (values.recover === true) {
    throw new UsageError(
      'tollgate bootstrap: --recover needs --function; a local store takes another admin without it',
    )
  }
  if (name === undefined) {
    throw new UsageError(
      `tollgate bootstrap: --function NAME (a deployed stack) or --name NAME (a local store) is required; --name must ${RESOURCE_NAME_RULE}`,
    )
  }
  return mintIntoStore(name, values.force === true)
}

/** `--function`: the deployed stack's bootstrap function, invoked with the caller's AWS credentials. */
const invokeFunction = async (
  io: CliIo,
  request: {
    readonly functionName: string
    readonly name: string | undefined
    readonly recover: boolean
    readonly json: boolean
  },
): Promise<number> => {
  const { invokeBootstrapFunction } = await import('../../operations/bootstrap-function.js')
  let invocation: Awaited<ReturnType<typeof invokeBootstrapFunction>>
  try {
    invocation = await invokeBootstrapFunction({
      ...request,
      endpoint: io.env.AWS_ENDPOINT_URL_LAMBDA ?? io.env.AWS_ENDPOINT_URL,
    })
  } catch (error) {
    const failure = invokeFailure(error, request.functionName)
    io.stderr.write(`tollgate bootstrap: ${failure.message}\n`)
    return failure.code
  }
  if (invocation.functionError !== undefined) {
    // Lambda's own error object (errorType, errorMessage, trace): the function did not answer.
    const { errorType, errorMessage } = (invocation.payload ?? {}) as Record<string, unknown>
    io.stderr.write(
      `tollgate bootstrap: the function failed before answering (${invocation.functionError}` +
        `${typeof errorType === 'string' ? `, ${errorType}` : ''})` +
        `${typeof errorMessage === 'string' ? `: ${errorMessage}` : ''}\n` +
        'Its log group has the cause; nothing was minted unless a later call says it is bootstrapped.\n',
    )
    return EXIT.error
  }
  const parsed = bootstrapAnswer.safeParse(invocation.payload)
  if (!parsed.success) {
    io.stderr.write(
      `tollgate bootstrap: ${request.functionName} answered something other than a bootstrap answer; is it the stack's BootstrapFunctionName?\n`,
    )
    return EXIT.error
  }
  if (request.json) io.stdout.write(`${JSON.stringify(parsed.data, null, 2)}\n`)
  return report(io, parsed.data, request)
}

const EXIT_BY_ANSWER: Readonly<Record<string, ExitCode>> = {
  invalid_request: EXIT.usage,
  conflict: EXIT.conflict,
  unavailable: EXIT.unavailable,
}

/** The answer for people: the token on stdout (unless --json printed it all), the rest on stderr. */
const report = (
  io: CliIo,
  answer: BootstrapAnswer,
  request: { readonly functionName: string; readonly json: boolean },
): number => {
  if (!answer.ok) {
    const hint =
      answer.message === ALREADY_BOOTSTRAPPED
        ? `\nTo mint a recovery admin: tollgate bootstrap --function ${request.functionName} --recover`
        : ''
    io.stderr.write(`tollgate bootstrap: ${answer.message}${hint}\n`)
    return EXIT_BY_ANSWER[answer.code] ?? EXIT.error
  }
  const account = answer.service_account
  const what = answer.recovery ? 'recovery admin' : 'first admin'
  const created = `Created service account "${account.name}" (${account.id}) with role admin, the ${what}.\n`
  if (request.json) {
    io.stderr.write(`${created}The access token above is shown once and stored nowhere.\n`)
    return EXIT.ok
  }
  io.stderr.write(created)
  io.stdout.write(`Access token (shown once, stored nowhere):\n${answer.token}\n`)
  return EXIT.ok
}

/** Why the invocation itself failed, and the exit code for it. */
const invokeFailure = (
  error: unknown,
  functionName: string,
): { readonly message: string; readonly code: ExitCode } => {
  const { name, message } = error as { name?: unknown; message?: unknown }
  const text = typeof message === 'string' ? message : String(error)
  switch (name) {
    case 'ResourceNotFoundException':
      return {
        code: EXIT.notFound,
        message: `no function ${functionName} here (${text}); give the stack output BootstrapFunctionName, in the stack's account and Region (AWS_REGION)`,
      }
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return {
        code: EXIT.auth,
        message: `AWS refused the invocation (${text}); your credentials need lambda:InvokeFunction on ${functionName}`,
      }
    case 'CredentialsProviderError':
      return {
        code: EXIT.auth,
        message: `no AWS credentials (${text}); set AWS_PROFILE or sign in (aws sso login)`,
      }
    case 'TooManyRequestsException':
    case 'ServiceException':
    case 'TimeoutError':
      return { code: EXIT.unavailable, message: `Lambda is unavailable (${text}); try again` }
    default:
      return { code: EXIT.error, message: `could not invoke ${functionName}: ${text}` }
  }
}

/** `--name` alone: an admin straight into the configured (local) store, as before the stack had a function. */
const mintIntoStore = async (name: string, force: boolean): Promise<number> => {
  const config = readConfig()
  if (config === undefined) return 2
  const check = await checkBootstrapStore(config, { force })
  if (check.message !== '') process.stderr.write(check.message)
  if (!check.proceed) return 1
  const { buildDependencies, openLocalDynamoDb } = await loadStoreRuntime()
  const dynamoDb = await openLocalDynamoDb(config)
  try {
    const dependencies = await buildDependencies(config, dynamoDb.client)
    // The first admin of a table claims its bootstrap marker, so a later
    // `npm start` sees the table as bootstrapped instead of minting again.
    const asFirstAdmin = !(await dependencies.store.isBootstrapped())
    const admin = await bootstrapAdmin(dependencies, { name, asFirstAdmin })
    process.stdout.write(
      `Created service account "${admin.account.name}" (${admin.account.id}) with role admin.\n` +
        `Access token (shown once, stored nowhere):\n${admin.secret}\n`,
    )
    return 0
  } catch (error) {
    if (error instanceof TollgateError && !SERVICE_FAULTS.has(error.code)) {
      process.stderr.write(`tollgate bootstrap: ${error.message}\n`)
      return 1
    }
    throw error
  } finally {
    await dynamoDb.release()
  }
}
