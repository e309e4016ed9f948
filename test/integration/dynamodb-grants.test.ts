import { randomUUID } from 'node:crypto'
import type { APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { systemClock } from '../../functions/adapters/system-clock.js'
import { buildFederatedClaims } from '../../functions/core/claims.js'
import { parseConfig } from '../../functions/core/config.js'
import { signJwt } from '../../functions/core/jws.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import { createToken } from '../../functions/core/use-cases/create-token.js'
import { createTrustPolicy } from '../../functions/core/use-cases/trust-policies.js'
import type { LambdaHttpHandler } from '../../functions/handlers/http-middleware.js'
import { initKeys } from '../../functions/operations/keys-init.js'
import { buildDependencies } from '../../functions/wiring/dependencies.js'
import {
  ROUTED_HANDLER_CAPABILITIES,
  type RoutedHandlerName,
} from '../../infra/constructs/permissions.js'
import { createTestTable } from '../support/dynamodb.js'
import { type DynamoDbAccess, type FakeAws, startFakeAws } from '../support/fake-aws.js'
import { httpApiEvent } from '../support/http-events.js'
import {
  grantedStatements,
  grants,
  ungrantedAccesses,
  unusedDynamoDbGrants,
} from '../support/iam-grants.js'
import { lambdaContext } from '../support/lambda.js'

/**
 * Each function's DynamoDB grant held to its code: every route of the
 * function runs against DynamoDB Local through the fake endpoint, which
 * records each item a request touches (a transaction's items one by one,
 * as IAM authorizes them), and the recorded accesses must be exactly what
 * the stack grants: none outside it, and no action, partition or index of
 * it that the code never uses.
 */

const ISSUER = 'https://tollgate.example'
const GITHUB = 'https://token.actions.githubusercontent.com'
const PERSON = 'user:idp:alice'
const HANDLERS = {
  'exchange-jwt': () => import('../../functions/entries/exchange-jwt.js'),
  whoami: () => import('../../functions/entries/whoami.js'),
  'service-accounts': () => import('../../functions/entries/service-accounts.js'),
  'access-tokens': () => import('../../functions/entries/access-tokens.js'),
  'trust-policies': () => import('../../functions/entries/trust-policies.js'),
  oauth2: () => import('../../functions/entries/oauth2.js'),
} satisfies Partial<Record<RoutedHandlerName, unknown>>
type Name = keyof typeof HANDLERS

let aws: FakeAws
let env: Record<string, string>
let adminToken: string
let adminId: string
/** Exchanged once, in exchange-jwt's own test: its first use is recorded (UpdateItem). */
let unusedToken: string
/** The OAuth client of oauth2's own test: it mints, then revokes one of its JWTs and itself. */
let oauthClient: string
/** A JWT minted through a trust policy: handlers read its policy and account on every call. */
let federatedJwt: string
/** An outside token naming GitHub's issuer (unsigned: it never gets past the key fetch). */
const outsideToken = [
  { alg: 'RS256', kid: 'k' },
  { iss: GITHUB, sub: 'repo:acme/api:ref:refs/heads/main', aud: 'sts.tollgate' },
]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
  .concat('c2ln')
  .join('.')

beforeAll(async () => {
  aws = await startFakeAws({ dynamoDb: inject('dynamoDbEndpoint') })
  const { client, tableName } = await createTestTable()
  const pepperSecretId = `pepper-${randomUUID()}`
  await initKeys({
    secretsManager: aws.secretsManagerClient(),
    dynamoDb: client,
    tableName,
    alg: 'ES256',
    pepperSecretId,
    signingKeysSecretId: undefined,
    clock: systemClock,
  })
  env = {
    AWS_LAMBDA_FUNCTION_NAME: 'tollgate-test',
    KEY_SOURCE: 'kms',
    JWT_ALG: 'ES256',
    ISSUER,
    TABLE_NAME: tableName,
    PEPPER_SECRET_ID: pepperSecretId,
    KMS_KEY_IDS: aws.kms.createKey('ECC_NIST_P256').arn,
    // The fake forwards DynamoDB to DynamoDB Local, recording every item on the way.
    AWS_ENDPOINT_URL: aws.endpoint,
    FEDERATION_ISSUERS: JSON.stringify([GITHUB]),
  }
  // Set up straight against DynamoDB Local: nothing here is any function's call.
  const dependencies = await buildDependencies(parseConfig(env), client)
  const admin = await bootstrapAdmin(dependencies, { name: 'admin', asFirstAdmin: true })
  adminToken = admin.secret
  adminId = admin.account.id
  unusedToken = (await bootstrapAdmin(dependencies, { name: 'exchanger', asFirstAdmin: false }))
    .secret
  oauthClient = (await bootstrapAdmin(dependencies, { name: 'oauth-client', asFirstAdmin: false }))
    .secret
  // An outside workload's JWT through a trust policy for the admin account, signed as the
  // exchange would (the outside issuer's keys are out of reach of a Lambda-mode function).
  const adminContext = {
    caller: {
      sub: adminId,
      kind: 'service' as const,
      roles: ['admin'],
      scopes: ['tollgate:admin'],
      atid: null,
      jti: 'j',
    },
    requestId: null,
  }
  const policy = await createTrustPolicy(dependencies, adminContext, {
    name: 'ci',
    description: '',
    issuer: GITHUB,
    audience: 'sts.tollgate',
    subject: 'repo:acme/api:ref:refs/heads/main',
    claims: {},
    serviceAccountId: adminId,
    scopes: ['service-accounts:read', 'tokens:read'],
    maxDurationSeconds: 600,
  })
  await createTrustPolicy(dependencies, adminContext, {
    name: 'ci-private-keys',
    description: '',
    issuer: GITHUB,
    jwksUri: 'https://10.0.0.1/jwks.json',
    audience: 'sts.tollgate',
    subject: 'repo:acme/api:ref:refs/heads/main',
    claims: {},
    serviceAccountId: adminId,
    scopes: ['tokens:read'],
    maxDurationSeconds: 600,
  })
  const owner = await dependencies.store.getOwner({ type: 'service_account', id: adminId })
  federatedJwt = await signJwt(
    dependencies.signer,
    buildFederatedClaims({
      issuer: ISSUER,
      audience: 'tollgate',
      serviceAccountId: adminId,
      policy,
      actor: { iss: GITHUB, sub: 'repo:acme/api:ref:refs/heads/main' },
      ownerGeneration: owner?.otv ?? 1,
      scopes: policy.scopes,
      issuedAt: Date.now(),
      durationSeconds: 600,
      jti: randomUUID(),
    }),
  )
  // A person who holds a token, so that revoking every token of a person writes something.
  await createToken(
    dependencies,
    {
      caller: { sub: PERSON, kind: 'person', roles: [], scopes: [], atid: null, jti: 'j' },
      requestId: null,
    },
    { name: 'laptop' },
  )
})
afterAll(() => aws.close())
afterEach(() => vi.unstubAllEnvs())

/** The Lambda entry as a cold start loads it: fresh modules, the deployment's environment. */
const coldStart = async (name: Name): Promise<LambdaHttpHandler> => {
  vi.resetModules()
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value)
  return (await HANDLERS[name]()).handler as LambdaHttpHandler
}

/** Runs `calls` against one function and returns every DynamoDB access they made. */
const accessesOf = async (
  name: Name,
  calls: (
    call: (event: APIGatewayProxyEventV2, status?: number) => Promise<Answer>,
  ) => Promise<void>,
): Promise<DynamoDbAccess[]> => {
  const handler = await coldStart(name)
  const before = aws.dynamoDbAccesses.length
  await calls(async (event, status) => {
    const response = (await handler(event, lambdaContext(name))) as APIGatewayProxyResult
    if (status === undefined) {
      expect(response.statusCode, `${event.routeKey}: ${response.body}`).toBeLessThan(300)
    } else {
      expect(response.statusCode, `${event.routeKey}: ${response.body}`).toBe(status)
    }
    return { body: response.body === '' ? {} : JSON.parse(response.body) }
  })
  return aws.dynamoDbAccesses.slice(before)
}

interface Answer {
  // biome-ignore lint/suspicious/noExplicitAny: a JSON answer, read by the test's own steps
  readonly body: Record<string, any>
}

const jwt = async (): Promise<string> => {
  const handler = await coldStart('exchange-jwt')
  const response = (await handler(
    httpApiEvent('POST /access-tokens/jwt', {
      body: { access_token: adminToken, duration_seconds: 600 },
    }),
    lambdaContext('exchange-jwt'),
  )) as APIGatewayProxyResult
  return JSON.parse(response.body).jwt as string
}

/** An admin's request to one route, with a path, a body and a query as given. */
const request = (
  bearer: string,
  routeKey: string,
  options: {
    readonly id?: string
    readonly body?: unknown
    readonly query?: Readonly<Record<string, string>>
  } = {},
): APIGatewayProxyEventV2 => ({
  ...httpApiEvent(routeKey, {
    headers: { authorization: `Bearer ${bearer}`, 'if-match': '*' },
    ...(options.id === undefined ? {} : { pathParameters: { id: options.id } }),
    ...(options.body === undefined ? {} : { body: options.body }),
  }),
  ...(options.query === undefined ? {} : { queryStringParameters: { ...options.query } }),
})

/** A form request to `/oauth2/*`, as OAuth clients send them. */
const formRequest = (
  routeKey: string,
  form: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyEventV2 => ({
  ...httpApiEvent(routeKey, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  }),
  body: new URLSearchParams(form).toString(),
})

/** Every route of each function, as an admin makes them: each write path, each query. */
const EVERY_ROUTE: Readonly<Record<Name, () => Promise<DynamoDbAccess[]>>> = {
  'exchange-jwt': () =>
    accessesOf('exchange-jwt', async (call) => {
      // A token's first exchange records its use (UpdateItem).
      await call(
        httpApiEvent('POST /access-tokens/jwt', {
          body: { access_token: unusedToken, duration_seconds: 600 },
        }),
      )
    }),
  whoami: async () => {
    const bearer = await jwt()
    return accessesOf('whoami', async (call) => {
      await call(request(bearer, 'GET /whoami'))
      await call(request(federatedJwt, 'GET /whoami'))
    })
  },
  'service-accounts': async () => {
    const bearer = await jwt()
    return accessesOf('service-accounts', async (call) => {
      const created = await call(
        request(bearer, 'POST /service-accounts', {
          body: { name: `sa-${randomUUID().slice(0, 8)}`, roles: [], scopes: ['datasets:read'] },
        }),
      )
      const id = String(created.body.id)
      await call(request(bearer, 'GET /service-accounts'))
      await call(request(federatedJwt, 'GET /service-accounts'))
      await call(request(bearer, 'GET /service-accounts/{id}', { id }))
      // A rename frees one name and reserves another; a narrowing denies older JWTs.
      await call(
        request(bearer, 'PATCH /service-accounts/{id}', {
          id,
          body: { name: `sa-${randomUUID().slice(0, 8)}`, scopes: [] },
        }),
      )
      await call(request(bearer, 'GET /service-accounts/{id}/events', { id }))
      await call(request(bearer, 'DELETE /service-accounts/{id}', { id }))
    })
  },
  'access-tokens': async () => {
    const bearer = await jwt()
    return accessesOf('access-tokens', async (call) => {
      const created = await call(
        request(bearer, 'POST /access-tokens', {
          body: { name: `t-${randomUUID().slice(0, 8)}`, service_account_id: adminId },
        }),
      )
      const id = String(created.body.id)
      await call(request(bearer, 'GET /access-tokens'))
      await call(request(bearer, 'GET /access-tokens', { query: { owner: adminId } }))
      await call(request(federatedJwt, 'GET /access-tokens/{id}', { id }))
      await call(request(bearer, 'GET /access-tokens/{id}', { id }))
      await call(
        request(bearer, 'PATCH /access-tokens/{id}', {
          id,
          body: { name: `t-${randomUUID().slice(0, 8)}` },
        }),
      )
      await call(request(bearer, 'POST /access-tokens/{id}/regenerate', { id }))
      await call(request(bearer, 'GET /access-tokens/{id}/events', { id }))
      await call(request(bearer, 'DELETE /access-tokens/{id}', { id }))
      await call(request(bearer, 'POST /access-tokens/revoke', { body: { owner: PERSON } }))
    })
  },
  'trust-policies': async () => {
    const bearer = await jwt()
    return accessesOf('trust-policies', async (call) => {
      const created = await call(
        request(bearer, 'POST /trust-policies', {
          body: {
            name: 'deploy',
            issuer: GITHUB,
            audience: 'sts.tollgate',
            subject_pattern: 'repo:acme/.*',
            service_account_id: adminId,
            scopes: [],
            max_duration_seconds: 900,
          },
        }),
      )
      const id = String(created.body.id)
      await call(request(bearer, 'GET /trust-policies'))
      await call(request(bearer, 'GET /trust-policies/{id}', { id }))
      // A change of what the policy matches denies its older JWTs.
      await call(
        request(bearer, 'PATCH /trust-policies/{id}', {
          id,
          body: { subject_pattern: 'repo:acme/api:.*' },
        }),
      )
      await call(
        request(bearer, 'POST /trust-policies/simulate', {
          body: { claims: { iss: GITHUB, aud: 'sts.tollgate', sub: 'repo:acme/api:x', iat: 1 } },
        }),
      )
      await call(request(bearer, 'GET /trust-policies/{id}/events', { id }))
      await call(request(bearer, 'DELETE /trust-policies/{id}', { id }))
    })
  },
  oauth2: async () => {
    const bearer = await jwt()
    const client = {
      client_id: oauthClient.slice(4, 26),
      client_secret: oauthClient,
    }
    return accessesOf('oauth2', async (call) => {
      // The client's first grant records its use (UpdateItem).
      const minted = await call(
        formRequest('POST /oauth2/token', { grant_type: 'client_credentials', ...client }),
      )
      const clientJwt = String(minted.body.access_token)
      await call(
        formRequest(
          'POST /oauth2/introspect',
          { token: clientJwt },
          { authorization: `Bearer ${bearer}` },
        ),
      )
      // A federated JWT's policy and account are read to introspect it.
      await call(
        formRequest(
          'POST /oauth2/introspect',
          { token: federatedJwt },
          { authorization: `Bearer ${bearer}` },
        ),
      )
      // The federated exchange reads the issuer's policies, then its keys: a private address
      // is refused before any connection (a Lambda-mode function reaches no test issuer).
      await call(
        formRequest('POST /oauth2/token', {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: outsideToken,
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          policy: 'ci-private-keys',
        }),
        503,
      )
      await call(formRequest('POST /oauth2/revoke', { token: clientJwt, ...client }))
      await call(formRequest('POST /oauth2/revoke', { token: oauthClient, ...client }))
    })
  },
}

describe.each(Object.keys(EVERY_ROUTE) as Name[])('%s', (name) => {
  it('makes only the DynamoDB calls its grant allows, and its grant allows no more', async () => {
    // Prepare
    const statements = grantedStatements('kms', ROUTED_HANDLER_CAPABILITIES[name])

    // Act
    const accesses = await EVERY_ROUTE[name]()

    // Assess
    expect(accesses.length).toBeGreaterThan(0)
    expect(ungrantedAccesses(statements, accesses)).toEqual([])
    expect(unusedDynamoDbGrants(statements, accesses)).toEqual([])
  })
})

describe('the grants of the management functions, apart', () => {
  const serviceAccounts = grantedStatements('kms', ROUTED_HANDLER_CAPABILITIES['service-accounts'])
  const accessTokens = grantedStatements('kms', ROUTED_HANDLER_CAPABILITIES['access-tokens'])
  const table = 'arn:table'

  it('keep service-accounts from writing or changing any token', () => {
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      expect(grants(serviceAccounts, action, table, 'TOKEN#2cFG55O99TbAbc')).toBe(false)
    }
    expect(grants(serviceAccounts, 'dynamodb:Query', table, 'AUDIT#token#x')).toBe(false)
    expect(grants(serviceAccounts, 'dynamodb:Query', 'arn:table/index/gsi1')).toBe(false)
  })

  it('keep access-tokens from reserving or freeing names and from deleting anything', () => {
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteItem']) {
      expect(grants(accessTokens, action, table, 'SA_NAME#admin')).toBe(false)
    }
    for (const pk of ['TOKEN#x', 'OWNER#x', 'AUDIT#token#x', 'DENY#2026-12-01T22']) {
      expect(grants(accessTokens, 'dynamodb:DeleteItem', table, pk)).toBe(false)
    }
    expect(grants(accessTokens, 'dynamodb:Query', table, 'AUDIT#service_account#sa_x')).toBe(false)
  })

  it('keep both from the bootstrap marker and the public key set', () => {
    for (const statements of [serviceAccounts, accessTokens]) {
      for (const pk of ['META', 'KEYSET#public']) {
        for (const action of ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']) {
          expect(grants(statements, action, table, pk)).toBe(false)
        }
      }
    }
  })
})
