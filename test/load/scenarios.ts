/** What every scenario may use: the server's address and credentials minted for the run. */
export interface Fixtures {
  readonly url: string
  readonly adminToken: string
  /** A JWT exchanged from the admin token, valid for the whole run. */
  readonly jwt: string
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
    name: 'GET /whoami/authorizer',
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
