import type { RunningTollgate } from './dev-server.js'

export interface ApiAnswer<T = Record<string, unknown>> {
  readonly status: number
  readonly headers: Headers
  readonly body: T
  /** The raw text, for secrecy checks. */
  readonly text: string
}

/**
 * Plain fetch against the real dev server, with a JWT exchanged from an
 * access token: what any HTTP client of Tollgate does, no client library.
 */
export const apiAs = async (tollgate: RunningTollgate, accessToken: string, scope?: string) => {
  const jwt = await exchangeFor(tollgate, accessToken, scope)
  return apiWithJwt(tollgate, jwt)
}

export const exchangeFor = async (
  tollgate: RunningTollgate,
  accessToken: string,
  scope?: string,
): Promise<string> => {
  const response = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ access_token: accessToken, ...(scope === undefined ? {} : { scope }) }),
  })
  const body = (await response.json()) as { jwt?: string; code?: string }
  if (body.jwt === undefined) throw new Error(`exchange failed: ${response.status} ${body.code}`)
  return body.jwt
}

export const apiWithJwt = (tollgate: RunningTollgate, jwt: string) => {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer<T>> => {
    const response = await fetch(`${tollgate.server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${jwt}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body: (text === '' ? {} : JSON.parse(text)) as T,
      text,
    }
  }
  return {
    jwt,
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body?: unknown) =>
      call<T>('POST', path, body ?? {}),
    patch: <T = Record<string, unknown>>(path: string, body: unknown, ifMatch?: string) =>
      call<T>('PATCH', path, body, ifMatch === undefined ? {} : { 'if-match': ifMatch }),
    delete: <T = Record<string, unknown>>(path: string) => call<T>('DELETE', path),
  }
}
