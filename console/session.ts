import { TollgateApiError, TollgateClient, type Whoami } from '../functions/client/index.js'
import {
  type IdentityProvider,
  type ProviderTokens,
  refreshWithProvider,
  signInWithProvider,
} from './oidc.js'

/**
 * A signed-in session, held in this page's memory only (never
 * localStorage, sessionStorage or a cookie): a client sending one JWT, who
 * that JWT is, and when it ends.
 */
export interface Session {
  readonly client: TollgateClient
  readonly me: Whoami
  /** Milliseconds since the epoch. */
  readonly endsAt: number
  /** How the session was opened, for the header. */
  readonly via: string
  /** A new session before this one ends; undefined where none can be had without the person. */
  readonly renew: (() => Promise<Session>) | undefined
}

/** The API's base: where the console is served, without `/console` (a stage prefix stays). */
export const apiBase = (): string => new URL('.', location.href).href

const sessionOf = async (
  jwt: string,
  expiresInSeconds: number,
  via: string,
  renew?: () => Promise<Session>,
): Promise<Session> => {
  const client = new TollgateClient({ baseUrl: apiBase(), jwt })
  const me = await client.whoami()
  return { client, me, endsAt: Date.now() + expiresInSeconds * 1000, via, renew }
}

/** The development issuer (local mode only): a person's JWT for `user:dev:<name>`. */
export const signInAsDeveloper = async (name: string, roles: readonly string[]) => {
  const anonymous = new TollgateClient({ baseUrl: apiBase() })
  const login = await anonymous.dev.login({ name, roles })
  return sessionOf(login.jwt, login.expires_in, 'development issuer')
}

/** Break-glass: a pasted access token, exchanged once for a short JWT and then forgotten. */
export const signInWithAccessToken = async (accessToken: string) => {
  const anonymous = new TollgateClient({ baseUrl: apiBase() })
  const exchanged = await anonymous.exchange({
    access_token: accessToken.trim(),
    duration_seconds: BREAK_GLASS_SECONDS,
  })
  return sessionOf(exchanged.jwt, exchanged.expires_in, 'access token')
}

const BREAK_GLASS_SECONDS = 900

/** An identity provider's ID token, presented to Tollgate as the person's JWT. */
export const signInThroughProvider = async (provider: IdentityProvider): Promise<Session> =>
  providerSession(provider, await signInWithProvider(provider))

const providerSession = (provider: IdentityProvider, tokens: ProviderTokens): Promise<Session> =>
  sessionOf(
    tokens.idToken,
    Math.max(0, tokens.expiresAt - Date.now() / 1000),
    provider.id,
    // The refresh token stays in this closure, in memory; without one, a silent re-authorization.
    async () =>
      providerSession(
        provider,
        tokens.refreshToken === undefined
          ? await signInWithProvider(provider, { prompt: 'none' })
          : await refreshWithProvider(provider, tokens),
      ),
  )

/** What a failed call says to a person: the problem's `detail`, else the error's message. */
export const describeError = (error: unknown): string =>
  error instanceof TollgateApiError
    ? error.detail
    : error instanceof Error
      ? error.message
      : 'Something went wrong.'
