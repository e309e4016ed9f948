import { describe, expect, it } from 'vitest'
import { useLoggedTollgate } from '../support/logged-tollgate.js'

interface LogLine {
  readonly message: string
  readonly function_name?: string
  readonly function_request_id?: string
  readonly request_id?: string
  readonly jti?: string
}

interface Answer {
  readonly kind: 'exchanged' | 'refused' | 'whoami'
  readonly requestId: string
  readonly jwt?: string
}

const jtiOf = (jwt: string): string =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()).jti

/**
 * The dev server runs many Lambda invocations in one process, and Powertools
 * Logger is a module singleton: each request must still log with its own
 * Lambda context, as it would on its own Lambda.
 */
describe('log lines of concurrent requests', () => {
  const server = useLoggedTollgate({})

  const exchange = async (accessToken: string): Promise<Answer> => {
    const response = await fetch(`${server.tollgate().server.url}/access-tokens/jwt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: accessToken }),
    })
    const body = (await response.json()) as { jwt?: string }
    return {
      kind: response.ok ? 'exchanged' : 'refused',
      requestId: response.headers.get('apigw-requestid') ?? '',
      ...(body.jwt === undefined ? {} : { jwt: body.jwt }),
    }
  }
  const whoami = async (jwt: string): Promise<Answer> => {
    const response = await fetch(`${server.tollgate().server.url}/whoami/authorizer`, {
      headers: { authorization: `Bearer ${jwt}` },
    })
    expect(response.status).toBe(200)
    return { kind: 'whoami', requestId: response.headers.get('apigw-requestid') ?? '', jwt }
  }

  it('each carry their own request id and the function name of the Lambda that logged them', async () => {
    const token = server.tollgate().adminToken
    const first = await Promise.all(Array.from({ length: 20 }, () => exchange(token)))
    const jwts = first.map((answer) => answer.jwt ?? '')

    const answers = [
      ...first,
      ...(await Promise.all([
        ...jwts.map((jwt) => whoami(jwt)),
        ...Array.from({ length: 20 }, () => exchange(token)),
        ...Array.from({ length: 20 }, () => exchange(`${token}x`)),
      ])),
    ]

    const logged = server.lines
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine)
    const byRequest = Map.groupBy(logged, (line) => line.function_request_id)
    for (const answer of answers.filter((a) => a.kind !== 'whoami')) {
      // One line per exchange, with this request's id twice and the exchange's function name.
      expect(byRequest.get(answer.requestId)).toEqual([
        expect.objectContaining({
          message: answer.kind === 'exchanged' ? 'jwt issued' : 'request refused',
          function_name: 'tollgate-exchange-jwt',
          request_id: answer.requestId,
        }),
      ])
    }
    const authorizerLines = logged.filter((line) => line.message.startsWith('authorizer'))
    expect(authorizerLines).toHaveLength(20)
    for (const line of authorizerLines) {
      // The authorizer is a Lambda of its own: its own name and invocation id.
      expect(line.function_name).toBe('tollgate-authorizer')
      expect(byRequest.get(line.function_request_id)).toEqual([line])
    }
    expect(new Set(authorizerLines.map((line) => line.jti))).toEqual(new Set(jwts.map(jtiOf)))
    expect(logged).toHaveLength(60 + 20)
  })
})
