/** What every scenario may use: the server's address and credentials minted for the run. */
export interface Fixtures {
  readonly url: string
  readonly adminToken: string
  /** A JWT exchanged from the admin token, valid for the whole run. */
  readonly jwt: string
  /**
   * Distinct JWTs of the admin, valid for the whole run: 2.5 times the
   * authorizer's verified-token cache, which keeps a JWT only when it is
   * verified twice within twice its size, so cycling through them every
   * decision is a full verification (as `npm run bench`'s distinct JWTs).
   */
  readonly jwts: readonly string[]
  /** An access token id the admin may read. */
  readonly tokenId: string
}

export interface Scenario {
  /** Method and path as the table shows them. */
  readonly name: string
  readonly request: (fixtures: Fixtures) => {
    readonly path: string
    readonly method: 'GET' | 'POST'
    readonly headers: Readonly<Record<string, string>>
    readonly body?: string
    /** Headers that change with every request sent (each connection asks in turn). */
    readonly perRequest?: () => Readonly<Record<string, string>>
  }
}

const bearer = ({ jwt }: Fixtures) => ({ authorization: `Bearer ${jwt}` })

/**
 * Valid requests only: each must answer 2xx at every concurrency, so any
 * non-2xx in the table is a finding, not noise.
 */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'POST /access-tokens/jwt',
    request: (f) => ({
      path: '/access-tokens/jwt',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: f.adminToken }),
    }),
  },
  {
    name: 'GET /whoami',
    request: (f) => ({ path: '/whoami', method: 'GET', headers: bearer(f) }),
  },
  {
    name: 'GET /whoami/authorizer, distinct JWTs',
    request: (f) => {
      let next = 0
      return {
        path: '/whoami/authorizer',
        method: 'GET',
        headers: {},
        perRequest: () => {
          const jwt = f.jwts[next] ?? ''
          next = next + 1 === f.jwts.length ? 0 : next + 1
          return { authorization: `Bearer ${jwt}` }
        },
      }
    },
  },
  {
    // The verified-token cache's case: a client that calls again with the same JWT.
    name: 'GET /whoami/authorizer, one JWT',
    request: (f) => ({ path: '/whoami/authorizer', method: 'GET', headers: bearer(f) }),
  },
  {
    name: 'GET /access-tokens/{id}',
    request: (f) => ({ path: `/access-tokens/${f.tokenId}`, method: 'GET', headers: bearer(f) }),
  },
  {
    name: 'GET /service-accounts',
    request: (f) => ({ path: '/service-accounts?limit=20', method: 'GET', headers: bearer(f) }),
  },
]
