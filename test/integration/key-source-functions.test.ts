import { randomUUID } from 'node:crypto'
import { JwtVerifier } from 'aws-jwt-verify'
import type { APIGatewayProxyResult, CloudFormationCustomResourceEvent, Context } from 'aws-lambda'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import { createSecret } from '../../functions/adapters/secret-versions.js'
import { systemClock } from '../../functions/adapters/system-clock.js'
import { parseConfig } from '../../functions/core/config.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import type { AuthorizerHandler } from '../../functions/handlers/authorizer.js'
import type { LambdaHttpHandler } from '../../functions/handlers/http-middleware.js'
import { initKeys } from '../../functions/operations/keys-init.js'
import { buildDependencies } from '../../functions/wiring/dependencies.js'
import { keyStoresOf } from '../../functions/wiring/key-management.js'
import {
  authorizerCapabilities,
  BOOTSTRAP_CAPABILITIES,
  KEY_ROTATION_CAPABILITIES,
  KEYS_INIT_CAPABILITIES,
  ROUTED_HANDLER_CAPABILITIES,
} from '../../infra/constructs/permissions.js'
import { createTestTable } from '../support/dynamodb.js'
import { type FakeAws, type Fault, startFakeAws } from '../support/fake-aws.js'
import { httpApiEvent } from '../support/http-events.js'
import {
  grantedStatements,
  grants,
  type StatementJson,
  ungrantedAccesses,
} from '../support/iam-grants.js'
import { lambdaContext } from '../support/lambda.js'

/**
 * Each Lambda entry point (the modules' `handler` exports, configured from
 * the environment at import as on Lambda) with KEY_SOURCE=kms and
 * secrets-manager, against the fake KMS/Secrets Manager endpoint with
 * DynamoDB Local behind it: what each function reads, checked against what
 * the stack grants it, and every dependency's failure answered 503.
 */

const ISSUER = 'https://tollgate.example'
const HANDLERS = {
  'exchange-jwt': () => import('../../functions/entries/exchange-jwt.js'),
  jwks: () => import('../../functions/entries/jwks.js'),
  'openid-configuration': () => import('../../functions/entries/openid-configuration.js'),
  whoami: () => import('../../functions/entries/whoami.js'),
  'access-tokens': () => import('../../functions/entries/access-tokens.js'),
  'service-accounts': () => import('../../functions/entries/service-accounts.js'),
  openapi: () => import('../../functions/entries/openapi.js'),
}
type HttpHandlerName = keyof typeof HANDLERS

let aws: FakeAws
beforeAll(async () => {
  aws = await startFakeAws({ dynamoDb: inject('dynamoDbEndpoint') })
})
afterAll(() => aws.close())
afterEach(() => {
  aws.clearFaults()
  vi.unstubAllEnvs()
})

interface Deployment {
  readonly env: Readonly<Record<string, string>>
  readonly adminToken: string
  readonly adminId: string
}

/** A fresh table and key material for one key source, seeded as `keys init` does, with an admin. */
const deploy = async (keySource: 'kms' | 'secrets-manager'): Promise<Deployment> => {
  const { client, tableName } = await createTestTable()
  const alg = keySource === 'kms' ? 'ES256' : 'RS256'
  const pepperSecretId = `pepper-${randomUUID()}`
  const signingKeysSecretId = keySource === 'kms' ? undefined : `signing-keys-${randomUUID()}`
  await initKeys({
    secretsManager: aws.secretsManagerClient(),
    dynamoDb: client,
    tableName,
    alg,
    pepperSecretId,
    signingKeysSecretId,
    clock: systemClock,
  })
  const env = {
    AWS_LAMBDA_FUNCTION_NAME: 'tollgate-test',
    KEY_SOURCE: keySource,
    JWT_ALG: alg,
    ISSUER,
    TABLE_NAME: tableName,
    PEPPER_SECRET_ID: pepperSecretId,
    // One endpoint for every service: the fake forwards DynamoDB to DynamoDB Local.
    AWS_ENDPOINT_URL: aws.endpoint,
    ...(keySource === 'kms'
      ? { KMS_KEY_IDS: aws.kms.createKey('ECC_NIST_P256').arn }
      : { SIGNING_KEYS_SECRET_ID: signingKeysSecretId ?? '' }),
  }
  const dependencies = await buildDependencies(parseConfig(env), client)
  const admin = await bootstrapAdmin(dependencies, { name: 'admin', asFirstAdmin: true })
  return { env, adminToken: admin.secret, adminId: admin.account.id }
}

/** The handler module as a cold start loads it: fresh modules, this environment. */
const coldStart = async (
  env: Readonly<Record<string, string>>,
  name: HttpHandlerName,
): Promise<LambdaHttpHandler> => {
  vi.resetModules()
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value)
  return (await HANDLERS[name]()).handler as LambdaHttpHandler
}

const coldStartAuthorizer = async (env: Readonly<Record<string, string>>) => {
  vi.resetModules()
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value)
  const module = await import('../../functions/entries/authorizer.js')
  return module.handler as AuthorizerHandler
}

const context = (name: string): Context => lambdaContext(name)

const exchange = async (deployment: Deployment) => {
  const handler = await coldStart(deployment.env, 'exchange-jwt')
  return handler(
    httpApiEvent('POST /access-tokens/jwt', {
      body: { access_token: deployment.adminToken, duration_seconds: 600 },
    }),
    context('exchange-jwt'),
  )
}

const jwtOf = async (deployment: Deployment): Promise<string> => {
  const response = await exchange(deployment)
  expect(response.statusCode).toBe(200)
  return JSON.parse(response.body).jwt as string
}

/** An invocation of each HTTP function, as a caller would make it. */
const invoke = async (
  deployment: Deployment,
  name: HttpHandlerName,
  jwt: string,
): Promise<APIGatewayProxyResult> => {
  if (name === 'exchange-jwt') return exchange(deployment)
  const handler = await coldStart(deployment.env, name)
  const bearer = { authorization: `Bearer ${jwt}` }
  const events: Record<
    Exclude<HttpHandlerName, 'exchange-jwt'>,
    ReturnType<typeof httpApiEvent>
  > = {
    jwks: httpApiEvent('GET /.well-known/jwks.json'),
    'openid-configuration': httpApiEvent('GET /.well-known/openid-configuration'),
    openapi: httpApiEvent('GET /openapi.json'),
    whoami: httpApiEvent('GET /whoami', { headers: bearer }),
    'access-tokens': httpApiEvent('POST /access-tokens', {
      headers: bearer,
      body: {
        name: `t-${randomUUID().slice(0, 8)}`,
        service_account_id: deployment.adminId,
        expires_in_seconds: 3600,
      },
    }),
    'service-accounts': httpApiEvent('GET /service-accounts', { headers: bearer }),
  }
  return handler(events[name], context(name))
}

const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  GetPublicKey: 'kms',
  Sign: 'kms',
  GetSecretValue: 'secretsmanager',
  PutSecretValue: 'secretsmanager',
  DescribeSecret: 'secretsmanager',
  UpdateSecretVersionStage: 'secretsmanager',
  CreateSecret: 'secretsmanager',
}

/** What the calls made while `run` ran need of IAM that these statements do not grant. */
const ungranted = async (
  statements: readonly StatementJson[],
  run: () => Promise<unknown>,
): Promise<string[]> => {
  const calls = aws.calls.length
  const accesses = aws.dynamoDbAccesses.length
  await run()
  const services = aws.calls
    .slice(calls)
    .filter((operation) => SERVICE_PREFIX[operation] !== undefined)
    .map((operation) => `${SERVICE_PREFIX[operation]}:${operation}`)
    .filter((action) => !grants(statements, action))
  const items = ungrantedAccesses(statements, aws.dynamoDbAccesses.slice(accesses))
  return [...new Set([...services, ...items])]
}

const operationsOf = async (run: () => Promise<unknown>): Promise<string[]> => {
  const before = aws.calls.length
  await run()
  return [...new Set(aws.calls.slice(before))].sort()
}

const problemOf = (response: APIGatewayProxyResult) => ({
  status: response.statusCode,
  contentType: response.headers?.['content-type'],
  retryAfter: response.headers?.['retry-after'],
  body: JSON.parse(response.body) as Record<string, unknown>,
})

describe.each(['kms', 'secrets-manager'] as const)('KEY_SOURCE=%s', (keySource) => {
  let deployment: Deployment
  beforeAll(async () => {
    deployment = await deploy(keySource)
  })

  it('mints a JWT that verifies against its own JWKS, with jose and aws-jwt-verify', async () => {
    // Act
    const jwt = await jwtOf(deployment)
    const jwksResponse = await invoke(deployment, 'jwks', jwt)

    // Assess
    expect(jwksResponse.headers?.['cache-control']).toBe('public, max-age=300')
    const jwks = JSON.parse(jwksResponse.body)
    const alg = deployment.env.JWT_ALG as string
    const { protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: 'tollgate',
      algorithms: [alg],
    })
    expect(jwks.keys.map((key: { kid: string }) => key.kid)).toContain(protectedHeader.kid)
    const verifier = JwtVerifier.create({
      issuer: ISSUER,
      audience: 'tollgate',
      jwksUri: `${ISSUER}/.well-known/jwks.json`,
    })
    verifier.cacheJwks(jwks)
    await expect(verifier.verify(jwt)).resolves.toMatchObject({ iss: ISSUER })
  })

  it.each(Object.keys(HANDLERS) as HttpHandlerName[])(
    '%s calls only what the stack grants it',
    async (name) => {
      // Prepare
      const jwt = await jwtOf(deployment)

      // Act
      let response: APIGatewayProxyResult | undefined
      const missing = await ungranted(
        grantedStatements(keySource, ROUTED_HANDLER_CAPABILITIES[name]),
        async () => {
          response = await invoke(deployment, name, jwt)
        },
      )

      // Assess: every call, and each DynamoDB item's partition, within its statements.
      expect([200, 201]).toContain(response?.statusCode)
      expect(missing).toEqual([])
    },
  )

  it('keeps each function to its own key material', async () => {
    // Prepare
    const jwt = await jwtOf(deployment)
    const calls = async (name: HttpHandlerName) => operationsOf(() => invoke(deployment, name, jwt))

    // Act and assess: public keys only, config only, a signer without a verifier.
    expect(await calls('jwks')).toEqual(keySource === 'kms' ? ['GetPublicKey'] : ['GetItem'])
    expect(await calls('openid-configuration')).toEqual([])
    expect(await calls('openapi')).toEqual([])
    // UpdateItem (last_used_at) is written at most once a minute per token.
    const exchangeCalls = (await calls('exchange-jwt')).filter((call) => call !== 'UpdateItem')
    expect(exchangeCalls).toEqual(
      keySource === 'kms'
        ? ['BatchGetItem', 'GetPublicKey', 'GetSecretValue', 'Sign']
        : ['BatchGetItem', 'GetSecretValue'],
    )
    const whoamiCalls = await calls('whoami')
    expect(whoamiCalls).not.toContain('GetSecretValue')
    expect(whoamiCalls).not.toContain('Sign')
    expect(await calls('access-tokens')).not.toContain('Sign')
  })

  it('lets the authorizer read public keys and the deny-list, and nothing else', async () => {
    // Prepare
    const jwt = await jwtOf(deployment)

    // Act: from the cold start on, which reads already.
    let answer: unknown
    let operations: string[] = []
    const missing = await ungranted(
      grantedStatements(
        keySource,
        authorizerCapabilities({ revocationCheck: true, basicAuth: false }),
      ),
      async () => {
        operations = await operationsOf(async () => {
          const authorizer = await coldStartAuthorizer(deployment.env)
          answer = await authorizer(await authorizerEvent(jwt))
        })
      },
    )

    // Assess
    expect(answer).toMatchObject({ isAuthorized: true })
    expect(missing).toEqual([])
    expect(operations).toEqual(expect.not.arrayContaining(['Sign', 'GetSecretValue']))
  })

  it('has the authorizer read its keys and the deny-list at init, side by side, before any event', async () => {
    // Prepare
    const jwt = await jwtOf(deployment)
    const [calls, accesses] = [aws.calls.length, aws.dynamoDbAccesses.length]
    const read = (operation: string) => aws.calls.slice(calls).includes(operation)
    // KMS public keys need no SDK; KEYSET#public (secrets-manager) is the SDK's, on the first call.
    const atInit = keySource === 'kms' ? ['GetPublicKey', 'Query'] : ['Query']

    // Act
    const authorizer = await coldStartAuthorizer(deployment.env)
    await vi.waitFor(() => expect(atInit.filter(read)).toEqual(atInit), { timeout: 5_000 })
    const answer = await authorizer(await authorizerEvent(jwt))

    // Assess: the first event waited for the reads begun at init and began none of its own.
    expect(answer).toMatchObject({ isAuthorized: true })
    const queried = aws.dynamoDbAccesses
      .slice(accesses)
      .filter(({ action }) => action === 'dynamodb:Query')
      .map(({ pk }) => pk)
    expect(queried.length).toBeGreaterThanOrEqual(13)
    expect(new Set(queried).size).toBe(queried.length)
    expect(aws.calls.slice(calls).filter((call) => call === 'GetPublicKey')).toHaveLength(
      keySource === 'kms' ? 1 : 0,
    )
  })

  const FAULTS: ReadonlyArray<readonly [HttpHandlerName, string, Fault]> = [
    ['exchange-jwt', 'BatchGetItem', { kind: 'throttle' }],
    ['exchange-jwt', 'GetSecretValue', { kind: 'throttle' }],
    ['exchange-jwt', 'GetSecretValue', { kind: 'internal' }],
    ['whoami', 'BatchGetItem', { kind: 'internal' }],
    ['access-tokens', 'GetSecretValue', { kind: 'unavailable' }],
    ['access-tokens', 'TransactWriteItems', { kind: 'throttle' }],
    ...(keySource === 'kms'
      ? ([
          ['exchange-jwt', 'Sign', { kind: 'throttle' }],
          ['exchange-jwt', 'GetPublicKey', { kind: 'internal' }],
          ['jwks', 'GetPublicKey', { kind: 'throttle' }],
          ['whoami', 'GetPublicKey', { kind: 'unavailable' }],
          ['access-tokens', 'GetPublicKey', { kind: 'throttle' }],
        ] as const)
      : ([
          ['jwks', 'GetItem', { kind: 'throttle' }],
          ['whoami', 'GetItem', { kind: 'internal' }],
          ['access-tokens', 'GetItem', { kind: 'unavailable' }],
        ] as const)),
  ]

  it.each(FAULTS)(
    '%s answers 503 with Retry-After, never 401, when %s fails (%j)',
    async (name, operation, fault) => {
      // Prepare: the caller's JWT is minted before anything fails.
      const jwt = await jwtOf(deployment)
      aws.inject(operation, fault, 50)

      // Act
      const response = await invoke(deployment, name, jwt)

      // Assess
      const problem = problemOf(response)
      expect(problem).toMatchObject({
        status: 503,
        contentType: 'application/problem+json',
        retryAfter: '1',
        body: { code: 'unavailable', status: 503 },
      })
      expect(response.body).not.toMatch(/arn:|exception|rate exceeded|kms|dynamodb|secret/i)
    },
  )

  it.each(
    keySource === 'kms'
      ? ([
          'AWS_ENDPOINT_URL_KMS',
          'AWS_ENDPOINT_URL_SECRETS_MANAGER',
          'AWS_ENDPOINT_URL_DYNAMODB',
        ] as const)
      : (['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ENDPOINT_URL_DYNAMODB'] as const),
  )('exchange-jwt answers 503 when %s cannot be reached', async (variable) => {
    // Prepare: a port nothing listens on.
    const closed = await closedPort()
    const env = { ...deployment.env, [variable]: `http://127.0.0.1:${closed}` }

    // Act
    const response = await exchange({ ...deployment, env })

    // Assess
    expect(problemOf(response)).toMatchObject({
      status: 503,
      retryAfter: '1',
      body: { code: 'unavailable' },
    })
  })

  it('makes the authorizer throw, not deny, while the public keys cannot be read', async () => {
    // Prepare: failing before the cold start, which reads them already.
    const jwt = await jwtOf(deployment)
    aws.inject(keySource === 'kms' ? 'GetPublicKey' : 'GetItem', { kind: 'throttle' }, 50)
    const authorizer = await coldStartAuthorizer(deployment.env)

    // Act
    const outcome = await authorizer({
      type: 'TOKEN',
      authorizationToken: `Bearer ${jwt}`,
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/whoami',
    }).then(
      (answer) => ({ answer }),
      (error: Error) => ({ thrown: error.message }),
    )

    // Assess: not 'Unauthorized' (a 401 verdict); API Gateway answers a throw as a failure.
    expect(outcome).toHaveProperty('thrown')
    expect(outcome).not.toEqual({ thrown: 'Unauthorized' })
  })

  it('seeds at deploy (keys-init) with only the rights the stack gives it', async () => {
    // Prepare: a fresh stack's secrets, as the stack declares them.
    const { client: dynamoDb, tableName } = await createTestTable()
    const secretsManager = aws.secretsManagerClient()
    const ids = { pepper: `pepper-${randomUUID()}`, signing: `signing-${randomUUID()}` }
    for (const id of Object.values(ids)) {
      await createSecret(secretsManager, id, '{"uninitialized":true,"placeholder":"x"}')
    }
    const { createKeysInitHandler } = await import('../../functions/handlers/keys-init.js')
    // Through the fake, so that its DynamoDB calls are seen.
    const fakeDynamoDb = createDynamoDbClient(aws.endpoint)
    const handler = createKeysInitHandler(async () => ({
      keyStores: (table) => keyStoresOf(secretsManager, fakeDynamoDb, table),
      clock: systemClock,
      log: () => undefined,
    }))

    // Act
    const missing = await ungranted(grantedStatements(keySource, KEYS_INIT_CAPABILITIES), () =>
      handler({
        RequestType: 'Create',
        ResourceProperties: {
          ServiceToken: 'arn:provider',
          KeySource: keySource,
          JwtAlg: 'ES256',
          TableName: tableName,
          PepperSecretId: ids.pepper,
          ...(keySource === 'kms' ? {} : { SigningKeysSecretId: ids.signing }),
        },
      } as unknown as CloudFormationCustomResourceEvent),
    )

    // Assess
    expect(missing).toEqual([])
    dynamoDb.destroy()
  })

  it('bootstraps a fresh table (and recovers) with only the rights the stack gives it', async () => {
    // Prepare: the deployment's key material over a table nobody bootstrapped yet.
    const { tableName } = await createTestTable()
    vi.resetModules()
    for (const [key, value] of Object.entries({ ...deployment.env, TABLE_NAME: tableName })) {
      vi.stubEnv(key, value)
    }
    const { handler } = await import('../../functions/entries/bootstrap.js')

    // Act
    const answers: unknown[] = []
    const missing = await ungranted(
      grantedStatements(keySource, BOOTSTRAP_CAPABILITIES),
      async () => {
        answers.push(await handler({}, context('bootstrap')))
        answers.push(await handler({}, context('bootstrap')))
        answers.push(await handler({ recover: true }, context('bootstrap')))
      },
    )

    // Assess: the first admin, a refusal, a recovery admin; every call within its statements.
    expect(answers).toMatchObject([
      { ok: true, recovery: false },
      { ok: false, code: 'conflict' },
      { ok: true, recovery: true },
    ])
    expect(missing).toEqual([])
  })

  if (keySource === 'secrets-manager') {
    it('runs the rotation function with only the rights the stack gives it', async () => {
      // Prepare
      const { handler } = await (async () => {
        vi.resetModules()
        for (const [key, value] of Object.entries(deployment.env)) vi.stubEnv(key, value)
        return import('../../functions/entries/key-rotation.js')
      })()
      const { RotateSecretCommand } = await import('@aws-sdk/client-secrets-manager')
      const secretId = deployment.env.SIGNING_KEYS_SECRET_ID as string
      const { VersionId } = await aws
        .secretsManagerClient()
        .send(new RotateSecretCommand({ SecretId: secretId, ClientRequestToken: randomUUID() }))

      // Act
      const missing = await ungranted(
        grantedStatements(keySource, KEY_ROTATION_CAPABILITIES),
        async () => {
          for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
            await handler({ Step, SecretId: secretId, ClientRequestToken: String(VersionId) })
          }
        },
      )

      // Assess
      expect(missing).toEqual([])
      expect(decodeProtectedHeader(await jwtOf(deployment)).alg).toBe('RS256')
    })
  }
})

/** The HTTP API authorizer sample of events/, with this JWT. */
const authorizerEvent = async (jwt: string): Promise<unknown> => {
  const { readFile } = await import('node:fs/promises')
  const text = await readFile(
    new URL('../../events/authorizer-http-v2.json', import.meta.url),
    'utf8',
  )
  return JSON.parse(text.replaceAll('<JWT>', jwt))
}

const closedPort = async (): Promise<number> => {
  const { createServer } = await import('node:net')
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
