import { parseAccessToken } from '../access-token.js'
import { TollgateError } from '../errors.js'
import { type ClientAuthentication, GRANT_TYPE, OAuthError, TOKEN_TYPE } from '../oauth.js'
import { parseScopeString } from '../scopes.js'
import { type ExchangeDependencies, type ExchangeResult, exchangeToken } from './exchange-token.js'

/**
 * The federated exchange (an outside OIDC token matched by a trust policy,
 * DESIGN "Standards and federation"): absent when `FEDERATION_ISSUERS` is
 * empty. Refusals are TollgateErrors (`invalid_request` with the reason).
 */
export interface FederatedExchange {
  exchange(request: {
    readonly subjectToken: string
    readonly policy?: string | undefined
    readonly scope?: string | undefined
    readonly durationSeconds?: number | undefined
  }): Promise<ExchangeResult>
}

export interface GrantDependencies extends ExchangeDependencies {
  readonly federation?: FederatedExchange | undefined
}

/** A token request's parameters (RFC 6749 §4.4.2, RFC 8693 §2.1), read from the form. */
export interface GrantRequest {
  readonly grantType: string | undefined
  readonly client: ClientAuthentication
  readonly scope?: string | undefined
  /** Tollgate's extension parameter, as at `/access-tokens/jwt`. */
  readonly durationSeconds?: number | undefined
  readonly subjectToken?: string | undefined
  readonly subjectTokenType?: string | undefined
  readonly requestedTokenType?: string | undefined
  readonly actorToken?: string | undefined
  readonly actorTokenType?: string | undefined
  readonly audience?: string | undefined
  readonly resource?: string | undefined
  /** Tollgate's extension parameter: the trust policy to match an outside token with. */
  readonly policy?: string | undefined
}

export interface Grant {
  readonly result: ExchangeResult
  /** RFC 8693's `issued_token_type`; only for the token exchange. */
  readonly issuedTokenType: string | undefined
}

/**
 * `POST /oauth2/token`: `client_credentials` for a service token, and the
 * RFC 8693 token exchange with a Tollgate access token (or, through
 * `federation`, an outside JWT) as subject. Both Tollgate grants run the
 * one exchange use case of `/access-tokens/jwt`; this only translates.
 *
 * Primary course:
 * 1. Refuse what Tollgate cannot honour before any read: a grant it lacks,
 *    an actor token, a target, a token type it does not issue, a malformed scope.
 * 2. `client_credentials`: the client authenticates (its secret is a service
 *    access token whose id is `client_id`) and the exchange mints from it.
 * 3. Token exchange: the subject token is exchanged; an authenticated client
 *    must be that very token; outside tokens go to `federation`.
 * 4. The exchange's refusals become OAuth's: a bad client secret is
 *    `invalid_client`, a scope beyond the token `invalid_scope`.
 */
export const grantToken = async (
  deps: GrantDependencies,
  request: GrantRequest,
): Promise<Grant> => {
  if (request.grantType === undefined) throw oauth('invalid_request', 'grant_type is required.')
  checkCommonParameters(deps, request)
  if (request.grantType === GRANT_TYPE.clientCredentials) {
    return { result: await clientCredentials(deps, request), issuedTokenType: undefined }
  }
  if (request.grantType === GRANT_TYPE.tokenExchange) {
    return { result: await tokenExchange(deps, request), issuedTokenType: TOKEN_TYPE.jwt }
  }
  throw oauth(
    'unsupported_grant_type',
    `grant_type must be ${GRANT_TYPE.clientCredentials} or ${GRANT_TYPE.tokenExchange}.`,
  )
}

const oauth = (code: ConstructorParameters<typeof OAuthError>[0], description: string) =>
  new OAuthError(code, description)

const checkCommonParameters = (deps: GrantDependencies, request: GrantRequest): void => {
  if (request.resource !== undefined) {
    throw oauth(
      'invalid_target',
      `Tollgate mints JWTs for one audience (${deps.config.audience}); resource is not supported.`,
    )
  }
  if (request.audience !== undefined && request.audience !== deps.config.audience) {
    throw oauth(
      'invalid_target',
      `Tollgate mints JWTs for one audience: audience may only be ${deps.config.audience}.`,
    )
  }
  if (request.scope !== undefined) {
    try {
      parseScopeString(request.scope)
    } catch (error) {
      throw new OAuthError('invalid_scope', messageOf(error), { cause: error })
    }
  }
}

const clientCredentials = async (
  deps: GrantDependencies,
  request: GrantRequest,
): Promise<ExchangeResult> => {
  const { client } = request
  if (client.method === 'none') {
    throw new OAuthError(
      'invalid_client',
      'client_credentials needs client authentication: client_id is the access token id and client_secret the access token.',
    )
  }
  const basic = client.method === 'client_secret_basic'
  const parsed = parsedSecret(client.clientSecret, basic)
  if (parsed.id !== client.clientId) {
    throw new OAuthError('invalid_client', 'client_id must be the id inside the access token.', {
      basic,
    })
  }
  // The prefix says the kind, and the store checks it again: no read for a personal token.
  if (parsed.kind !== 'service') {
    throw oauth(
      'unauthorized_client',
      'client_credentials is for service tokens (tgs_…); a personal token uses the token exchange.',
    )
  }
  return exchangeAs(deps, client.clientSecret, request, { invalid_token: 'invalid_client', basic })
}

const tokenExchange = async (
  deps: GrantDependencies,
  request: GrantRequest,
): Promise<ExchangeResult> => {
  if (request.actorToken !== undefined || request.actorTokenType !== undefined) {
    throw oauth('invalid_request', 'actor_token is not supported: Tollgate does no delegation.')
  }
  if (request.requestedTokenType !== undefined && request.requestedTokenType !== TOKEN_TYPE.jwt) {
    throw oauth('invalid_request', `requested_token_type may only be ${TOKEN_TYPE.jwt}.`)
  }
  const { subjectToken, subjectTokenType, client } = request
  if (subjectToken === undefined || subjectTokenType === undefined) {
    throw oauth('invalid_request', 'subject_token and subject_token_type are required.')
  }
  if (subjectTokenType === TOKEN_TYPE.accessToken) {
    if (request.policy !== undefined) {
      throw oauth('invalid_request', 'policy applies only to outside JWTs, not to access tokens.')
    }
    if (client.method !== 'none' && client.clientSecret !== subjectToken) {
      throw oauth(
        'invalid_request',
        'An authenticated client may exchange only its own access token as subject_token.',
      )
    }
    const basic = client.method === 'client_secret_basic'
    return exchangeAs(deps, subjectToken, request, {
      // With client authentication the subject is the client's secret: a bad one is a bad client.
      invalid_token: client.method === 'none' ? 'invalid_request' : 'invalid_client',
      basic,
    })
  }
  if (subjectTokenType === TOKEN_TYPE.jwt || subjectTokenType === TOKEN_TYPE.idToken) {
    if (client.method !== 'none') {
      throw oauth(
        'invalid_request',
        'An outside token is its own credential: send no client secret with it.',
      )
    }
    if (deps.federation === undefined) {
      throw oauth('invalid_request', 'federation is not configured: FEDERATION_ISSUERS is empty')
    }
    return translated(
      () =>
        (deps.federation as FederatedExchange).exchange({
          subjectToken,
          policy: request.policy,
          scope: request.scope,
          durationSeconds: request.durationSeconds,
        }),
      { invalid_token: 'invalid_request', basic: false },
    )
  }
  throw oauth(
    'invalid_request',
    `subject_token_type must be ${TOKEN_TYPE.accessToken}, ${TOKEN_TYPE.jwt} or ${TOKEN_TYPE.idToken}.`,
  )
}

const parsedSecret = (secret: string, basic: boolean) => {
  try {
    return parseAccessToken(secret)
  } catch (error) {
    throw new OAuthError('invalid_client', messageOf(error), { basic, cause: error })
  }
}

interface Translation {
  /** What an invalid token means here: a bad client, or a bad subject token (RFC 8693 §2.2.2). */
  readonly invalid_token: 'invalid_client' | 'invalid_request'
  readonly basic: boolean
}

const exchangeAs = (
  deps: GrantDependencies,
  accessToken: string,
  request: GrantRequest,
  translation: Translation,
): Promise<ExchangeResult> =>
  translated(
    () =>
      exchangeToken(deps, {
        accessToken,
        scope: request.scope,
        durationSeconds: request.durationSeconds,
      }),
    translation,
  )

/** The exchange's refusals in OAuth's words; anything else goes to the edge as it is. */
const translated = async (
  exchange: () => Promise<ExchangeResult>,
  translation: Translation,
): Promise<ExchangeResult> => {
  try {
    return await exchange()
  } catch (error) {
    if (!(error instanceof TollgateError)) throw error
    if (error.code === 'invalid_token') {
      throw new OAuthError(translation.invalid_token, error.message, {
        basic: translation.basic && translation.invalid_token === 'invalid_client',
        cause: error,
      })
    }
    if (error.code === 'insufficient_scope') {
      throw new OAuthError('invalid_scope', error.message, { cause: error })
    }
    throw error
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : 'The request is invalid.'
