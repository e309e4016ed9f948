import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { makeTestKey, type TestKey } from '../support/jwt-attacks.js'
import { waitUntil } from '../support/traffic.js'

/**
 * Issue 16, part 3: a trusted issuer whose JWKS trickles in one byte a
 * second. docs/design.md#people: a remote JWKS fetch has one
 * deadline (3 s, connect to last byte), past it 503 with Retry-After, and a
 * slow issuer never delays another issuer's JWTs.
 */

interface IdentityProvider {
  readonly server: Server
  readonly url: string
  readonly key: TestKey
  /** JWKS requests received. */
  requests: number
  /** Connections still open. */
  readonly sockets: Set<Socket>
}

const startIdentityProvider = async (
  kid: string,
  serve: 'at once' | 'one byte a second',
): Promise<IdentityProvider> => {
  const key = makeTestKey('RS256', kid)
  const jwks = JSON.stringify({ keys: [key.jwk] })
  const server = createServer((_request, response) => {
    idp.requests++
    if (serve === 'at once') {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(jwks)
      return
    }
    // Headers at once, then the body a byte at a time: only a deadline that
    // runs to the last byte notices.
    response.writeHead(200, { 'content-type': 'application/json' })
    response.flushHeaders()
    let sent = 0
    const drip = setInterval(() => response.write(jwks.slice(sent, ++sent)), 1_000)
    response.on('close', () => clearInterval(drip))
  })
  const sockets = new Set<Socket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const idp: IdentityProvider = {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key,
    requests: 0,
    sockets,
  }
  return idp
}

const jwtOf = (idp: IdentityProvider) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: idp.key.kid, typ: 'JWT' })
    .setIssuer(idp.url)
    .setAudience('api://tollgate')
    .setSubject('00u42')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(idp.key.privateKey)

interface Timed {
  readonly status: number
  readonly ms: number
  readonly headers: Headers
  readonly body: Record<string, unknown>
}

/** One call, timed; a call still unanswered after 10 s is recorded as status 0. */
const timedGet = async (url: string, jwt: string): Promise<Timed> => {
  const started = performance.now()
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${jwt}` },
      signal: AbortSignal.timeout(10_000),
    })
    const body = (await response.json()) as Record<string, unknown>
    return {
      status: response.status,
      ms: performance.now() - started,
      headers: response.headers,
      body,
    }
  } catch {
    return { status: 0, ms: performance.now() - started, headers: new Headers(), body: {} }
  }
}

describe('a slow identity provider (real dev server, DynamoDB Local)', () => {
  let slow: IdentityProvider
  let healthy: IdentityProvider
  let tollgate: RunningTollgate

  beforeAll(async () => {
    slow = await startIdentityProvider('slow-1', 'one byte a second')
    healthy = await startIdentityProvider('healthy-1', 'at once')
    const trusted = (id: string, idp: IdentityProvider) => ({
      id,
      issuer: idp.url,
      jwks_uri: `${idp.url}/keys`,
      audience: 'api://tollgate',
      role_map: {},
    })
    tollgate = await startTollgate({
      TRUSTED_ISSUERS: JSON.stringify([trusted('slow', slow), trusted('healthy', healthy)]),
    })
  })
  afterAll(async () => {
    await tollgate.close()
    slow.server.closeAllConnections()
    healthy.server.closeAllConnections()
    slow.server.close()
    healthy.server.close()
  })

  it('answers 503 with Retry-After within 5 s, while another issuer’s JWTs keep passing', async () => {
    const slowJwt = await jwtOf(slow)
    const healthyJwt = await jwtOf(healthy)
    const whoami = `${tollgate.server.url}/whoami`

    // Several callers of the slow issuer at once, in the handler and behind the authorizer.
    const slowCalls = Promise.all([
      timedGet(whoami, slowJwt),
      timedGet(whoami, slowJwt),
      timedGet(whoami, slowJwt),
      timedGet(`${whoami}/authorizer`, slowJwt),
    ])
    let slowDone = false
    void slowCalls.then(() => {
      slowDone = true
    })
    // Meanwhile the healthy issuer's JWTs, its keys not even fetched yet, a few a second.
    const healthyCalls: Timed[] = []
    while (!slowDone) {
      healthyCalls.push(await timedGet(whoami, healthyJwt))
      await new Promise((wake) => setTimeout(wake, 200))
    }
    const [first, second, third, behindAuthorizer] = await slowCalls

    for (const answer of [first, second, third]) {
      expect(answer?.status).toBe(503)
      expect(answer?.ms).toBeLessThan(5_000)
      expect(answer?.headers.get('content-type')).toBe('application/problem+json')
      expect(Number(answer?.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(answer?.body).toMatchObject({ code: 'unavailable', status: 503 })
    }
    // An HTTP API answers an authorizer's throw 500: a dependency failure is never a deny (403).
    expect(behindAuthorizer?.status).toBe(500)
    expect(behindAuthorizer?.ms).toBeLessThan(5_000)
    // The callers shared one fetch rather than each opening a connection.
    expect(slow.requests).toBe(1)
    expect(healthyCalls.length).toBeGreaterThanOrEqual(3)
    expect(healthyCalls.map((call) => call.status)).toEqual(healthyCalls.map(() => 200))
    expect(Math.max(...healthyCalls.map((call) => call.ms))).toBeLessThan(1_000)
    // Past the deadline the connection is gone, not left reading in the background.
    await waitUntil('the slow JWKS connection to close', () => slow.sockets.size === 0, {
      timeoutMs: 1_000,
      everyMs: 20,
    })
  })
})
