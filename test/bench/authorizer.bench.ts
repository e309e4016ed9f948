import { createPublicKey, randomUUID, verify } from 'node:crypto'
import { JwtVerifier } from 'aws-jwt-verify'
import type { Jwks } from 'aws-jwt-verify/jwk'
import { importJWK, jwtVerify } from 'jose'
import { loadLocalKeys } from '../../functions/adapters/local-key-file.js'
import { systemClock } from '../../functions/adapters/system-clock.js'
import { buildClaims } from '../../functions/core/claims.js'
import { parseConfig } from '../../functions/core/config.js'
import { signJwt } from '../../functions/core/jws.js'
import { VERIFIED_TOKEN_CACHE_SIZE } from '../../functions/core/jwt-verifier.js'
import { createPersonVerifier, type PersonVerifier } from '../../functions/core/person-verifier.js'
import { isAllowedByPolicy, type PolicyDocument } from '../../functions/core/route-permissions.js'
import type { AuthorizerHandler } from '../../functions/handlers/authorizer.js'
import { lambdaContext } from '../support/lambda.js'
import {
  BENCH_ROUTE_SCOPES,
  BENCH_SCOPES,
  httpV2AuthorizerEvent,
  REST_METHOD_ARN,
  restTokenEvent,
} from './authorizer-events.js'
import type { BenchEnvironment } from './environment.js'
import { ratio, throughput } from './figures.js'
import { type BenchTask, type InterleaveOptions, runInterleaved } from './interleave.js'
import { median } from './stats.js'
import type { SuiteResult } from './types.js'

export type BenchAlg = 'RS256' | 'ES256'

/** Long enough to outlive the run; the exchange would allow up to MAX_JWT_DURATION_SECONDS. */
const JWT_DURATION_SECONDS = 3600

/**
 * Distinct JWTs cycled through: 2.5 times the verified-token cache, which
 * keeps a JWT only when verified twice within 2 × its size misses, so none
 * is ever kept and each call is a full verification (the verifier's
 * counters, in the notes, confirm it).
 */
const DISTINCT_JWTS = (5 * VERIFIED_TOKEN_CACHE_SIZE) / 2

/**
 * 4 discarded rounds, then 30 measured, each 100 ms per task in ~2 ms
 * batches: about 50 batches per task per round, so one GC pause or lost
 * time slice moves no round's median.
 */
const DEFAULT_OPTIONS: InterleaveOptions = {
  warmupRounds: 4,
  rounds: 30,
  roundTimeMs: 100,
  batchMs: 2,
}

/** The identity provider the people task trusts; none of the bench's JWTs is its. */
const BENCH_IDP = {
  id: 'bench-idp',
  issuer: 'https://idp.example',
  jwksUri: 'https://idp.example/jwks.json',
  audience: 'api://tollgate-bench',
  subjectClaim: 'sub',
  rolesClaim: undefined,
  roleMap: {},
} as const

const TASK = {
  floor: 'floor: crypto.verify, distinct JWTs',
  distinctOn: 'authorizer REST, distinct JWTs, REVOCATION_CHECK on',
  distinctOff: 'authorizer REST, distinct JWTs, REVOCATION_CHECK off',
  httpOn: 'authorizer HTTP API 2.0, distinct JWTs, REVOCATION_CHECK on',
  repeatedOn: 'authorizer REST, one repeated JWT, REVOCATION_CHECK on',
  peopleOn: 'authorizer REST, distinct JWTs, REVOCATION_CHECK on, a trusted issuer configured',
  jose: 'jose jwtVerify, distinct JWTs',
  awsJwtVerify: 'aws-jwt-verify JwtVerifier, distinct JWTs',
} as const

/** The Tollgate config the bench's authorizer (and the cold-start child) runs with. */
export const authorizerBenchEnv = (
  env: BenchEnvironment,
  alg: BenchAlg,
  revocationCheck = false,
): Record<string, string> => ({
  DATA_DIR: env.dataDir,
  TABLE_NAME: env.tableName,
  JWT_ALG: alg,
  ROUTE_SCOPES: JSON.stringify(BENCH_ROUTE_SCOPES),
  REVOCATION_CHECK: String(revocationCheck),
  // The deny-list's DynamoDB: the bench's DynamoDB Local.
  AWS_ENDPOINT_URL_DYNAMODB: env.endpoint,
})

/**
 * Valid Tollgate JWTs for the bench route, each with its own `jti`, signed
 * with the `alg` key of the bench DATA_DIR (created there on first use, so
 * the authorizer's `readLocalKeys` finds it too), with the claims the
 * exchange would mint.
 */
export const mintBenchJwts = async (
  env: BenchEnvironment,
  alg: BenchAlg,
  count: number,
): Promise<{ jwts: string[]; sub: string }> => {
  const config = parseConfig(authorizerBenchEnv(env, alg))
  const keys = await loadLocalKeys(env.dataDir, alg)
  const jwts: string[] = []
  let sub = ''
  const issuedAt = Date.now()
  for (let i = 0; i < count; i++) {
    const claims = buildClaims({
      issuer: config.issuer,
      audience: config.audience,
      token: env.admin.token,
      roles: env.admin.token.roles,
      ownerGeneration: 1,
      scopes: BENCH_SCOPES,
      issuedAt,
      durationSeconds: JWT_DURATION_SECONDS,
      jti: randomUUID(),
    })
    sub = claims.sub
    jwts.push(await signJwt(keys.signer, claims))
  }
  return { jwts, sub }
}

export const mintBenchJwt = async (
  env: BenchEnvironment,
  alg: BenchAlg,
): Promise<{ jwt: string; sub: string }> => {
  const { jwts, sub } = await mintBenchJwts(env, alg, 1)
  return { jwt: jwts[0] ?? '', sub }
}

const fail = (task: string, answer: unknown): never => {
  throw new Error(`${task}: not an allow: ${JSON.stringify(answer)}`)
}

/** Hands out the items in turn, forever. */
const cycle = <T>(items: readonly T[]): (() => T) => {
  let next = 0
  return () => {
    const item = items[next] as T
    next = next + 1 === items.length ? 0 : next + 1
    return item
  }
}

/**
 * Warm authorizer decisions per second against the floor, in one process:
 * `crypto.verify` of the same JWTs with the key prepared once, which any
 * verifier of these JWTs must at least do. Everything runs on
 * `DISTINCT_JWTS` distinct JWTs in turn, so the verified-token cache never
 * hits, except the one task that repeats a single JWT to measure it. jose
 * and aws-jwt-verify run on the same JWTs, each with its key prepared once.
 * The handler gets a Lambda context, as the runtime always passes one.
 * Handler modules are imported lazily, after run.ts has set
 * POWERTOOLS_LOG_LEVEL.
 */
export const runAuthorizerSuite = async (
  env: BenchEnvironment,
  alg: BenchAlg,
  options: InterleaveOptions = DEFAULT_OPTIONS,
): Promise<SuiteResult> => {
  const { createAuthorizerHandler } = await import('../../functions/handlers/authorizer.js')
  const { buildAuthorizerDependencies } = await import('../../functions/wiring/authorizer.js')
  const { DynamoDbDenyListReader } = await import('../../functions/adapters/dynamodb-deny-list.js')
  // One more than the distinct ones: the JWT that checks every handler first, and the repeated one.
  const { jwts: minted, sub } = await mintBenchJwts(env, alg, DISTINCT_JWTS + 1)
  const repeated = minted.pop() ?? ''
  const jwts = minted
  const config = parseConfig(authorizerBenchEnv(env, alg))
  const keys = await loadLocalKeys(env.dataDir, alg)

  // As the Lambda's provider: one promise, resolved once, handed out on every call.
  // Each handler has its own dependencies, so no two share a verified-token cache.
  const authorizer = (revocationCheck: boolean, people?: PersonVerifier) => {
    const deps = buildAuthorizerDependencies({
      config: parseConfig(authorizerBenchEnv(env, alg, revocationCheck)),
      keySet: keys.keySet,
      clock: systemClock,
      people,
      // The deny-list copy is read from DynamoDB Local and refreshed every 10 s.
      denyListReader: async () => new DynamoDbDenyListReader(env.dynamoDb, env.tableName),
    })
    const built = Promise.resolve(deps)
    return { handler: createAuthorizerHandler(() => built), deps }
  }
  // People's JWTs trusted from an identity provider (as local mode always trusts the dev
  // issuer): every Bearer JWT is decoded to read its iss before a verifier is picked.
  const people = createPersonVerifier({
    issuers: [{ ...BENCH_IDP, keySet: { publicKeys: async () => [] } }],
    roleScopes: {},
    clock: systemClock,
    keysRefreshMs: 300_000,
  })
  const built = {
    distinctOn: authorizer(true),
    distinctOff: authorizer(false),
    httpOn: authorizer(true),
    repeatedOn: authorizer(true),
    peopleOn: authorizer(true, people),
  }
  const handlers: Record<keyof typeof built, AuthorizerHandler> = {
    distinctOn: built.distinctOn.handler,
    distinctOff: built.distinctOff.handler,
    httpOn: built.httpOn.handler,
    repeatedOn: built.repeatedOn.handler,
    peopleOn: built.peopleOn.handler,
  }
  const cacheCounters = (which: keyof typeof built): string => {
    const stats = built[which].deps.verifier.verifiedTokenStats?.()
    return stats === undefined
      ? 'no cache'
      : `${stats.hits} hits, ${stats.misses} misses, ${stats.admitted} kept`
  }
  const context = lambdaContext('tollgate-authorizer')
  const restEvents = jwts.map(restTokenEvent)
  const httpEvents = jwts.map(httpV2AuthorizerEvent)

  const [publishedJwk] = await keys.keySet.publicKeys()
  if (publishedJwk === undefined) throw new Error(`no published ${alg} key`)
  const joseKey = await importJWK(publishedJwk, alg)
  const awsVerifier = JwtVerifier.create({
    issuer: config.issuer,
    audience: config.audience,
    jwksUri: `${config.issuer}/.well-known/jwks.json`,
  })
  awsVerifier.cacheJwks({ keys: [publishedJwk] } as Jwks)
  const publicKey = createPublicKey({ key: publishedJwk, format: 'jwk' })
  const floorKey =
    alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey
  const floor = (jwt: string): void => {
    const dot = jwt.lastIndexOf('.')
    const data = Buffer.from(jwt.slice(0, dot), 'latin1')
    if (!verify('sha256', data, floorKey, Buffer.from(jwt.slice(dot + 1), 'base64url'))) {
      throw new Error('floor: the signature does not verify')
    }
  }

  // Fail loudly before measuring: a refusal would benchmark the error path.
  const first = restTokenEvent(repeated)
  for (const handler of [
    handlers.distinctOn,
    handlers.distinctOff,
    handlers.repeatedOn,
    handlers.peopleOn,
  ]) {
    const answer = await handler(first, context)
    if (
      !('policyDocument' in answer) ||
      answer.principalId !== sub ||
      !isAllowedByPolicy(answer.policyDocument as PolicyDocument, REST_METHOD_ARN)
    ) {
      fail('REST', answer)
    }
  }
  const httpAnswer = await handlers.httpOn(httpV2AuthorizerEvent(repeated), context)
  if (!('isAuthorized' in httpAnswer) || httpAnswer.isAuthorized !== true) fail('HTTP', httpAnswer)

  const restTask = (name: string, handler: AuthorizerHandler, next: () => unknown): BenchTask => ({
    name,
    fn: async () => {
      const answer = await handler(next(), context)
      if (!('principalId' in answer) || answer.principalId !== sub) fail(name, answer)
    },
  })
  const nextJwt = () => cycle(jwts)
  const tasks: BenchTask[] = [
    {
      name: TASK.floor,
      fn: (
        (next) => () =>
          floor(next())
      )(nextJwt()),
    },
    restTask(TASK.distinctOn, handlers.distinctOn, cycle(restEvents)),
    restTask(TASK.distinctOff, handlers.distinctOff, cycle(restEvents)),
    ((next) => ({
      name: TASK.httpOn,
      fn: async () => {
        const answer = await handlers.httpOn(next(), context)
        if (!('isAuthorized' in answer) || answer.isAuthorized !== true) fail(TASK.httpOn, answer)
      },
    }))(cycle(httpEvents)),
    restTask(TASK.repeatedOn, handlers.repeatedOn, () => first),
    restTask(TASK.peopleOn, handlers.peopleOn, cycle(restEvents)),
    ((next) => ({
      name: TASK.jose,
      fn: async () => {
        const { payload } = await jwtVerify(next(), joseKey, {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: [alg],
        })
        if (payload.sub !== sub) fail(TASK.jose, payload)
      },
    }))(nextJwt()),
    ((next) => ({
      name: TASK.awsJwtVerify,
      fn: async () => {
        const payload = await awsVerifier.verify(next())
        if (payload.sub !== sub) fail(TASK.awsJwtVerify, payload)
      },
    }))(nextJwt()),
  ]
  const rows = await runInterleaved(tasks, options)
  const id = `authorizer.${alg}`
  const curve = alg === 'RS256' ? 'RSA-2048' : 'P-256'
  const floorMicros =
    1e6 / median(rows.find((row) => row.task === TASK.floor)?.roundOpsPerSecond ?? [])
  return {
    id,
    title: `Authorizer, warm, Bearer ${alg} (${curve})`,
    figures: [
      ratio(
        `${id}.distinct_on_over_floor`,
        'REST, distinct JWTs, REVOCATION_CHECK on / floor',
        rows,
        TASK.distinctOn,
        TASK.floor,
        { op: '>=', value: 0.75 },
      ),
      ratio(
        `${id}.distinct_off_over_floor`,
        'REST, distinct JWTs, REVOCATION_CHECK off / floor',
        rows,
        TASK.distinctOff,
        TASK.floor,
        { op: '>=', value: 0.75 },
      ),
      ratio(
        `${id}.http_on_over_floor`,
        'HTTP API 2.0, distinct JWTs, REVOCATION_CHECK on / floor',
        rows,
        TASK.httpOn,
        TASK.floor,
        { op: '>=', value: 0.75 },
      ),
      ratio(
        `${id}.repeated_on_over_floor`,
        'REST, one repeated JWT (verified-token cache), REVOCATION_CHECK on / floor',
        rows,
        TASK.repeatedOn,
        TASK.floor,
        { op: '>=', value: 3 },
      ),
      ratio(
        `${id}.people_on_over_floor`,
        'REST, distinct JWTs, REVOCATION_CHECK on, a trusted issuer configured / floor',
        rows,
        TASK.peopleOn,
        TASK.floor,
        { op: '>=', value: 0.75 },
      ),
      ratio(
        `${id}.revocation_on_over_off`,
        'REST, distinct JWTs: REVOCATION_CHECK on / off',
        rows,
        TASK.distinctOn,
        TASK.distinctOff,
        { op: '>=', value: 0.9 },
      ),
      ratio(
        `${id}.distinct_on_over_jose`,
        'REST, distinct JWTs, REVOCATION_CHECK on / jose',
        rows,
        TASK.distinctOn,
        TASK.jose,
        { op: '>=', value: 1 },
      ),
      ratio(
        `${id}.distinct_on_over_aws_jwt_verify`,
        'REST, distinct JWTs, REVOCATION_CHECK on / aws-jwt-verify',
        rows,
        TASK.distinctOn,
        TASK.awsJwtVerify,
        { op: '>=', value: 1 },
      ),
      throughput(`${id}.floor`, TASK.floor, rows, TASK.floor),
      throughput(`${id}.distinct_on`, TASK.distinctOn, rows, TASK.distinctOn),
      throughput(`${id}.distinct_off`, TASK.distinctOff, rows, TASK.distinctOff),
      throughput(`${id}.http_on`, TASK.httpOn, rows, TASK.httpOn),
      throughput(`${id}.repeated_on`, TASK.repeatedOn, rows, TASK.repeatedOn),
      throughput(`${id}.people_on`, TASK.peopleOn, rows, TASK.peopleOn),
      throughput(`${id}.jose`, TASK.jose, rows, TASK.jose),
      throughput(`${id}.aws_jwt_verify`, TASK.awsJwtVerify, rows, TASK.awsJwtVerify),
    ],
    notes: [
      `${options.rounds} rounds after ${options.warmupRounds} discarded, tasks in rotating order,` +
        ` ${options.roundTimeMs} ms per task per round in batches of ~${options.batchMs} ms;` +
        ' a round counts its median batch; ratios are taken round by round; one call in flight.',
      `${DISTINCT_JWTS} distinct JWTs in turn, route GET /datasets/42 needing datasets:read;` +
        ` the floor verifies one in ~${floorMicros.toFixed(1)} µs. Verified-token cache,` +
        ` REST distinct: ${cacheCounters('distinctOn')}; one repeated JWT:` +
        ` ${cacheCounters('repeatedOn')}.`,
      'Floor: split at the last dot, base64url-decode the signature, crypto.verify with a' +
        ' KeyObject made once. jose: {issuer, audience, algorithms}, key imported once;' +
        ' aws-jwt-verify: {issuer, audience, jwksUri} with the JWKS cached.',
      'REVOCATION_CHECK on: the deny-list copy read from DynamoDB Local, refreshed every 10 s.' +
        ' A trusted issuer configured: one identity provider in TRUSTED_ISSUERS, so each JWT is' +
        " decoded to read its iss before Tollgate's verifier takes it, decoded (as in local mode," +
        ' which trusts the dev issuer).',
      "jose verifies through WebCrypto, whose work runs on libuv's thread pool: with one call" +
        ' in flight its rate follows how soon a pool thread gets a core, so its ratio moves with' +
        ' the machine from run to run far more than within one (docs/benchmarks.md gives it' +
        ' across runs); aws-jwt-verify and the floor run on the calling thread, as Tollgate does.',
    ],
  }
}
