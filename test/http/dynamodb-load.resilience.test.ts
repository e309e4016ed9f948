import { afterEach, describe, expect, inject, it } from 'vitest'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js'

const exchange = async (tollgate: RunningTollgate) => {
  const response = await fetch(`${tollgate.server.url}/access-tokens/jwt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ access_token: tollgate.adminToken }),
    signal: AbortSignal.timeout(90_000),
  })
  return { status: response.status, body: await response.text() }
}

const burst = async (tollgate: RunningTollgate, size: number) => {
  const answers = await Promise.all(Array.from({ length: size }, () => exchange(tollgate)))
  const counts: Record<number, number> = {}
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1
  return counts
}

/**
 * The dev server is many Lambdas in one process: a burst of requests shares
 * one DynamoDB client, so requests queue for its sockets. A queue must not
 * become a failure, and an outage must still become a quick 503.
 */
describe('the dev server over DynamoDB Local, under load and outage', () => {
  let tollgate: RunningTollgate | undefined
  let proxy: TcpProxy | undefined

  afterEach(async () => {
    await tollgate?.close()
    await proxy?.close()
    tollgate = undefined
    proxy = undefined
  })

  it('answers a burst of 400 parallel exchanges with no 5xx', async () => {
    tollgate = await startTollgate()

    expect(await burst(tollgate, 400)).toEqual({ 200: 400 })
  })

  it('queues a burst of 400 rather than failing it when each DynamoDB answer is 500 ms late', async () => {
    // A loaded machine, made repeatable: 64 sockets at 2 answers a second each
    // keep the last requests waiting for a socket for several seconds.
    proxy = await startTcpProxy(inject('dynamoDbEndpoint'), { kind: 'forward', delayMs: 500 })
    tollgate = await startTollgate({}, { dynamoDbEndpoint: proxy.endpoint })

    expect(await burst(tollgate, 400)).toEqual({ 200: 400 })
  })

  it('answers 503 unavailable within seconds when DynamoDB refuses connections', async () => {
    proxy = await startTcpProxy(inject('dynamoDbEndpoint'), { kind: 'forward', delayMs: 0 })
    const running = await startTollgate({}, { dynamoDbEndpoint: proxy.endpoint })
    tollgate = running
    await proxy.close()
    const started = Date.now()

    const answers = await Promise.all(Array.from({ length: 20 }, () => exchange(running)))

    expect(Date.now() - started).toBeLessThan(5_000)
    for (const answer of answers) {
      expect(answer.status).toBe(503)
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'unavailable' })
    }
  })

  it('answers 503 unavailable in bounded time when DynamoDB accepts but never answers', async () => {
    proxy = await startTcpProxy(inject('dynamoDbEndpoint'), { kind: 'forward', delayMs: 0 })
    tollgate = await startTollgate({}, { dynamoDbEndpoint: proxy.endpoint })
    proxy.setMode({ kind: 'hang' })
    proxy.dropConnections()
    const started = Date.now()

    const answer = await exchange(tollgate)

    // Three attempts of at most 2 s without a byte, plus backoff.
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(answer.status).toBe(503)
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'unavailable' })
  })
})
