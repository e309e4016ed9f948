import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { type RawAnswer, sendRaw } from '../support/raw-http.js'

/** Short timeouts so the slow cases stay quick; every other limit is the default. */
const LIMITS = { headersTimeoutMs: 1_000, bodyTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000 }

const expectProblem = (answer: RawAnswer, status: number, code: string) => {
  expect(answer.status).toBe(status)
  expect(answer.headers['content-type']).toBe('application/problem+json')
  expect(JSON.parse(answer.body)).toEqual({
    type: `urn:tollgate:problem:${code}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
    request_id: expect.any(String),
  })
}

/**
 * What a hostile or broken client meets on the dev server: every request it
 * refuses, Node's HTTP parser included, gets a problem+json answer, and the
 * connection is closed in bounded time rather than held.
 */
describe('requests the dev server refuses before any handler', () => {
  let tollgate: RunningTollgate
  let port: number

  beforeAll(async () => {
    tollgate = await startTollgate({}, { limits: LIMITS })
    port = tollgate.server.port
  })
  afterAll(() => tollgate.close())

  const manyHeaders = Array.from({ length: 1000 }, (_, i) => `X-Header-${i}: value-${i}`)
  it.each([
    [
      'a 64 KB header',
      `GET /whoami HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    ],
    ['1000 headers', `GET /whoami HTTP/1.1\r\nHost: x\r\n${manyHeaders.join('\r\n')}\r\n\r\n`],
    ['an unknown method', 'FOO /whoami HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a NUL in a header', 'GET /whoami HTTP/1.1\r\nHost: x\r\nX-Evil: a\0b\r\n\r\n'],
    [
      'Content-Length with Transfer-Encoding',
      'POST /access-tokens/jwt HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    ['a garbage request line', '\x16\x03\x01\x02\x00 not http at all\r\n\r\n'],
    ['an unsupported HTTP version', 'GET /whoami HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'],
    ['an HTTP/1.1 request without Host', 'GET /whoami HTTP/1.1\r\n\r\n'],
    [
      'an expectation other than 100-continue',
      'POST /access-tokens/jwt HTTP/1.1\r\nHost: x\r\nExpect: fancy\r\nContent-Length: 2\r\n\r\n{}',
    ],
  ])('answers %s with 400 invalid_request and closes', async (_name, request) => {
    const answer = await sendRaw(port, request)

    expectProblem(answer, 400, 'invalid_request')
    expect(answer.headers.connection).toBe('close')
    expect(answer.closedAfterMs).toBeLessThan(5_000)
  })

  it('answers a body announced as 10 MB at once with 413, without waiting for it', async () => {
    const answer = await sendRaw(
      port,
      'POST /access-tokens/jwt HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 10485760\r\n\r\n0123456789',
    )

    expectProblem(answer, 413, 'payload_too_large')
    expect(answer.closedAfterMs).toBeLessThan(5_000)
  })

  it('answers a chunked body that grows past 1 MiB with 413', async () => {
    const chunk = `100000\r\n${'a'.repeat(0x100000)}\r\n`
    const answer = await sendRaw(
      port,
      `POST /access-tokens/jwt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}`,
    )

    expectProblem(answer, 413, 'payload_too_large')
    expect(answer.closedAfterMs).toBeLessThan(5_000)
  })

  it('answers a body that stops short of its Content-Length once the body timeout passes', async () => {
    const answer = await sendRaw(
      port,
      'POST /access-tokens/jwt HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n{"access_token":',
    )

    expectProblem(answer, 400, 'invalid_request')
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(LIMITS.bodyTimeoutMs - 100)
    expect(answer.closedAfterMs).toBeLessThan(5_000)
  })

  it('answers headers that never finish once the headers timeout passes', async () => {
    const answer = await sendRaw(port, 'GET /whoami HTTP/1.1\r\nHost: x\r\nX-Slow: ')

    expectProblem(answer, 400, 'invalid_request')
    expect(answer.closedAfterMs).toBeLessThan(5_000)
  })

  it('closes a connection that never sends a byte', async () => {
    const answer = await sendRaw(port, '')

    expect(answer.closedAfterMs).toBeLessThan(5_000)
  })

  it('closes an idle keep-alive connection after its timeout', async () => {
    const answer = await sendRaw(port, 'GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n')

    expect(answer.status).toBe(200)
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(LIMITS.keepAliveTimeoutMs - 100)
    expect(answer.closedAfterMs).toBeLessThan(5_000)
  })
})

describe('the connection cap', () => {
  let tollgate: RunningTollgate
  const held: Socket[] = []

  beforeAll(async () => {
    tollgate = await startTollgate({}, { limits: { maxConnections: 4 } })
  })
  afterAll(async () => {
    for (const socket of held) socket.destroy()
    await tollgate.close()
  })

  it('answers the connection past the cap with 503 unavailable, and serves again once one closes', async () => {
    const port = tollgate.server.port
    for (let i = 0; i < 4; i++) {
      const socket = connect(port, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      held.push(socket)
    }

    const refused = await sendRaw(port, 'GET /.well-known/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n')
    held.pop()?.destroy()
    await new Promise((resolve) => setTimeout(resolve, 200))
    const served = await fetch(`${tollgate.server.url}/.well-known/jwks.json`)

    expectProblem(refused, 503, 'unavailable')
    expect(refused.headers['retry-after']).toBe('1')
    expect(refused.closedAfterMs).toBeLessThan(5_000)
    expect(served.status).toBe(200)
  })
})
