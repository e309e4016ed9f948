import type { Context } from 'aws-lambda'
import type { BootstrapAnswer } from '../api/bootstrap.js'
import { SERVICE_FAULTS, TollgateError, toTollgateError } from '../core/errors.js'
import { type BootstrapDependencies, bootstrapOnce } from '../core/use-cases/bootstrap-admin.js'
import { logger } from '../wiring/observability.js'
import { serviceAccountJson } from './views.js'

/** The name of the first admin when the input names none: the dev server's. */
export const DEFAULT_ADMIN_NAME = 'admin'

/** What the bootstrap function reads from its event (see `bootstrapInput`). */
export interface BootstrapInput {
  readonly name: string
  readonly recover: boolean
}

const INPUT_HELP =
  'The input is a JSON object: {} or {"name": "NAME"} for the first admin, ' +
  '{"recover": true} (and a "name" if you like) for a recovery admin.'

/**
 * The stack's bootstrap function, invoked by an operator (`aws lambda
 * invoke`, `tollgate bootstrap --function`), never by API Gateway: the
 * first admin of the table, once, with its access token in the answer; a
 * recovery admin on `{"recover": true}` (core/use-cases/bootstrap-admin.ts).
 *
 * Every outcome is an answer, never a thrown error, so the invoker reads a
 * code and a message that says what to do, not a stack trace. The token is
 * in the answer only: the log names the account and token by id.
 *
 * @example
 * export const handler = createBootstrapHandler(
 *   lambdaProvider(process.env, buildBootstrapDependencies, ['pepper']))
 */
export const createBootstrapHandler =
  (dependencies: () => Promise<BootstrapDependencies>) =>
  async (event: unknown, context: Context): Promise<BootstrapAnswer> => {
    try {
      const deps = await dependencies()
      const input = bootstrapInput(event, deps.clock.now())
      const admin = await bootstrapOnce(deps, { ...input, requestId: context.awsRequestId })
      logger.info(
        admin.recovery ? 'recovery admin minted' : 'first admin minted',
        { service_account_id: admin.account.id, atid: admin.token.id, recovery: admin.recovery },
        context,
      )
      return {
        ok: true,
        recovery: admin.recovery,
        service_account: serviceAccountJson(admin.account),
        access_token: {
          id: admin.token.id,
          name: admin.token.name,
          expires_at:
            admin.token.expiresAt === null ? null : new Date(admin.token.expiresAt).toISOString(),
        },
        token: admin.secret,
      }
    } catch (error) {
      const failure = toTollgateError(error)
      if (!SERVICE_FAULTS.has(failure.code)) {
        logger.warn('bootstrap refused', { code: failure.code, reason: failure.message }, context)
        return { ok: false, code: failure.code, message: failure.message }
      }
      logger.error('bootstrap failed', { code: failure.code, error }, context)
      return {
        ok: false,
        code: failure.code,
        message: `${failure.message} Nothing was created. The function's log has the cause (request id ${context.awsRequestId}).`,
      }
    }
  }

/**
 * Reads the invocation's input: `{}` (or no payload), `{"name"}`,
 * `{"recover": true}`. A recovery without a name gets one that cannot be
 * taken yet: `recovery-admin-<UTC time>`. Anything else is refused, the
 * refusal quoting no value (a token pasted in the wrong place stays unseen).
 *
 * @example
 * bootstrapInput({ recover: true }, Date.now()) // { name: 'recovery-admin-20260101-120000', recover: true }
 */
export const bootstrapInput = (event: unknown, now: number): BootstrapInput => {
  if (event === undefined || event === null) return { name: DEFAULT_ADMIN_NAME, recover: false }
  if (typeof event !== 'object' || Array.isArray(event)) {
    throw new TollgateError('invalid_request', INPUT_HELP)
  }
  const { name, recover, ...rest } = event as Record<string, unknown>
  if (Object.keys(rest).length > 0) {
    throw new TollgateError('invalid_request', `Only "name" and "recover" are read. ${INPUT_HELP}`)
  }
  if (recover !== undefined && typeof recover !== 'boolean') {
    throw new TollgateError('invalid_request', `"recover" must be true or false. ${INPUT_HELP}`)
  }
  if (name !== undefined && typeof name !== 'string') {
    throw new TollgateError('invalid_request', `"name" must be a string. ${INPUT_HELP}`)
  }
  const recovering = recover === true
  return {
    name: name ?? (recovering ? recoveryName(now) : DEFAULT_ADMIN_NAME),
    recover: recovering,
  }
}

/** `recovery-admin-20260101-120000`: the time, to the second, in UTC. */
const recoveryName = (now: number): string => {
  const [date = '', time = ''] = new Date(now).toISOString().split('T')
  return `recovery-admin-${date.replaceAll('-', '')}-${time.slice(0, 8).replaceAll(':', '')}`
}
