import { randomUUID } from 'node:crypto'
import { JwtVerifier } from 'aws-jwt-verify'
import type { Jwks } from 'aws-jwt-verify/jwk'
import { importJWK, jwtVerify } from 'jose'
import { loadLocalKeys } from '../../functions/adapters/local-key-file.js'
import { systemClock } from '../../functions/adapters/system-clock.js'
import { buildClaims } from '../../functions/core/claims.js'
import { parseConfig } from '../../functions/core/config.js'
import { signJwt } from '../../functions/core/jws.js'
import { isAllowedByPolicy, type PolicyDocument } from '../../functions/core/route-permissions.js'
import { lambdaContext } from '../support/lambda.js'
import {
  BENCH_ROUTE_SCOPES,
  BENCH_SCOPES,
  httpV2AuthorizerEvent,
  REST_METHOD_ARN,
  restTokenEvent,
} from './authorizer-events.js'
import type { BenchEnvironment } from './environment.js'
import { type InterleaveOptions, runInterleaved } from './interleave.js'
import type { SuiteResult } from './types.js'

export type BenchAlg = 'RS256' | 'ES256'

export const AUTHORIZER_REST_TASK = 'authorizer, REST TOKEN event'
export const AUTHORIZER_HTTP_TASK = 'authorizer, HTTP API 2.0 event'
export const AUTHORIZER_REVOCATION_TASK = 'authorizer, REST TOKEN event, REVOCATION_CHECK on'
export const JOSE_TASK = 'jose jwtVerify'
export const AWS_JWT_VERIFY_TASK = 'aws-jwt-verify JwtVerifier'

/** Long enough to outlive the run; the exchange would allow up to MAX_JWT_DURATION_SECONDS. */
const JWT_DURATION_SECONDS = 3600

/**
 * ~1 s of discarded warmup, then ~4 s measured per task, in 100 ms slices.
 * A decision takes tens of microseconds, so each slice holds hundreds of calls.
 */
const DEFAULT_OPTIONS: InterleaveOptions = {
  warmupRounds: 10,
  rounds: 40,
  roundTimeMs: 100,
  warmupMs: 0,
}

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
 * A valid Tollgate JWT for the bench route, signed with the `alg` key of the
 * bench DATA_DIR (created there on first use, so the authorizer's
 * `readLocalKeys` finds it too), with the claims the exchange would mint.
 */
export const mintBenchJwt = async (
  env: BenchEnvironment,
  alg: BenchAlg,
): Promise<{ jwt: string; sub: string }> => {
  const config = parseConfig(authorizerBenchEnv(env, alg))
  const keys = await loadLocalKeys(env.dataDir, alg)
  const claims = buildClaims({
    issuer: config.issuer,
    audience: config.audience,
    token: env.admin.token,
    roles: env.admin.token.roles,
    ownerGeneration: 1,
    scopes: BENCH_SCOPES,
    issuedAt: Date.now(),
    durationSeconds: JWT_DURATION_SECONDS,
    jti: randomUUID(),
  })
  return { jwt: await signJwt(keys.signer, claims), sub: claims.sub }
}

const fail = (task: string, answer: unknown): never => {
  throw new Error(`${task}: not an allow: ${JSON.stringify(answer)}`)
}

/**
 * Warm authorizer decisions per second, four ways on one token, interleaved:
 * the real handler on a REST TOKEN event and on an HTTP API 2.0 event (simple
 * responses), and the two verifiers it is measured against, each with its key
 * prepared once: bare `jose.jwtVerify` and aws-jwt-verify's `JwtVerifier` with
 * the JWKS cached. The handler gets a Lambda context, as the runtime always
 * passes one. Handler modules are imported lazily, after run.ts has set
 * POWERTOOLS_LOG_LEVEL.
 */
export const runAuthorizerSuite = async (
  env: BenchEnvironment,
  alg: BenchAlg,
  options: InterleaveOptions = DEFAULT_OPTIONS,
): Promise<SuiteResult> => {
  const { createAuthorizerHandler } = await import('../../functions/handlers/authorizer.js')
  const { buildAuthorizerDependencies } = await import(
    '../../functions/handlers/authorizer-dependencies.js'
  )
  const { jwt, sub } = await mintBenchJwt(env, alg)
  const config = parseConfig(authorizerBenchEnv(env, alg))
  const keys = await loadLocalKeys(env.dataDir, alg)

  // As the Lambda's provider: one promise, resolved once, handed out on every call.
  const built = Promise.resolve(
    buildAuthorizerDependencies({ config, keySet: keys.keySet, clock: systemClock }),
  )
  const handler = createAuthorizerHandler(() => built)
  // The same, with the deny-list copy read from DynamoDB Local and refreshed every 10 s.
  const { DynamoDbDenyListReader } = await import('../../functions/adapters/dynamodb-deny-list.js')
  const revocationBuilt = Promise.resolve(
    buildAuthorizerDependencies({
      config: parseConfig(authorizerBenchEnv(env, alg, true)),
      keySet: keys.keySet,
      clock: systemClock,
      denyListReader: async () => new DynamoDbDenyListReader(env.dynamoDb, env.tableName),
    }),
  )
  const revocationHandler = createAuthorizerHandler(() => revocationBuilt)
  const context = lambdaContext('tollgate-authorizer')
  const restEvent = restTokenEvent(jwt)
  const httpEvent = httpV2AuthorizerEvent(jwt)

  const [publishedJwk] = await keys.keySet.publicKeys()
  if (publishedJwk === undefined) throw new Error(`no published ${alg} key`)
  const publicKey = await importJWK(publishedJwk, alg)
  const awsVerifier = JwtVerifier.create({
    issuer: config.issuer,
    audience: config.audience,
    jwksUri: `${config.issuer}/.well-known/jwks.json`,
  })
  awsVerifier.cacheJwks({ keys: [publishedJwk] } as Jwks)

  // Fail loudly before measuring: a refusal would benchmark the error path.
  const restAnswer = await handler(restEvent, context)
  if (
    !('policyDocument' in restAnswer) ||
    restAnswer.principalId !== sub ||
    !isAllowedByPolicy(restAnswer.policyDocument as PolicyDocument, REST_METHOD_ARN)
  ) {
    fail(AUTHORIZER_REST_TASK, restAnswer)
  }
  const revocationAnswer = await revocationHandler(restEvent, context)
  if (!('principalId' in revocationAnswer) || revocationAnswer.principalId !== sub) {
    fail(AUTHORIZER_REVOCATION_TASK, revocationAnswer)
  }
  const httpAnswer = await handler(httpEvent, context)
  if (!('isAuthorized' in httpAnswer) || httpAnswer.isAuthorized !== true) {
    fail(AUTHORIZER_HTTP_TASK, httpAnswer)
  }
  const joseAnswer = await jwtVerify(jwt, publicKey, {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: [alg],
  })
  if (joseAnswer.payload.sub !== sub || joseAnswer.payload.scope !== BENCH_SCOPES.join(' ')) {
    fail(JOSE_TASK, joseAnswer.payload)
  }
  const awsAnswer = await awsVerifier.verify(jwt)
  if (awsAnswer.sub !== sub) fail(AWS_JWT_VERIFY_TASK, awsAnswer)

  // In the loop, checks cost next to nothing and are alike for all four:
  // the full answer was checked above and the inputs never change.
  const rows = await runInterleaved(
    [
      {
        name: AUTHORIZER_REST_TASK,
        fn: async () => {
          const answer = await handler(restEvent, context)
          if (!('principalId' in answer) || answer.principalId !== sub) fail('REST', answer)
        },
      },
      {
        name: AUTHORIZER_REVOCATION_TASK,
        fn: async () => {
          const answer = await revocationHandler(restEvent, context)
          if (!('principalId' in answer) || answer.principalId !== sub)
            fail('REST+revocation', answer)
        },
      },
      {
        name: AUTHORIZER_HTTP_TASK,
        fn: async () => {
          const answer = await handler(httpEvent, context)
          if (!('isAuthorized' in answer) || answer.isAuthorized !== true) fail('HTTP', answer)
        },
      },
      {
        name: JOSE_TASK,
        fn: async () => {
          const { payload } = await jwtVerify(jwt, publicKey, {
            issuer: config.issuer,
            audience: config.audience,
            algorithms: [alg],
          })
          if (payload.sub !== sub) fail(JOSE_TASK, payload)
        },
      },
      {
        name: AWS_JWT_VERIFY_TASK,
        fn: async () => {
          const payload = await awsVerifier.verify(jwt)
          if (payload.sub !== sub) fail(AWS_JWT_VERIFY_TASK, payload)
        },
      },
    ],
    options,
  )
  const curve = alg === 'RS256' ? 'RSA-2048' : 'P-256'
  return {
    suite: `authorizer warm, Bearer ${alg} (${curve})`,
    rows,
    ratios: [
      { label: 'REST / jose', numerator: AUTHORIZER_REST_TASK, denominator: JOSE_TASK, goal: 0.9 },
      {
        label: 'REST, revocation on / off',
        numerator: AUTHORIZER_REVOCATION_TASK,
        denominator: AUTHORIZER_REST_TASK,
        goal: 0.9,
      },
      {
        label: 'REST / aws-jwt-verify',
        numerator: AUTHORIZER_REST_TASK,
        denominator: AWS_JWT_VERIFY_TASK,
        goal: 1,
      },
      { label: 'HTTP / jose', numerator: AUTHORIZER_HTTP_TASK, denominator: JOSE_TASK, goal: 0.9 },
      {
        label: 'HTTP / aws-jwt-verify',
        numerator: AUTHORIZER_HTTP_TASK,
        denominator: AWS_JWT_VERIFY_TASK,
        goal: 1,
      },
    ],
    notes: [
      `${options.rounds} alternating rounds x ${options.roundTimeMs} ms per task` +
        ` after ${options.warmupRounds} discarded warmup rounds; sequential, one call in flight`,
      `one JWT (scope "${BENCH_SCOPES.join(' ')}") for all four; route GET /datasets/42 needs` +
        ` datasets:read (ROUTE_SCOPES); jose: {issuer, audience, algorithms}, key imported once;` +
        ` aws-jwt-verify: {issuer, audience, jwksUri} + cacheJwks`,
    ],
  }
}
