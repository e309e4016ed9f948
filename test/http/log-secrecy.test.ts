import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { RunningTollgate } from '../support/dev-server.js'

describe('logs', () => {
  let tollgate: RunningTollgate
  const lines: string[] = []
  const originalWrite = process.stdout.write.bind(process.stdout)

  beforeAll(async () => {
    // The logger fixes its level when built (injectLambdaContext restores it on every
    // invocation), so it must be built at DEBUG: load the handlers only after this.
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG')
    // An operator turning on event logging must not turn on token logging.
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true')
    const { startTollgate } = await import('../support/dev-server.js')
    tollgate = await startTollgate()
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      lines.push(String(chunk))
      return originalWrite(chunk, ...rest)
    }) as typeof process.stdout.write
  })
  afterAll(async () => {
    process.stdout.write = originalWrite
    vi.unstubAllEnvs()
    await tollgate.close()
  })

  it('never contain the access token or the JWT, on success or failure, even with event logging on', async () => {
    const exchange = (body: unknown) =>
      fetch(`${tollgate.server.url}/access-tokens/jwt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const secret = tollgate.adminToken

    const ok = (await (await exchange({ access_token: secret })).json()) as { jwt: string }
    await exchange({ access_token: secret, scope: 'nope:nope' })
    await exchange({ access_token: `${secret}x` })
    await exchange({ access_token: secret, duration_seconds: 1 })
    await fetch(`${tollgate.server.url}/whoami`, { headers: { authorization: `Bearer ${ok.jwt}` } })

    const output = lines.join('')
    expect(output).toContain('jwt issued')
    expect(output.match(/request refused/g)).toHaveLength(3)
    expect(output).not.toContain(secret.slice(4))
    expect(output).not.toContain(ok.jwt.split('.')[2])
    expect(output).not.toContain('Lambda invocation event')
  })
})
