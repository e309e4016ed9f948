import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROUTES, type Route, routeKey } from '../../functions/core/routes.js'
import { STATUS_BY_CODE } from '../../functions/handlers/http-status.js'
import { parseRequestTarget } from '../../functions/local/request-target.js'
import { compileRoute, matchRoute } from '../../functions/local/route-matcher.js'
import { apiAs, exchangeFor } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import {
  type Credential,
  type CredentialPool,
  contentType,
  credentials,
  fuzzRuns,
  ifMatch,
  queryString,
  requestBody,
  routeBody,
  routeTarget,
  ruleBreakingJwts,
} from '../support/http-fuzz.js'
import { sendRaw } from '../support/raw-http.js'
import { sampleRequest } from '../support/route-samples.js'

/**
 * Issue 12, part 5: fast-check over every route, body, query, path parameter
 * and header of the real dev server (DynamoDB Local behind it). Properties,
 * for every input:
 * - never a 5xx (the store is up), never a hang;
 * - every refusal on Tollgate's own routes is problem+json whose `code` and
 *   `status` agree; on `/whoami/authorizer`, API Gateway's fixed answers;
 * - never a 2xx on a protected route without a valid credential, and never
 *   a JWT from an exchange without a live access token;
 * - no presented secret or JWT is ever echoed.
 * Bounded here; `npm run fuzz` sets FUZZ_RUNS.
 */
const RUNS = fuzzRuns(120)
const TIMEOUT_MS = 30_000 + RUNS * 200

const COMPILED = ROUTES.map((route) => compileRoute(route, undefined))
const FIXED_401 = '{"message":"Unauthorized"}'
const FIXED_403 = '{"message":"Forbidden"}'
const PROBLEM_KEYS = ['type', 'title', 'status', 'detail', 'code', 'request_id']

interface Sent {
  readonly method: string
  readonly url: string
  readonly credential: Credential
  readonly headers: Record<string, string>
  readonly body: string | undefined
}

/** The route the server matches for what fetch really sends (it resolves dot segments). */
const routeOf = (method: string, url: string): Route | undefined => {
  const match = matchRoute(COMPILED, method, new URL(url).pathname)
  return match === null || match === undefined ? undefined : match.compiled.route
}

const isBlank = (value: string | undefined) =>
  value === undefined || value.replace(/^[\t ]+|[\t ]+$/g, '') === ''

describe('the whole HTTP API (fuzz, real dev server)', () => {
  let tollgate: RunningTollgate
  let pool: CredentialPool
  let known: string[]
  let credential: fc.Arbitrary<Credential>
  /** Secrets and JWTs no answer may ever contain. */
  let secrets: string[]

  beforeAll(async () => {
    tollgate = await startTollgate()
    const admin = await apiAs(tollgate, tollgate.adminToken)
    const account = async (name: string, scopes: string[]) => {
      const created = await admin.post('/service-accounts', { name, roles: [], scopes })
      const token = await admin.post('/access-tokens', {
        name: 't',
        service_account_id: created.body.id,
      })
      return {
        accountId: created.body.id as string,
        tokenId: token.body.id as string,
        secret: token.body.token as string,
      }
    }
    // The reader's and the exchanger's ids are kept from the fuzz, so their credentials
    // stay live for the whole run; the victim's are there to be changed and deleted.
    const reader = await account('reader', ['tokens:read'])
    const exchanger = await account('exchanger', ['data:read', 'tokens:read'])
    const victim = await account('victim', ['data:read'])
    const revoked = await admin.post('/access-tokens', {
      name: 'revoked',
      service_account_id: victim.accountId,
    })
    const revokedJwt = await exchangeFor(tollgate, revoked.body.token as string)
    expect((await admin.delete(`/access-tokens/${revoked.body.id}`)).status).toBe(200)
    const login = await fetch(`${tollgate.server.url}/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'fuzzer' }),
    })
    const personJwt = ((await login.json()) as { jwt: string }).jwt
    pool = {
      validJwts: [admin.jwt, await exchangeFor(tollgate, reader.secret), personJwt],
      accessTokens: [exchanger.secret, victim.secret, reader.secret],
      revokedJwt,
      ruleBreaking: await ruleBreakingJwts(tollgate.dependencies.signer, admin.jwt),
    }
    // The admin's own account and token are left out, so the fuzz cannot lock itself out.
    known = [victim.accountId, victim.tokenId, revoked.body.id as string, 'user:dev:fuzzer']
    credential = await credentials(pool)
    secrets = [tollgate.adminToken, ...pool.accessTokens, ...pool.validJwts, revokedJwt]
  })
  afterAll(() => tollgate.close())

  const send = async (sent: Sent) => {
    const response = await fetch(sent.url, {
      method: sent.method,
      headers: sent.headers,
      ...(sent.body === undefined ? {} : { body: sent.body }),
      signal: AbortSignal.timeout(15_000),
    })
    return { response, text: await response.text() }
  }

  /** Every property of the file, for one request and its answer. */
  const check = async (sent: Sent): Promise<void> => {
    const { response, text } = await send(sent)
    const { status } = response
    const route = routeOf(sent.method, sent.url)
    const where = `${sent.method} ${sent.url} [${sent.credential.label}] → ${status} ${text.slice(0, 200)}`
    expect(status, where).toBeLessThan(500)
    for (const secret of secrets) {
      expect(text.includes(secret), `echoed a secret: ${where}`).toBe(false)
    }
    const presented = sent.credential.header?.replace(/^(Bearer|Basic) /, '') ?? ''
    if (presented.length >= 20) {
      expect(text.includes(presented), `echoed the credential: ${where}`).toBe(false)
    }

    if (route?.authorization === 'authorizer') {
      // API Gateway's HTTP API answers these itself; an authorizer cannot shape them.
      if (isBlank(sent.credential.header)) {
        expect([status, text], where).toEqual([401, FIXED_401])
      } else if (status !== 200) {
        expect([status, text], where).toEqual([403, FIXED_403])
      } else {
        expect(sent.credential.valid, `allowed without a valid credential: ${where}`).toBe(true)
      }
      return
    }
    if (status >= 300 && route?.handler === 'oauth2') {
      // OAuth 2.0's own error form (RFC 6749 §5.2), which OAuth libraries parse.
      expect(response.headers.get('content-type'), where).toBe('application/json')
      expect(Object.keys(JSON.parse(text)).sort(), where).toEqual(['error', 'error_description'])
      expect(response.headers.get('cache-control'), where).toBe('no-store')
      return
    }
    if (status >= 300) {
      expect(response.headers.get('content-type'), where).toBe('application/problem+json')
      const problem = JSON.parse(text) as Record<string, unknown>
      expect(Object.keys(problem).sort(), where).toEqual([...PROBLEM_KEYS].sort())
      expect(problem.status, where).toBe(status)
      expect(STATUS_BY_CODE[problem.code as keyof typeof STATUS_BY_CODE], where).toBe(status)
      if (status === 401) expect(response.headers.get('www-authenticate'), where).toMatch(/^Bearer/)
      return
    }
    if (route?.authorization === 'handler') {
      expect(sent.credential.valid, `a 2xx without a valid credential: ${where}`).toBe(true)
    }
    if (route?.handler === 'exchange-jwt') {
      const asked = (JSON.parse(sent.body ?? '{}') as { access_token?: unknown }).access_token
      expect(
        pool.accessTokens.includes(asked as string),
        `minted without a live token: ${where}`,
      ).toBe(true)
    }
  }

  const request = (
    target: { method: string; path: string },
    query: string,
    cred: Credential,
    type: string | undefined,
    match: string | undefined,
    body: string | undefined,
  ): Sent => {
    const headers: Record<string, string> = {}
    if (cred.header !== undefined) headers.authorization = cred.header
    if (type !== undefined) headers['content-type'] = type
    if (match !== undefined) headers['if-match'] = match
    const bodyless = target.method === 'GET' || target.method === 'HEAD'
    return {
      method: target.method,
      url: `${tollgate.server.url}${target.path}${query}`,
      credential: cred,
      headers,
      body: bodyless ? undefined : body,
    }
  }

  it(
    'answers any request to any route, with any credential, within the contract',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          routeTarget(known),
          queryString(known),
          credential,
          contentType,
          ifMatch,
          requestBody(known, pool.accessTokens),
          async (target, query, cred, type, match, body) =>
            check(request(target, query, cred, type, match, body)),
        ),
        { numRuns: RUNS },
      )
    },
    TIMEOUT_MS,
  )

  it(
    'never lets an invalid credential through a protected route, with an otherwise valid request',
    async () => {
      const ids = { accessToken: '', serviceAccountId: known[0] ?? '', tokenId: known[1] ?? '' }
      const protectedRoutes = ROUTES.filter((route) => route.authorization !== 'none')
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...protectedRoutes),
          credential.filter((c) => !c.valid),
          async (route, cred) => {
            const sample = sampleRequest(route, '', ids)
            const headers: Record<string, string> = { ...sample.headers }
            delete headers.authorization
            if (cred.header !== undefined) headers.authorization = cred.header
            await check({
              method: sample.method,
              url: `${tollgate.server.url}${sample.path}`,
              credential: cred,
              headers,
              body: sample.body,
            })
          },
        ),
        { numRuns: RUNS },
      )
    },
    TIMEOUT_MS,
  )

  it(
    'answers any body, content type and If-Match on every route with a body, as an admin',
    async () => {
      const withBodies = ROUTES.filter(
        (route) => route.method === 'POST' || route.method === 'PATCH',
      )
      await fc.assert(
        fc.asyncProperty(
          fc
            .constantFrom(...withBodies)
            .chain((route) =>
              fc.tuple(fc.constant(route), routeBody(routeKey(route), known, pool.accessTokens)),
            ),
          fc.constantFrom(...known),
          contentType,
          ifMatch,
          async ([route, body], id, type, match) => {
            const admin = pool.validJwts[0] as string
            const cred = { header: `Bearer ${admin}`, valid: true, label: 'valid' }
            await check(
              request(
                { method: route.method, path: route.path.replace('{id}', id) },
                '',
                cred,
                type,
                match,
                body,
              ),
            )
          },
        ),
        { numRuns: RUNS },
      )
    },
    TIMEOUT_MS,
  )

  it(
    'answers any query on every list, as an admin',
    async () => {
      const lists = ROUTES.filter((route) => route.method === 'GET')
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...lists),
          fc.constantFrom(...known),
          queryString(known),
          fc.constantFrom(...pool.validJwts),
          async (route, id, query, jwt) =>
            check(
              request(
                { method: 'GET', path: route.path.replace('{id}', id) },
                query,
                { header: `Bearer ${jwt}`, valid: true, label: 'valid' },
                undefined,
                undefined,
                undefined,
              ),
            ),
        ),
        { numRuns: RUNS },
      )
    },
    TIMEOUT_MS,
  )

  it(
    'answers any request target sent on a raw socket with problem+json, never a 5xx',
    async () => {
      const target = fc.oneof(
        fc.string({
          unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
          minLength: 1,
          maxLength: 80,
        }),
        fc
          .constantFrom(...ROUTES.map((r) => r.path))
          .chain((path) =>
            fc.constantFrom(
              path,
              `/${path}`,
              `${path}/`,
              `${path}/..`,
              `${path}?%`,
              `${path}#x`,
              `http://x${path}`,
            ),
          ),
      )
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'BREW'),
          target,
          async (method, path) => {
            const answer = await sendRaw(
              tollgate.server.port,
              `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
              { waitMs: 10_000 },
            )
            const where = `${method} ${path} → ${answer.status} ${answer.body.slice(0, 200)}`
            expect(answer.status, where).toBeGreaterThanOrEqual(200)
            expect(answer.status, where).toBeLessThan(500)
            if (answer.status < 300) {
              const parsed = parseRequestTarget(path)
              const match = parsed && matchRoute(COMPILED, method, parsed.path)
              // Only public routes (and the dev server's own) answer 2xx with no credential.
              expect(match?.compiled.route.authorization ?? 'none', where).toBe('none')
            }
            const parsedTarget = parseRequestTarget(path)
            const oauth =
              parsedTarget !== undefined &&
              matchRoute(COMPILED, method, parsedTarget.path)?.compiled.route.handler === 'oauth2'
            if (oauth && answer.status >= 400) {
              expect(Object.keys(JSON.parse(answer.body)).sort(), where).toEqual([
                'error',
                'error_description',
              ])
            } else if (answer.status >= 400 && answer.body !== FIXED_401) {
              expect(answer.headers['content-type'], where).toBe('application/problem+json')
              expect(JSON.parse(answer.body).status, where).toBe(answer.status)
            }
          },
        ),
        { numRuns: RUNS },
      )
    },
    TIMEOUT_MS,
  )
})
