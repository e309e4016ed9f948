import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isAllowedAddress } from '../../functions/adapters/address-policy.js'
import { fetchJwks, remoteKeySet } from '../../functions/adapters/remote-jwks.js'
import type { TollgateError } from '../../functions/core/errors.js'
import { fixedClock } from '../support/fakes.js'
import { makeTestKey } from '../support/jwt-attacks.js'
import { makeLocalCertificate } from '../support/tls.js'
import { waitUntil } from '../support/traffic.js'

const key = makeTestKey('RS256', 'idp-1')
let served = { keys: [key.jwk] as unknown[] }
let requests = 0

/** An identity provider's JWKS endpoint, with a few ways to misbehave. */
const handle = (
  path: string | undefined,
  respond: (status: number, body: string, headers?: Record<string, string>) => void,
) => {
  requests++
  switch (path) {
    case '/jwks':
      return respond(200, JSON.stringify(served), { 'content-type': 'application/json' })
    case '/redirect':
      return respond(302, '', { location: '/jwks' })
    case '/huge':
      return respond(200, JSON.stringify({ keys: [], pad: 'x'.repeat(200_000) }))
    case '/not-json':
      return respond(200, '<html>')
    case '/slow':
      return setTimeout(() => respond(200, JSON.stringify(served)), 2_000)
    default:
      return respond(404, '')
  }
}

/** Responses still being dribbled: each is a connection the client has not let go of. */
let dribbling = 0

/** Headers at once, then the body a byte every 100 ms: a deadline that stops at the headers never fires. */
const dribble = (response: import('node:http').ServerResponse, status: number) => {
  requests++
  dribbling++
  const body = JSON.stringify(served)
  response.writeHead(status, { 'content-type': 'application/json' })
  response.flushHeaders()
  let sent = 0
  const drip = setInterval(() => response.write(body.slice(sent, ++sent)), 100)
  response.on('close', () => {
    clearInterval(drip)
    dribbling--
  })
}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(String((server.address() as AddressInfo).port))),
  )

describe('fetchJwks (https, with a certificate openssl made for this run)', () => {
  let https: Server
  let http: Server
  let base: string
  let plainBase: string
  let ca: string

  beforeAll(async () => {
    const tls = await makeLocalCertificate()
    ca = tls.cert
    const handler = (
      request: import('node:http').IncomingMessage,
      response: import('node:http').ServerResponse,
    ) => {
      if (request.url === '/dribble') return dribble(response, 200)
      if (request.url === '/dribble-404') return dribble(response, 404)
      if (request.url === '/reset') {
        requests++
        response.writeHead(200, { 'content-type': 'application/json' })
        response.write('{"keys":[')
        return setTimeout(() => response.socket?.destroy(), 50)
      }
      return handle(request.url, (status, body, headers = {}) => {
        response.writeHead(status, headers)
        response.end(body)
      })
    }
    https = createHttpsServer({ cert: tls.cert, key: tls.key }, handler)
    http = createHttpServer(handler)
    base = `https://127.0.0.1:${await listen(https)}`
    plainBase = `http://127.0.0.1:${await listen(http)}`
  })
  afterAll(() => {
    https.close()
    http.close()
  })

  const fetchFrom = (uri: string, overrides: Partial<Parameters<typeof fetchJwks>[0]> = {}) =>
    fetchJwks({ uri, allowLoopback: true, ca, timeoutMs: 1_000, ...overrides })
  const refusal = async (promise: Promise<unknown>) => {
    const error = (await promise.catch((e: unknown) => e)) as TollgateError
    expect(error.code).toBe('unavailable')
    return error.message
  }

  it('fetches the keys over https from a server it trusts', async () => {
    expect(await fetchFrom(`${base}/jwks`)).toEqual([key.jwk])
  })

  it('refuses a certificate it does not trust', async () => {
    await refusal(fetchFrom(`${base}/jwks`, { ca: undefined }))
  })

  it('never follows a redirect', async () => {
    expect(await refusal(fetchFrom(`${base}/redirect`))).toContain('302')
  })

  it('caps the size, the time and the shape of the answer', async () => {
    expect(await refusal(fetchFrom(`${base}/huge`))).toContain('too large')
    expect(await refusal(fetchFrom(`${base}/slow`))).toContain('too long')
    expect(await refusal(fetchFrom(`${base}/not-json`))).toContain('not JSON')
  })

  it('holds one deadline from connect to the last byte, and lets go of the connection', async () => {
    const started = performance.now()
    expect(await refusal(fetchFrom(`${base}/dribble`))).toContain('too long')
    expect(performance.now() - started).toBeLessThan(1_500)
    await waitUntil('the dribbled connection to close', () => dribbling === 0, {
      timeoutMs: 500,
      everyMs: 10,
    })
  })

  it('lets go of a refused answer at once rather than reading its body', async () => {
    expect(await refusal(fetchFrom(`${base}/dribble-404`))).toContain('404')
    await waitUntil('the refused connection to close', () => dribbling === 0, {
      timeoutMs: 500,
      everyMs: 10,
    })
  })

  it('answers a connection reset in the middle of the body as unavailable', async () => {
    expect(await refusal(fetchFrom(`${base}/reset`))).toContain('failed')
  })

  it('refuses loopback outside local mode, by literal and by name', async () => {
    expect(await refusal(fetchFrom(`${base}/jwks`, { allowLoopback: false }))).toContain(
      'not a public',
    )
    const port = new URL(base).port
    expect(
      await refusal(fetchFrom(`https://localhost:${port}/jwks`, { allowLoopback: false })),
    ).toContain('not a public')
  })

  it('allows plain http only to loopback in local mode', async () => {
    expect(await fetchFrom(`${plainBase}/jwks`)).toEqual([key.jwk])
    await refusal(fetchFrom(`${plainBase}/jwks`, { allowLoopback: false }))
    await refusal(fetchFrom('http://example.com/jwks'))
  })

  it.each([
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.1/jwks',
    'https://[::ffff:192.168.0.1]/jwks',
    'https://[fd00::1]/jwks',
    'https://user:pass@example.com/jwks',
    'ftp://example.com/jwks',
  ])('refuses %s before any connection', async (uri) => {
    const before = requests
    await refusal(fetchFrom(uri, { allowLoopback: false }))
    expect(requests).toBe(before)
  })

  it('caches the keys, and refetches when asked (an unknown kid)', async () => {
    const clock = fixedClock()
    const keySet = remoteKeySet(
      { uri: `${base}/jwks`, allowLoopback: true, ca },
      { cacheTtlMs: 60_000, clock },
    )
    const before = requests
    await keySet.publicKeys()
    await keySet.publicKeys()
    expect(requests - before).toBe(1)

    const next = makeTestKey('ES256', 'idp-2')
    served = { keys: [key.jwk, next.jwk] }
    expect(await keySet.refresh?.()).toEqual([key.jwk, next.jwk])
    expect(requests - before).toBe(2)
  })
})

describe('isAllowedAddress', () => {
  it.each([
    ['8.8.8.8', false, true],
    ['2606:4700::1111', false, true],
    ['127.0.0.1', false, false],
    ['127.0.0.1', true, true],
    ['::1', true, true],
    ['10.1.2.3', true, false],
    ['172.20.0.1', false, false],
    ['192.168.1.1', false, false],
    ['169.254.169.254', true, false],
    ['100.64.0.1', false, false],
    ['::ffff:10.0.0.1', false, false],
    ['::ffff:8.8.8.8', false, true],
    ['fe80::1', false, false],
    ['fc00::1', false, false],
    ['0.0.0.0', false, false],
    ['not-an-ip', true, false],
  ])('%s (loopback allowed: %s) → %s', (address, allowLoopback, expected) => {
    expect(isAllowedAddress(address, { allowLoopback })).toBe(expected)
  })
})
