import * as oidc from 'openid-client'
import type { ConsoleConfig } from '../client/index.js'
import type { StoredSignIn } from './credentials.js'
import { MissingCredentialsError } from './exit-codes.js'
import type { CliIo } from './io.js'
import { listenForRedirect } from './loopback-redirect.js'
import { printable } from './output.js'

/**
 * OpenID Connect for `tollgate login --issuer ID`, with openid-client (which
 * the build bundles into a chunk of its own, so the packed CLI needs no
 * extra package and no other command loads it). Only this module and the
 * loopback listener speak to the IdP; nothing here ever prints a token or
 * the authorization code.
 */

export type IdentityProvider = ConsoleConfig['identity_providers'][number]

/** Loopback IdPs (one on the same machine, as in local mode) may use plain http. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

const HTTP_TIMEOUT_SECONDS = 10

const configurationOf = async (
  provider: IdentityProvider,
  command: string,
): Promise<oidc.Configuration> => {
  const issuer = new URL(provider.issuer)
  try {
    return await oidc.discovery(issuer, provider.client_id, undefined, oidc.None(), {
      timeout: HTTP_TIMEOUT_SECONDS,
      // ID tokens are checked against the IdP's JWKS, not only trusted for arriving over TLS.
      execute: [
        oidc.enableNonRepudiationChecks,
        ...(issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname)
          ? [oidc.allowInsecureRequests]
          : []),
      ],
    })
  } catch (error) {
    throw new MissingCredentialsError(
      `Could not read the OpenID configuration of ${provider.issuer} (${reasonOf(error)}). ` +
        `Check that this machine reaches it, then run \`${command}\` again; ` +
        "if it persists, Tollgate's TRUSTED_ISSUERS may name the wrong issuer.",
    )
  }
}

/**
 * Signs a person in: authorization code with PKCE (S256), `state` and
 * `nonce`, the browser sent back to a loopback listener; the code exchanged
 * at the IdP, and the ID token's signature (the IdP's JWKS), issuer,
 * audience (the client id), expiry and nonce checked. Asks for
 * `offline_access` (with the consent prompt OpenID Connect requires for it)
 * where the IdP offers it, so the session can be renewed.
 */
export const signInInBrowser = async (
  provider: IdentityProvider,
  io: CliIo,
  options: {
    readonly command: string
    readonly timeoutMs: number
    readonly openBrowser: (url: string) => void
  },
): Promise<StoredSignIn> => {
  const config = await configurationOf(provider, options.command)
  const offline = config.serverMetadata().scopes_supported?.includes('offline_access') === true
  const codeVerifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const redirect = await listenForRedirect()
  try {
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirect.redirectUri,
      scope: offline ? 'openid offline_access' : 'openid',
      ...(offline ? { prompt: 'consent' } : {}),
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    io.stderr.write(
      `Sign in through ${provider.id} in your browser. If it does not open, open this URL:\n\n` +
        `  ${authorizationUrl.href}\n\nWaiting for the sign-in (${Math.round(options.timeoutMs / 1000)} s)…\n`,
    )
    options.openBrowser(authorizationUrl.href)
    const answer = await redirect.answer({
      state,
      timeoutMs: options.timeoutMs,
      command: options.command,
    })
    const tokens = await oidc
      .authorizationCodeGrant(
        config,
        answer,
        { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce },
        { redirect_uri: redirect.redirectUri },
      )
      .catch((error: unknown) => {
        throw new MissingCredentialsError(
          `The identity provider's answer was refused (${reasonOf(error)}); nothing was saved. ` +
            `Run \`${options.command}\` again.`,
        )
      })
    return signInOf(provider, tokens, undefined, options.command)
  } finally {
    await redirect.close()
  }
}

/**
 * A new ID token for a stored sign-in, with its refresh token (the IdP may
 * rotate it: the new one replaces the old). Fails with what to run when the
 * IdP refuses, as it does once the person's session there has ended.
 */
export const renewSignIn = async (signIn: StoredSignIn): Promise<StoredSignIn> => {
  const provider = signIn.identity_provider
  const command = `tollgate login --issuer ${provider.id}`
  if (signIn.refresh_token === undefined) throw sessionEnded(signIn, command)
  const config = await configurationOf(provider, command)
  const tokens = await oidc
    .refreshTokenGrant(config, signIn.refresh_token)
    .catch((error: unknown) => {
      throw new MissingCredentialsError(
        `Your sign-in through ${provider.id} could not be renewed (${reasonOf(error)}): run \`${command}\` again.`,
      )
    })
  return signInOf(provider, tokens, signIn.refresh_token, command)
}

const sessionEnded = (signIn: StoredSignIn, command: string): MissingCredentialsError =>
  new MissingCredentialsError(
    `Your sign-in through ${signIn.identity_provider.id} ended at ${signIn.expires_at} ` +
      `and ${signIn.identity_provider.id} gave no refresh token to renew it: run \`${command}\` again.`,
  )

const signInOf = (
  provider: IdentityProvider,
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  previousRefreshToken: string | undefined,
  command: string,
): StoredSignIn => {
  const claims = tokens.claims()
  if (tokens.id_token === undefined || claims === undefined) {
    throw new MissingCredentialsError(
      `${provider.id} answered without an ID token, which is what Tollgate accepts; ` +
        `check that its client ${provider.client_id} may use the openid scope, then run \`${command}\` again.`,
    )
  }
  const refreshToken = tokens.refresh_token ?? previousRefreshToken
  return {
    identity_provider: { id: provider.id, issuer: provider.issuer, client_id: provider.client_id },
    id_token: tokens.id_token,
    expires_at: new Date(claims.exp * 1000).toISOString(),
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
  }
}

/** What went wrong, in the IdP's or openid-client's words: neither quotes a token. */
const reasonOf = (error: unknown): string => {
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
    const description = error.error_description
    return printable(
      `${error.error.slice(0, 100)}${description === undefined ? '' : `: ${description.slice(0, 300)}`}`,
    )
  }
  const cause = error instanceof Error ? error.cause : undefined
  const message = error instanceof Error ? error.message : String(error)
  const causeMessage = cause instanceof Error ? `: ${cause.message}` : ''
  return printable(`${message}${causeMessage}`.slice(0, 300))
}
