import * as z from 'zod/mini'
import type { exchangeRequest } from '../api/schemas.js'
import { looksLikeAccessToken, looksLikeJwt } from '../core/credential-kinds.js'
import {
  exchangedJwtSource,
  exchangeWithinLife,
  fixedJwtSource,
  type JwtSource,
} from './jwt-source.js'
import { clientIdOf, SUBJECT_TOKEN_TYPES, TOKEN_EXCHANGE_GRANT } from './oauth-client.js'
import { type RetryOptions, retryPolicy } from './retry.js'
import type {
  Answer,
  CallInput,
  IfMatch,
  Page,
  RouteAnswer,
  RouteBody,
  RouteKey,
  RouteQuery,
} from './routes.js'
import { type Request, send, type Transport } from './transport.js'

export interface TollgateClientOptions {
  /** Where Tollgate answers, e.g. `http://127.0.0.1:3000` or an API Gateway stage URL. */
  readonly baseUrl: string | URL
  /**
   * An access token (`tgs_…`/`tgp_…`): the client exchanges it at
   * `POST /access-tokens/jwt` and renews the JWT before it expires.
   */
  readonly accessToken?: string | undefined
  /**
   * A service access token (`tgs_…`) used as an OAuth 2.0 client: the
   * client gets its JWTs from `POST /oauth2/token` with `client_credentials`
   * (client_secret_basic, the `client_id` read from the token) and renews
   * them before they expire. An alternative to `accessToken`, not both.
   */
  readonly clientCredentials?: string | undefined
  /** A JWT obtained elsewhere (a person's, from `tollgate login --dev`): used as is. */
  readonly jwt?: string | undefined
  /**
   * Life of the JWTs the client asks for. Default: 300 s, or the access
   * token's remaining life when that is shorter (see `exchangeWithinLife`).
   */
  readonly jwtDurationSeconds?: number | undefined
  /** Scopes the client's JWTs ask for, space-separated (default: all of the token's). */
  readonly jwtScope?: string | undefined
  /** Renew this long before expiry (default 60 s, at most half the JWT's life). */
  readonly refreshBeforeSeconds?: number | undefined
  readonly retry?: RetryOptions | undefined
  /** Per attempt, answer body included (default 30 s). */
  readonly timeoutMs?: number | undefined
  readonly userAgent?: string | undefined
  /** Replaceable parts, for tests and unusual runtimes. */
  readonly fetch?: typeof globalThis.fetch | undefined
  readonly now?: (() => number) | undefined
  readonly sleep?: ((ms: number) => Promise<void>) | undefined
  readonly random?: (() => number) | undefined
}

export type ExchangeRequest = z.infer<typeof exchangeRequest>
export type ExchangeResponse = RouteAnswer<'POST /access-tokens/jwt'>
export type ServiceAccount = RouteAnswer<'GET /service-accounts/{id}'>
export type AccessToken = RouteAnswer<'GET /access-tokens/{id}'>
export type AccessTokenWithSecret = RouteAnswer<'POST /access-tokens'>
export type AuditEvent = RouteAnswer<'GET /access-tokens/{id}/events'>['items'][number]
/** A trust policy, as `GET /trust-policies/{id}` answers. */
export type TrustPolicy = RouteAnswer<'GET /trust-policies/{id}'>
/** What `POST /trust-policies/simulate` answers. */
export type TrustPolicySimulation = RouteAnswer<'POST /trust-policies/simulate'>
export type Whoami = RouteAnswer<'GET /whoami'>
/** What `POST /oauth2/token` answers: `access_token` is the JWT. */
export type OAuthTokenResponse = RouteAnswer<'POST /oauth2/token'>

/** A `client_credentials` grant: what the JWT holds and how long it lives. */
export interface ClientCredentialsRequest {
  /** Space-separated scopes (default: all of the token's). */
  readonly scope?: string | undefined
  /** 60 s to the server's maximum (default 300 s). */
  readonly durationSeconds?: number | undefined
}

/** A federated exchange: an outside OIDC token for a Tollgate JWT (docs/federation.md). */
export interface FederationRequest {
  /** The outside token (a CI job's or a pod's): sent in the form body, never logged or kept. */
  readonly subjectToken: string
  /** RFC 8693's type of it: `jwt` (default) or `id_token`; Tollgate treats both alike. */
  readonly subjectTokenType?: keyof typeof SUBJECT_TOKEN_TYPES | undefined
  /** The trust policy to match, by id or name (default: the one policy that matches). */
  readonly policy?: string | undefined
  /** Space-separated scopes, within the policy's and the account's (default: all of them). */
  readonly scope?: string | undefined
  /** 60 s to the policy's `max_duration_seconds`. */
  readonly durationSeconds?: number | undefined
}
export type ConsoleConfig = RouteAnswer<'GET /console/config.json'>

/** A list query: the wire's fields, with `limit` also as a number. */
export type ListQuery<K extends RouteKey> = Omit<NonNullable<RouteQuery<K>>, 'limit'> & {
  readonly limit?: number | string | undefined
}

/** What the dev server's `POST /dev/login` answers (local mode only; not in the route table). */
export const devLoginResponse = z.object({
  jwt: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.int(),
  sub: z.string(),
})
export type DevLoginResponse = z.infer<typeof devLoginResponse>

const DEV_LOGIN_ROUTE = {
  route: { method: 'POST', path: '/dev/login', authorization: 'none' },
  spec: { success: { status: 200, schema: devLoginResponse } },
} as const

/**
 * A typed client for every route of Tollgate's API. Answers are checked
 * against the API's own zod schemas; failures are `TollgateApiError` (by
 * problem+json `code`), `TollgateNetworkError` or `TollgateResponseError`.
 *
 * @example
 * const client = new TollgateClient({ baseUrl: 'http://127.0.0.1:3000', accessToken: process.env.TOLLGATE_ACCESS_TOKEN })
 * const account = await client.serviceAccounts.create({ name: 'ci', roles: [], scopes: ['datasets:read'] })
 * const { token } = await client.accessTokens.create({ name: 'deploy', service_account_id: account.id })
 */
export class TollgateClient {
  readonly #transport: Transport
  readonly #jwtSource: JwtSource | undefined

  constructor(options: TollgateClientOptions) {
    this.#transport = {
      baseUrl: baseUrlOf(options.baseUrl),
      // Called as a plain function: some runtimes' fetch refuses another `this`.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      retry: retryPolicy(options.retry),
      timeoutMs: options.timeoutMs ?? 30_000,
      userAgent: options.userAgent ?? 'tollgate-client',
      now: options.now ?? Date.now,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
    }
    const given = [options.accessToken, options.clientCredentials, options.jwt]
    if (given.filter((credential) => credential !== undefined).length > 1) {
      throw new TypeError(
        'Give the client one of accessToken, clientCredentials or jwt, not several',
      )
    }
    // Each mix-up would otherwise surface as a "malformed" refusal from the server.
    if (looksLikeJwt(options.accessToken) || looksLikeJwt(options.clientCredentials)) {
      throw new TypeError(
        `${options.accessToken === undefined ? 'clientCredentials' : 'accessToken'} holds a JWT: pass it as \`jwt\`, which is sent as is`,
      )
    }
    if (looksLikeAccessToken(options.jwt)) {
      throw new TypeError(
        'jwt holds an access token: pass it as `accessToken`, which the client exchanges for JWTs',
      )
    }
    const { accessToken, clientCredentials } = options
    const renewal = {
      refreshBeforeMs: (options.refreshBeforeSeconds ?? 60) * 1000,
      now: this.#transport.now,
    }
    this.#jwtSource =
      options.jwt !== undefined
        ? fixedJwtSource(options.jwt)
        : clientCredentials !== undefined
          ? clientCredentialsJwtSource(this, clientCredentials, options, renewal)
          : accessToken !== undefined
            ? exchangedJwtSource({
                ...renewal,
                exchange: async () => {
                  const answer = await this.exchange({
                    access_token: accessToken,
                    ...(options.jwtDurationSeconds === undefined
                      ? {}
                      : { duration_seconds: options.jwtDurationSeconds }),
                    ...(options.jwtScope === undefined ? {} : { scope: options.jwtScope }),
                  })
                  return { jwt: answer.jwt, expiresIn: answer.expires_in }
                },
              })
            : undefined
  }

  /**
   * Any route by its route-table key, with status, `ETag` and request id.
   *
   * @example
   * const { data, etag } = await client.call('GET /service-accounts/{id}', { params: { id } })
   * await client.call('PATCH /service-accounts/{id}', { params: { id }, body: { description: 'x' }, ifMatch: etag ?? '*' })
   */
  async call<K extends RouteKey>(key: K, input: CallInput<K>): Promise<Answer<RouteAnswer<K>>> {
    const answer = await send(
      this.#transport,
      { key, ...(input as Omit<Request, 'key'>) },
      this.#jwtSource,
    )
    return answer as Answer<RouteAnswer<K>>
  }

  async #data<K extends RouteKey>(key: K, input: CallInput<K>): Promise<RouteAnswer<K>> {
    return (await this.call(key, input)).data
  }

  /**
   * The JWT the client currently sends (exchanging or renewing it first if
   * due), for handing to other tools.
   */
  jwt(): Promise<string> {
    if (this.#jwtSource === undefined) {
      return Promise.reject(new TypeError('The client has no credentials'))
    }
    return this.#jwtSource.get()
  }

  /**
   * `POST /access-tokens/jwt`: a JWT for an access token (not cached; see
   * `jwt()`). Without `duration_seconds`, it asks for 300 s, or for the
   * access token's remaining life when that is shorter (one more round trip).
   */
  exchange(body: RouteBody<'POST /access-tokens/jwt'>): Promise<ExchangeResponse> {
    const { duration_seconds: chosen, ...rest } = body
    return exchangeWithinLife(
      (duration_seconds) =>
        this.#data('POST /access-tokens/jwt', { body: { ...rest, duration_seconds } }),
      chosen,
    )
  }

  /**
   * `POST /oauth2/token` with `client_credentials`: a JWT for a service
   * access token, authenticated by client_secret_basic with the `client_id`
   * inside the token (not cached; `clientCredentials` in the options caches
   * and renews). Refusals are `TollgateOAuthError`.
   *
   * @example
   * const { access_token } = await client.clientCredentials(process.env.TOLLGATE_ACCESS_TOKEN, { scope: 'datasets:read' })
   */
  async clientCredentials(
    accessToken: string,
    request: ClientCredentialsRequest = {},
  ): Promise<OAuthTokenResponse> {
    const body: RouteBody<'POST /oauth2/token'> = {
      grant_type: 'client_credentials',
      ...optionalFields(request),
    }
    const basic = { clientId: clientIdOf(accessToken), clientSecret: accessToken }
    const answer = await send(
      this.#transport,
      { key: 'POST /oauth2/token', body, basic },
      undefined,
    )
    return answer.data as OAuthTokenResponse
  }

  /**
   * `POST /oauth2/token` with the RFC 8693 token exchange of an outside OIDC
   * token (a GitHub Actions, GitLab CI or Kubernetes token) that a trust
   * policy matches: a federated JWT, with no Tollgate secret at all. Needs
   * no credentials. Refusals are `TollgateOAuthError`: `error` and
   * `errorDescription` say which condition failed (`tollgate trust-policies
   * simulate` shows every policy's).
   *
   * @example
   * const { access_token } = await new TollgateClient({ baseUrl }).federate({ subjectToken: oidcToken, policy: 'deploy api from main' })
   */
  async federate(request: FederationRequest): Promise<OAuthTokenResponse> {
    if (looksLikeAccessToken(request.subjectToken)) {
      throw new TypeError(
        'subjectToken holds a Tollgate access token: federate exchanges outside OIDC tokens; give an access token to the client as `accessToken` or `clientCredentials`',
      )
    }
    return this.#data('POST /oauth2/token', {
      body: {
        grant_type: TOKEN_EXCHANGE_GRANT,
        subject_token: request.subjectToken,
        subject_token_type: SUBJECT_TOKEN_TYPES[request.subjectTokenType ?? 'jwt'],
        ...(request.policy === undefined ? {} : { policy: request.policy }),
        ...optionalFields(request),
      },
    })
  }

  /** `GET /whoami`: the caller as Tollgate sees them. */
  whoami(): Promise<Whoami> {
    return this.#data('GET /whoami', {})
  }

  /**
   * `GET /whoami/authorizer`: what the Lambda authorizer in front of this
   * demonstration route passed on (revocation reaches it within the budget).
   */
  whoamiAuthorizer(): Promise<RouteAnswer<'GET /whoami/authorizer'>> {
    return this.#data('GET /whoami/authorizer', {})
  }

  /** `GET /.well-known/jwks.json` */
  jwks(): Promise<RouteAnswer<'GET /.well-known/jwks.json'>> {
    return this.#data('GET /.well-known/jwks.json', {})
  }

  /** `GET /.well-known/openid-configuration` */
  openidConfiguration(): Promise<RouteAnswer<'GET /.well-known/openid-configuration'>> {
    return this.#data('GET /.well-known/openid-configuration', {})
  }

  /** `GET /.well-known/oauth-authorization-server` (RFC 8414) */
  authorizationServerMetadata(): Promise<
    RouteAnswer<'GET /.well-known/oauth-authorization-server'>
  > {
    return this.#data('GET /.well-known/oauth-authorization-server', {})
  }

  /** `GET /openapi.json` */
  openapi(): Promise<RouteAnswer<'GET /openapi.json'>> {
    return this.#data('GET /openapi.json', {})
  }

  readonly serviceAccounts = {
    /** `POST /service-accounts` (admins). */
    create: (body: RouteBody<'POST /service-accounts'>): Promise<ServiceAccount> =>
      this.#data('POST /service-accounts', { body }),
    /** `GET /service-accounts`: one page. */
    list: (query: ListQuery<'GET /service-accounts'> = {}): Promise<Page<ServiceAccount>> =>
      this.#data('GET /service-accounts', { query: wireQuery(query) }),
    /** Every service account, following the cursors. */
    listAll: (query: ListQuery<'GET /service-accounts'> = {}): AsyncGenerator<ServiceAccount> =>
      eachItem((cursor) => this.serviceAccounts.list({ ...query, cursor })),
    /** `GET /service-accounts/{id}` */
    get: (id: string): Promise<ServiceAccount> =>
      this.#data('GET /service-accounts/{id}', { params: { id } }),
    /** `PATCH /service-accounts/{id}`: `ifMatch` is the `ETag` of the version you read. */
    update: (
      id: string,
      body: RouteBody<'PATCH /service-accounts/{id}'>,
      options: { readonly ifMatch: IfMatch },
    ): Promise<ServiceAccount> =>
      this.#data('PATCH /service-accounts/{id}', {
        params: { id },
        body,
        ifMatch: options.ifMatch,
      }),
    /** `DELETE /service-accounts/{id}`: every token of the account stops working. */
    delete: async (id: string): Promise<void> => {
      await this.call('DELETE /service-accounts/{id}', { params: { id } })
    },
    /** `GET /service-accounts/{id}/events`: one page of the audit trail. */
    events: (
      id: string,
      query: ListQuery<'GET /service-accounts/{id}/events'> = {},
    ): Promise<Page<AuditEvent>> =>
      this.#data('GET /service-accounts/{id}/events', { params: { id }, query: wireQuery(query) }),
  }

  /**
   * The OAuth 2.0 endpoints, form-encoded. `token` and `revoke` authenticate
   * with `client_id` and `client_secret` in the body (client_secret_post);
   * `introspect` sends the client's JWT, which needs `tokens:introspect`.
   */
  readonly oauth = {
    /** `POST /oauth2/token`: client_credentials or the RFC 8693 token exchange. */
    token: (body: RouteBody<'POST /oauth2/token'>): Promise<RouteAnswer<'POST /oauth2/token'>> =>
      this.#data('POST /oauth2/token', { body }),
    /** `POST /oauth2/introspect`: whether a token is active, and what it holds. */
    introspect: (
      body: RouteBody<'POST /oauth2/introspect'>,
    ): Promise<RouteAnswer<'POST /oauth2/introspect'>> =>
      this.#data('POST /oauth2/introspect', { body }),
    /** `POST /oauth2/revoke`: give up the client's own access token or one of its JWTs. */
    revoke: async (body: RouteBody<'POST /oauth2/revoke'>): Promise<void> => {
      await this.#data('POST /oauth2/revoke', { body })
    },
  }

  readonly accessTokens = {
    /** `POST /access-tokens`: the answer's `token` is the secret, shown this once. */
    create: (body: RouteBody<'POST /access-tokens'>): Promise<AccessTokenWithSecret> =>
      this.#data('POST /access-tokens', { body }),
    /** `GET /access-tokens`: one page, filtered by `owner`, `name`, `status`. */
    list: (query: ListQuery<'GET /access-tokens'> = {}): Promise<Page<AccessToken>> =>
      this.#data('GET /access-tokens', { query: wireQuery(query) }),
    /** Every matching token, following the cursors. */
    listAll: (query: ListQuery<'GET /access-tokens'> = {}): AsyncGenerator<AccessToken> =>
      eachItem((cursor) => this.accessTokens.list({ ...query, cursor })),
    /** `GET /access-tokens/{id}` */
    get: (id: string): Promise<AccessToken> =>
      this.#data('GET /access-tokens/{id}', { params: { id } }),
    /** `PATCH /access-tokens/{id}`: `ifMatch` is the token's `version` or `ETag`. */
    update: (
      id: string,
      body: RouteBody<'PATCH /access-tokens/{id}'>,
      options: { readonly ifMatch: IfMatch },
    ): Promise<AccessToken> =>
      this.#data('PATCH /access-tokens/{id}', { params: { id }, body, ifMatch: options.ifMatch }),
    /** `DELETE /access-tokens/{id}`: revoke (the record stays, `status: revoked`). */
    revoke: (id: string): Promise<AccessToken> =>
      this.#data('DELETE /access-tokens/{id}', { params: { id } }),
    /** `POST /access-tokens/{id}/regenerate`: a new secret, same id and expiry. */
    regenerate: (id: string): Promise<AccessTokenWithSecret> =>
      this.#data('POST /access-tokens/{id}/regenerate', { params: { id } }),
    /** `POST /access-tokens/revoke` (admins): every token of an owner. */
    revokeAll: (owner: string): Promise<RouteAnswer<'POST /access-tokens/revoke'>> =>
      this.#data('POST /access-tokens/revoke', { body: { owner } }),
    /** `GET /access-tokens/{id}/events`: one page of the audit trail. */
    events: (
      id: string,
      query: ListQuery<'GET /access-tokens/{id}/events'> = {},
    ): Promise<Page<AuditEvent>> =>
      this.#data('GET /access-tokens/{id}/events', { params: { id }, query: wireQuery(query) }),
  }

  readonly trustPolicies = {
    /** `POST /trust-policies` (admins). */
    create: (body: RouteBody<'POST /trust-policies'>): Promise<TrustPolicy> =>
      this.#data('POST /trust-policies', { body }),
    /** `GET /trust-policies`: one page. */
    list: (query: ListQuery<'GET /trust-policies'> = {}): Promise<Page<TrustPolicy>> =>
      this.#data('GET /trust-policies', { query: wireQuery(query) }),
    /** Every trust policy, following the cursors. */
    listAll: (query: ListQuery<'GET /trust-policies'> = {}): AsyncGenerator<TrustPolicy> =>
      eachItem((cursor) => this.trustPolicies.list({ ...query, cursor })),
    /** `GET /trust-policies/{id}` */
    get: (id: string): Promise<TrustPolicy> =>
      this.#data('GET /trust-policies/{id}', { params: { id } }),
    /** `PATCH /trust-policies/{id}`: `ifMatch` is the `ETag` of the version you read. */
    update: (
      id: string,
      body: RouteBody<'PATCH /trust-policies/{id}'>,
      options: { readonly ifMatch: IfMatch },
    ): Promise<TrustPolicy> =>
      this.#data('PATCH /trust-policies/{id}', { params: { id }, body, ifMatch: options.ifMatch }),
    /** `DELETE /trust-policies/{id}`: every JWT the policy minted is refused. */
    delete: async (id: string): Promise<void> => {
      await this.call('DELETE /trust-policies/{id}', { params: { id } })
    },
    /** `POST /trust-policies/simulate`: which policy would match, and why not; mints nothing. */
    simulate: (body: RouteBody<'POST /trust-policies/simulate'>): Promise<TrustPolicySimulation> =>
      this.#data('POST /trust-policies/simulate', { body }),
    /** `GET /trust-policies/{id}/events`: one page of the audit trail. */
    events: (
      id: string,
      query: ListQuery<'GET /trust-policies/{id}/events'> = {},
    ): Promise<Page<AuditEvent>> =>
      this.#data('GET /trust-policies/{id}/events', { params: { id }, query: wireQuery(query) }),
  }

  readonly console = {
    /** `GET /console`: whether this Tollgate serves the console (the page itself is HTML). */
    page: async (): Promise<void> => {
      await this.call('GET /console', {})
    },
    /** `GET /console/config.json`: the sign-in options the console offers. */
    config: (): Promise<ConsoleConfig> => this.#data('GET /console/config.json', {}),
    /** `GET /console/{asset}`: whether the console's script or styles are served. */
    asset: async (name: string): Promise<void> => {
      await this.call('GET /console/{asset}', { params: { asset: name } })
    },
  }

  readonly dev = {
    /**
     * `POST /dev/login` on a dev server (local mode only): a person's JWT
     * for `user:dev:<name>` with the roles asked for. Use it with `{ jwt }`.
     */
    login: async (body: { name: string; roles?: readonly string[] }): Promise<DevLoginResponse> => {
      const answer = await send(
        this.#transport,
        { key: 'POST /dev/login', body },
        undefined,
        DEV_LOGIN_ROUTE,
      )
      return answer.data as DevLoginResponse
    },
  }
}

/**
 * Which client method serves each route of the route table; a test checks
 * it covers every route and that each method calls its route.
 */
export const ROUTE_METHODS = {
  'POST /access-tokens/jwt': 'exchange',
  'POST /oauth2/token': 'oauth.token',
  'POST /oauth2/introspect': 'oauth.introspect',
  'POST /oauth2/revoke': 'oauth.revoke',
  'GET /.well-known/jwks.json': 'jwks',
  'GET /.well-known/openid-configuration': 'openidConfiguration',
  'GET /.well-known/oauth-authorization-server': 'authorizationServerMetadata',
  'GET /openapi.json': 'openapi',
  'GET /whoami': 'whoami',
  'GET /whoami/authorizer': 'whoamiAuthorizer',
  'POST /service-accounts': 'serviceAccounts.create',
  'GET /service-accounts': 'serviceAccounts.list',
  'GET /service-accounts/{id}': 'serviceAccounts.get',
  'PATCH /service-accounts/{id}': 'serviceAccounts.update',
  'DELETE /service-accounts/{id}': 'serviceAccounts.delete',
  'GET /service-accounts/{id}/events': 'serviceAccounts.events',
  'POST /access-tokens': 'accessTokens.create',
  'GET /access-tokens': 'accessTokens.list',
  'POST /access-tokens/revoke': 'accessTokens.revokeAll',
  'GET /access-tokens/{id}': 'accessTokens.get',
  'PATCH /access-tokens/{id}': 'accessTokens.update',
  'DELETE /access-tokens/{id}': 'accessTokens.revoke',
  'POST /access-tokens/{id}/regenerate': 'accessTokens.regenerate',
  'GET /access-tokens/{id}/events': 'accessTokens.events',
  'POST /trust-policies': 'trustPolicies.create',
  'GET /trust-policies': 'trustPolicies.list',
  'POST /trust-policies/simulate': 'trustPolicies.simulate',
  'GET /trust-policies/{id}': 'trustPolicies.get',
  'PATCH /trust-policies/{id}': 'trustPolicies.update',
  'DELETE /trust-policies/{id}': 'trustPolicies.delete',
  'GET /trust-policies/{id}/events': 'trustPolicies.events',
  'GET /console': 'console.page',
  'GET /console/config.json': 'console.config',
  'GET /console/{asset}': 'console.asset',
} as const satisfies Record<RouteKey, string>

/** `scope` and Tollgate's `duration_seconds` extension, as form fields when given. */
const optionalFields = (request: ClientCredentialsRequest) => ({
  ...(request.scope === undefined ? {} : { scope: request.scope }),
  ...(request.durationSeconds === undefined
    ? {}
    : { duration_seconds: String(request.durationSeconds) }),
})

/** JWTs from `client_credentials`, renewed like exchanged ones (see `exchangedJwtSource`). */
const clientCredentialsJwtSource = (
  client: TollgateClient,
  accessToken: string,
  options: TollgateClientOptions,
  renewal: { readonly refreshBeforeMs: number; readonly now: () => number },
): JwtSource => {
  // Checked now: a malformed secret is a mistake in the options, not a failure of some later call.
  clientIdOf(accessToken)
  return exchangedJwtSource({
    ...renewal,
    exchange: async () => {
      const answer = await client.clientCredentials(accessToken, {
        scope: options.jwtScope,
        durationSeconds: options.jwtDurationSeconds,
      })
      return { jwt: answer.access_token, expiresIn: answer.expires_in }
    },
  })
}

const baseUrlOf = (value: string | URL): string => {
  const url = new URL(value)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('baseUrl must be an http(s) URL')
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('baseUrl must not carry credentials')
  }
  if (url.search !== '' || url.hash !== '') throw new TypeError('baseUrl must not have a query')
  return url.href.replace(/\/+$/, '')
}

const wireQuery = <Q extends { readonly limit?: number | string | undefined }>(query: Q) =>
  ({ ...query, limit: query.limit === undefined ? undefined : String(query.limit) }) as Omit<
    Q,
    'limit'
  > & { limit?: string }

/** The items of every page, one page at a time, until `next_cursor` is null. */
async function* eachItem<T>(
  page: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let cursor: string | undefined
  do {
    const current = await page(cursor)
    yield* current.items
    cursor = current.next_cursor ?? undefined
  } while (cursor !== undefined)
}
