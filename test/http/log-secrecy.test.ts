import { describe, expect, it } from 'vitest'
import { useLoggedTollgate } from '../support/logged-tollgate.js'

describe('logs', () => {
  const logged = useLoggedTollgate({
    // An operator turning on event logging must not turn on token logging.
    POWERTOOLS_LOGGER_LOG_EVENT: 'true',
  })

  it('never contain the access token or the JWT, on success or failure, even with event logging on', async () => {
    const exchange = (body: unknown) =>
      fetch(`${logged.tollgate().server.url}/access-tokens/jwt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const secret = logged.tollgate().adminToken

    const ok = (await (await exchange({ access_token: secret })).json()) as { jwt: string }
    await exchange({ access_token: secret, scope: 'nope:nope' })
    await exchange({ access_token: `${secret}x` })
    await exchange({ access_token: secret, duration_seconds: 1 })
    await fetch(`${logged.tollgate().server.url}/whoami`, {
      headers: { authorization: `Bearer ${ok.jwt}` },
    })

    const output = logged.lines.join('')
    expect(output).toContain('jwt issued')
    expect(output.match(/request refused/g)).toHaveLength(3)
    expect(output).not.toContain(secret.slice(4))
    expect(output).not.toContain(ok.jwt.split('.')[2])
    expect(output).not.toContain('Lambda invocation event')
  })
})
