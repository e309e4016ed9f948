import * as oauth from 'oauth4webapi'

/**
 * Sign-in through an identity provider: OIDC authorization code with PKCE
 * (S256), `state` and `nonce`, the provider found by discovery. The
 * verifier, state and nonce live in this page's memory only; the provider
 * answers in a small window on `/console`, which hands `code` and `state`
 * over a same-origin BroadcastChannel and closes (no storage, no secret in
 * this page's URL).
 */

export interface IdentityProvider {
  readonly id: string
  readonly issuer: string
  readonly client_id: string
}

export interface ProviderTokens {
  readonly idToken: string
  /** Seconds since the epoch. */
  readonly expiresAt: number
  readonly refreshToken: string | undefined
}

const CHANNEL = 'tollgate-console-sign-in'

/** In the sign-in window, back from the provider: hand the answer to the page that asked. */
export const handOverCallback = (search: string): boolean => {
  const params = new URLSearchParams(search)
  if (!params.has('state') || !(params.has('code') || params.has('error'))) return false
  // Out of the address bar and the history at once: the code is single-use, but still.
  history.replaceState(null, '', location.pathname)
  const channel = new BroadcastChannel(CHANNEL)
  channel.postMessage(params.toString())
  channel.close()
  window.close()
  return true
}

/**
 * Plain http only for a provider on loopback, which Tollgate itself trusts
 * only in local mode (the tests' provider, a developer's); https otherwise.
 */
const transport = (provider: IdentityProvider) => {
  const { protocol, hostname } = new URL(provider.issuer)
  const loopback = hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]'
  return { [oauth.allowInsecureRequests]: protocol === 'http:' && loopback }
}

const discover = async (provider: IdentityProvider) => {
  const issuer = new URL(provider.issuer)
  const response = await oauth.discoveryRequest(issuer, {
    algorithm: 'oidc',
    ...transport(provider),
  })
  return oauth.processDiscoveryResponse(issuer, response)
}

const waitForCallback = (state: string, popup: Window): Promise<URLSearchParams> =>
  new Promise((resolve, reject) => {
    const channel = new BroadcastChannel(CHANNEL)
    const closed = setInterval(() => {
      if (!popup.closed) return
      // The answer may still be on its way: give it a moment before giving up.
      setTimeout(() => {
        finish()
        reject(new Error('The sign-in window was closed before signing in finished.'))
      }, 1000)
    }, 500)
    const finish = () => {
      clearInterval(closed)
      channel.close()
    }
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (typeof event.data !== 'string') return
      const params = new URLSearchParams(event.data)
      if (params.get('state') !== state) return
      finish()
      resolve(params)
    }
  })

const tokensOf = (
  result: oauth.TokenEndpointResponse,
  previous?: ProviderTokens,
): ProviderTokens => {
  const claims = oauth.getValidatedIdTokenClaims(result)
  if (result.id_token === undefined || claims === undefined) {
    throw new Error('The identity provider answered without an ID token.')
  }
  return {
    idToken: result.id_token,
    expiresAt: claims.exp,
    refreshToken: result.refresh_token ?? previous?.refreshToken,
  }
}

/**
 * Signs in through `provider` in a small window. `prompt: 'none'` renews
 * silently where the provider still has a session (it fails, rather than
 * asks, where it does not).
 */
export const signInWithProvider = async (
  provider: IdentityProvider,
  options: { readonly prompt?: 'none' } = {},
): Promise<ProviderTokens> => {
  const redirectUri = `${location.origin}${location.pathname}`
  // Opened before any await, so it still counts as the click's and is not blocked.
  const popup = window.open('about:blank', 'tollgate-sign-in', 'popup,width=520,height=700')
  if (popup === null) {
    throw new Error('The sign-in window was blocked: allow pop-ups for this page and try again.')
  }
  try {
    const server = await discover(provider)
    const client: oauth.Client = { client_id: provider.client_id }
    const verifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    // A refresh token renews the session with no window at all (a timer's window.open is
    // blocked without a click). OIDC Core §11: offline_access is granted only with
    // prompt=consent, so the interactive sign-in asks for both where the provider offers it.
    const offline = server.scopes_supported?.includes('offline_access') === true
    const prompt = options.prompt ?? (offline ? 'consent' : undefined)
    const url = new URL(server.authorization_endpoint ?? '')
    url.search = new URLSearchParams({
      client_id: provider.client_id,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: offline ? 'openid offline_access' : 'openid',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(prompt === undefined ? {} : { prompt }),
    }).toString()
    popup.location.href = url.href
    const answer = await waitForCallback(state, popup)
    const params = oauth.validateAuthResponse(server, client, answer, state)
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      client,
      oauth.None(),
      params,
      redirectUri,
      verifier,
      transport(provider),
    )
    return tokensOf(
      await oauth.processAuthorizationCodeResponse(server, client, response, {
        expectedNonce: nonce,
        requireIdToken: true,
      }),
    )
  } catch (error) {
    popup.close()
    throw error
  }
}

/** A new ID token with the refresh token the provider issued, if it gives one. */
export const refreshWithProvider = async (
  provider: IdentityProvider,
  tokens: ProviderTokens,
): Promise<ProviderTokens> => {
  if (tokens.refreshToken === undefined) throw new Error('No refresh token was issued.')
  const server = await discover(provider)
  const client: oauth.Client = { client_id: provider.client_id }
  const response = await oauth.refreshTokenGrantRequest(
    server,
    client,
    oauth.None(),
    tokens.refreshToken,
    transport(provider),
  )
  return tokensOf(await oauth.processRefreshTokenResponse(server, client, response), tokens)
}
