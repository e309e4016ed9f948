import {
  type ApiErrorCode,
  TollgateApiError,
  TollgateNetworkError,
  TollgateOAuthError,
  TollgateResponseError,
} from '../client/index.js'

/**
 * The CLI's exit codes: part of its contract (docs/cli.md#exit-codes, `tollgate --help`,
 * pinned by tests).
 */
export const EXIT = {
  ok: 0,
  /** Anything else: the server failed (500) or answered outside the API contract. */
  error: 1,
  /** A bad command line, or a request the API refused as invalid (400, 413). */
  usage: 2,
  /** No or bad credentials, or not allowed (401, 403). */
  auth: 3,
  notFound: 4,
  /** The state did not allow it: taken name, token limit, stale If-Match (409, 412, 428). */
  conflict: 5,
  /** Tollgate could not be reached or is unavailable (503, 429, network, timeout). */
  unavailable: 6,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  other failure (server error, answer outside the API contract)
  2  usage: bad command line, or a request the API refused as invalid (400, 413)
  3  auth: no or bad credentials, or not allowed (401, 403)
  4  not found (404)
  5  conflict: name taken, token limit, stale --if-match (409, 412, 428)
  6  unavailable: Tollgate unreachable, timed out or busy (503, 429)
`

const EXIT_BY_CODE: Readonly<Record<ApiErrorCode, ExitCode>> = {
  invalid_request: EXIT.usage,
  payload_too_large: EXIT.usage,
  invalid_token: EXIT.auth,
  insufficient_scope: EXIT.auth,
  forbidden: EXIT.auth,
  not_found: EXIT.notFound,
  conflict: EXIT.conflict,
  precondition_failed: EXIT.conflict,
  precondition_required: EXIT.conflict,
  rate_limited: EXIT.unavailable,
  unavailable: EXIT.unavailable,
  internal: EXIT.error,
}

/** A command line the CLI cannot run: exit 2 with a one-line reason. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/**
 * An operator command whose optional peer dependency is not installed (the
 * packaged CLI, docs/packaging.md): exit 2, naming what to install.
 */
export class MissingPackageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MissingPackageError'
  }
}

/** No credential to call an authenticated route with: exit 3. */
export class MissingCredentialsError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MissingCredentialsError'
  }
}

/** What to do next after a 403: which of the two refusals it was decides. */
const REFUSAL_HINTS: Partial<Record<string, string>> = {
  insufficient_scope:
    '\nYour credential lacks a scope this needs: use an access token (or sign-in) that grants it;' +
    ' admin work needs an admin credential, whose JWT carries tollgate:admin.',
  forbidden:
    '\nThe target holds more than your JWT, or is not yours: see "Who may act on whom" in docs/authorization.md.',
}

/**
 * What to do next after an `/oauth2/token` refusal: by what the refusal is
 * about (federation's are all `invalid_request`), else by its RFC 6749 code.
 */
const oauthNextStep = (error: TollgateOAuthError): string => {
  const about = error.errorDescription
  if (/federation is not configured/i.test(about)) {
    return '\nThis Tollgate accepts no outside issuer: its operator lists yours in FEDERATION_ISSUERS (docs/federation.md).'
  }
  if (/trust polic/i.test(about)) {
    return (
      '\nTo see which condition each policy fails and the value it saw, an admin runs ' +
      "`tollgate trust-policies simulate --claims claims.json` with the token's claims (or the token on stdin)."
    )
  }
  return OAUTH_HINTS[error.error] ?? ''
}

const OAUTH_HINTS: Partial<Record<string, string>> = {
  invalid_client:
    '\nThe access token is not a working OAuth client: check TOLLGATE_ACCESS_TOKEN (revoked or expired? `tollgate tokens show ID`).',
  unauthorized_client:
    '\nclient_credentials is for service tokens (tgs_…): with a personal token, run `tollgate jwt` without --client-credentials.',
  invalid_scope:
    '\nAsk only for scopes the token (or the trust policy and its account) grants, or leave out --scope.',
}

/** The exit code and the one-line message for an error, or undefined for a bug (exit 1, stack). */
export const describeFailure = (
  error: unknown,
): { readonly code: ExitCode; readonly message: string } | undefined => {
  if (error instanceof UsageError) return { code: EXIT.usage, message: error.message }
  if (error instanceof MissingPackageError) return { code: EXIT.usage, message: error.message }
  if (error instanceof MissingCredentialsError) return { code: EXIT.auth, message: error.message }
  if (error instanceof TollgateOAuthError) {
    const id = error.requestId === undefined ? '' : `, request ${error.requestId}`
    return {
      code: EXIT_BY_CODE[error.code],
      message: `${error.errorDescription} (${error.error}, HTTP ${error.status}${id})${oauthNextStep(error)}`,
    }
  }
  if (error instanceof TollgateApiError) {
    const id = error.requestId === undefined ? '' : `, request ${error.requestId}`
    return {
      code: EXIT_BY_CODE[error.code],
      message: `${error.detail} (${error.code}, HTTP ${error.status}${id})${REFUSAL_HINTS[error.code] ?? ''}`,
    }
  }
  if (error instanceof TollgateNetworkError) {
    return { code: EXIT.unavailable, message: `${error.message} Is TOLLGATE_URL right?` }
  }
  if (error instanceof TollgateResponseError) return { code: EXIT.error, message: error.message }
  return undefined
}
