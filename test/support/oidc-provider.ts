import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

/**
 * A real OpenID Provider for tests (`oidc-provider`, certified), on loopback
 * http, which local mode accepts: a stand-in for Okta or Entra ID with one
 * public client (no secret, PKCE required) and people with groups. Its
 * development sign-in form takes any login; the login is the person's `sub`,
 * and `people` gives their groups (in the ID token, for `roles_claim`).
 *
 * Used by the console's browser suite and by `tollgate login --issuer`.
 *
 * @example
 * const idp = await startOidcProvider({ clientId: 'tollgate-console', redirectUris: [`${tollgate}/console`], people: { ada: ['tollgate-admins'] } })
 */
export interface OidcProviderOptions {
  readonly clientId: string
  /** Every redirect URI the one client registration allows (the console's, a CLI's loopback). */
  readonly redirectUris: readonly string[]
  /** Login → groups. */
  readonly people: Readonly<Record<string, readonly string[]>>
  /** Listen here (a port reserved with `freePort`, when Tollgate must trust it first); any free one by default. */
  readonly port?: number
  /** How long its ID tokens live (oidc-provider's default is an hour): short, to see renewal. */
  readonly idTokenTtlSeconds?: number
}

export interface RunningOidcProvider {
  /** The issuer URL (`http://127.0.0.1:<port>`), also its origin. */
  readonly issuer: string
  readonly jwksUri: string
  close(): Promise<void>
}

export const startOidcProvider = async (
  options: OidcProviderOptions,
): Promise<RunningOidcProvider> => {
  const { createServer } = await import('node:http')
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        token_endpoint_auth_method: 'none',
        application_type: 'native',
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub', 'groups'] },
    // Groups go into the ID token itself, as Okta's and Entra's group claims do.
    conformIdTokenClaims: false,
    scopes: ['openid', 'offline_access'],
    findAccount: (_context: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, groups: [...(options.people[id] ?? [])] }),
    }),
    // The browser's token request comes from the origin of a registered redirect URI.
    clientBasedCORS: (
      _context: unknown,
      origin: string,
      client: { readonly redirectUris: readonly string[] },
    ) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
    pkce: { required: () => true },
    ...(options.idTokenTtlSeconds === undefined
      ? {}
      : { ttl: { IdToken: options.idTokenTtlSeconds } }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-only-cookie-key'] },
  })
  server.on('request', provider.callback())
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/**
 * Tollgate's TRUSTED_ISSUERS entry for a test provider at `issuer`: people
 * as `user:acme:<login>`, the group `tollgate-admins` as the admin role, and
 * ID tokens for `clientId` (the console's or the CLI's) accepted.
 */
export const trustedIssuerEntry = (issuer: string, clientId: string) => ({
  id: 'acme',
  issuer,
  jwks_uri: `${issuer}/jwks`,
  audience: 'api://tollgate',
  client_id: clientId,
  roles_claim: 'groups',
  role_map: { 'tollgate-admins': 'admin' },
})
