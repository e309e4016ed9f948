import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROUTES, routeKey } from '../../functions/core/routes.js'
import { apiAs } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { type FakeAws, type Fault, startFakeAws } from '../support/fake-aws.js'
import { fixedClock } from '../support/fakes.js'
import { keysInitOnStart } from '../support/keys-init.js'
import { outageLanes, sweepEveryRoute } from '../support/outage.js'
import type { SampleIds } from '../support/route-samples.js'

/**
 * Issue 12, part 4, for the key services: KMS and Secrets Manager failing
 * (throttled, 5xx, too slow) under the real dev server, through the fake
 * endpoint of test/support/fake-aws.ts. Key caches last one second
 * (KEYS_CACHE_TTL_SECONDS=1) and API Gateway's result cache is off, so
 * every request meets the fault once a copy is due.
 */

const FAULTS: ReadonlyArray<[string, Fault]> = [
  ['throttled', { kind: 'throttle' }],
  ['a 500', { kind: 'internal' }],
  ['a 503', { kind: 'unavailable' }],
  // Beyond the clients' 3 s request timeout, on every attempt.
  ['too slow', { kind: 'slow', ms: 3_500 }],
]
/** The same without the slow one (about 10 s each), where another case already times out. */
const QUICK_FAULTS = FAULTS.filter(([, fault]) => fault.kind !== 'slow')
/** Every attempt of one SDK call (maxAttempts 3), and then some. */
const EVERY_ATTEMPT = 1_000

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms))

interface Answer {
  readonly status: number
  readonly code: string | undefined
  readonly retryAfter: string | null
  readonly body: string
  readonly ms: number
}

const call = async (url: string, init: RequestInit = {}): Promise<Answer> => {
  const started = Date.now()
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) })
  const body = await response.text()
  const code = response.headers.get('content-type')?.includes('json')
    ? (JSON.parse(body) as { code?: string }).code
    : undefined
  return {
    status: response.status,
    code,
    retryAfter: response.headers.get('retry-after'),
    body,
    ms: Date.now() - started,
  }
}

const UNAVAILABLE = { status: 503, code: 'unavailable', retryAfter: '1' }
/**
 * Routes that read no public key: discovery and the console from their
 * configuration, and a revocation of a malformed token, which authenticates
 * its client with the pepper and the store alone.
 */
const NEEDS_NO_KEYS: ReadonlySet<string> = new Set([
  'GET /openapi.json',
  'GET /.well-known/openid-configuration',
  'GET /.well-known/oauth-authorization-server',
  'GET /console',
  'GET /console/config.json',
  'GET /console/{asset}',
  'POST /oauth2/revoke',
])
const FIXED_500 = '{"message":"Internal Server Error"}'

/** What the tests ask of a running server with key faults: three calls and a sweep. */
const probe = (tollgate: RunningTollgate, adminJwt: string) => {
  const bearer = { headers: { authorization: `Bearer ${adminJwt}` } }
  return {
    exchange: () =>
      call(`${tollgate.server.url}/access-tokens/jwt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: tollgate.adminToken }),
      }),
    whoami: () => call(`${tollgate.server.url}/whoami`, bearer),
    authorizer: () => call(`${tollgate.server.url}/whoami/authorizer`, bearer),
    jwks: () => call(`${tollgate.server.url}/.well-known/jwks.json`),
  }
}

let aws: FakeAws
beforeAll(async () => {
  aws = await startFakeAws()
})
afterAll(() => aws.close())

describe('KEY_SOURCE=kms with KMS and Secrets Manager failing', () => {
  let tollgate: RunningTollgate
  let adminJwt: string
  let ids: SampleIds
  const pepperSecretId = `pepper-${randomUUID()}`

  beforeAll(async () => {
    const keyArn = aws.kms.createKey('ECC_NIST_P256').arn
    tollgate = await startTollgate(
      {
        KEY_SOURCE: 'kms',
        JWT_ALG: 'ES256',
        KMS_KEY_IDS: keyArn,
        PEPPER_SECRET_ID: pepperSecretId,
        AWS_ENDPOINT_URL_KMS: aws.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
        KEYS_CACHE_TTL_SECONDS: '1',
        AUTHORIZER_CACHE_TTL_SECONDS: '0',
      },
      keysInitOnStart(aws, { alg: 'ES256', pepperSecretId, clock: fixedClock() }),
    )
    adminJwt = (await apiAs(tollgate, tollgate.adminToken)).jwt
    ;({ ids } = await outageLanes(tollgate))
  })
  afterAll(() => tollgate?.close())

  it.each(FAULTS)(
    'kms:Sign %s: the exchange answers 503 with Retry-After, then recovers',
    async (_, fault) => {
      const { exchange, whoami } = probe(tollgate, adminJwt)
      expect((await exchange()).status).toBe(200)

      aws.inject('Sign', fault, EVERY_ATTEMPT)
      const during = await exchange()
      const unaffected = await whoami()
      aws.clearFaults()
      const after = await exchange()

      expect(during).toMatchObject(UNAVAILABLE)
      expect(during.ms).toBeLessThan(15_000)
      expect(unaffected.status).toBe(200)
      expect(after.status).toBe(200)
    },
  )

  it('kms:GetPublicKey failing: once no copy is fresh, every route that verifies or signs answers 503, the authorizer 500; then all recover', async () => {
    const { exchange, whoami, authorizer, jwks } = probe(tollgate, adminJwt)
    expect([(await authorizer()).status, (await jwks()).status]).toEqual([200, 200])

    aws.inject('GetPublicKey', { kind: 'unavailable' }, 100_000)
    // The key set's copy is due after 1 s; a verifier keeps a copy through a failed
    // reload for twice that. Past 3 s, nothing fresh is left anywhere.
    await sleep(3_500)
    const sweep = await sweepEveryRoute(tollgate.server.url, adminJwt, ids)
    aws.clearFaults()
    await sleep(1_100)
    const after = await Promise.all([exchange(), whoami(), authorizer(), jwks()])

    expect(sweep.map(({ key, status, code }) => ({ key, status, code }))).toEqual(
      ROUTES.map((route) => {
        const key = routeKey(route)
        if (NEEDS_NO_KEYS.has(key)) return { key, status: 200, code: undefined }
        if (route.authorization === 'authorizer') return { key, status: 500, code: undefined }
        // /oauth2/* answers in RFC 6749's form: the same fault is temporarily_unavailable.
        const code = key.startsWith('POST /oauth2/') ? 'temporarily_unavailable' : 'unavailable'
        return { key, status: 503, code }
      }),
    )
    expect(after.map((answer) => answer.status)).toEqual([200, 200, 200, 200])
  })

  it('the authorizer answers the fixed 500 (never 401, never an allow) while public keys cannot be read', async () => {
    const { authorizer } = probe(tollgate, adminJwt)
    expect((await authorizer()).status).toBe(200)

    aws.inject('GetPublicKey', { kind: 'throttle' }, 100_000)
    const answers: Answer[] = []
    const started = Date.now()
    while (Date.now() - started < 5_000) answers.push(await authorizer())
    aws.clearFaults()

    // Allows only from a copy still within its bound (≤ 2 × 1 s after its last load), then 500.
    const late = answers.filter((_, i) => i > 0 && answers[i - 1]?.status === 500)
    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 500)).toEqual([])
    expect(answers.some((a) => a.status === 500)).toBe(true)
    expect(late.every((a) => a.status === 500 && a.body === FIXED_500)).toBe(true)
  })

  it.each(QUICK_FAULTS)(
    'secretsmanager:GetSecretValue %s (the pepper): the exchange answers 503, callers with a JWT go on',
    async (_, fault) => {
      const { exchange, whoami, authorizer } = probe(tollgate, adminJwt)
      expect((await exchange()).status).toBe(200)

      aws.inject('GetSecretValue', fault, EVERY_ATTEMPT)
      await sleep(1_100)
      const during = await exchange()
      const others = await Promise.all([whoami(), authorizer()])
      aws.clearFaults()
      await sleep(1_100)
      const after = await exchange()

      expect(during).toMatchObject(UNAVAILABLE)
      expect(others.map((answer) => answer.status)).toEqual([200, 200])
      expect(after.status).toBe(200)
    },
  )
})

describe('KEY_SOURCE=secrets-manager with Secrets Manager failing', () => {
  let tollgate: RunningTollgate
  let adminJwt: string
  const signingKeysSecretId = `signing-keys-${randomUUID()}`
  const pepperSecretId = `pepper-${randomUUID()}`

  beforeAll(async () => {
    tollgate = await startTollgate(
      {
        KEY_SOURCE: 'secrets-manager',
        JWT_ALG: 'RS256',
        SIGNING_KEYS_SECRET_ID: signingKeysSecretId,
        PEPPER_SECRET_ID: pepperSecretId,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
        KEYS_CACHE_TTL_SECONDS: '1',
        AUTHORIZER_CACHE_TTL_SECONDS: '0',
      },
      keysInitOnStart(aws, {
        alg: 'RS256',
        pepperSecretId,
        signingKeysSecretId,
        clock: fixedClock(Date.now()),
      }),
    )
    adminJwt = (await apiAs(tollgate, tollgate.adminToken)).jwt
  })
  afterAll(() => tollgate?.close())

  it.each(FAULTS)(
    'GetSecretValue %s: the exchange answers 503; JWKS, /whoami and the authorizer (keys from the table) go on',
    async (_, fault) => {
      const { exchange, whoami, authorizer, jwks } = probe(tollgate, adminJwt)
      expect((await exchange()).status).toBe(200)

      aws.inject('GetSecretValue', fault, EVERY_ATTEMPT)
      await sleep(1_100)
      const during = await exchange()
      const others = await Promise.all([whoami(), authorizer(), jwks()])
      aws.clearFaults()
      await sleep(1_100)
      const after = await exchange()

      expect(during).toMatchObject(UNAVAILABLE)
      expect(during.ms).toBeLessThan(15_000)
      expect(others.map((answer) => answer.status)).toEqual([200, 200, 200])
      expect(after.status).toBe(200)
    },
  )
})
