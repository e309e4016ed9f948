import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb'
import type { APIGatewayProxyResult } from 'aws-lambda'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { DynamoDbStore } from '../../functions/adapters/dynamodb-store.js'
import { systemClock } from '../../functions/adapters/system-clock.js'
import type { BootstrapAnswer } from '../../functions/api/bootstrap.js'
import {
  ALREADY_BOOTSTRAPPED,
  RECOVERY_ACTION,
} from '../../functions/core/use-cases/bootstrap-admin.js'
import type { AuthorizerHandler } from '../../functions/handlers/authorizer.js'
import type { LambdaHttpHandler } from '../../functions/handlers/http-middleware.js'
import { initKeys } from '../../functions/operations/keys-init.js'
import { cli } from '../cli/run-cli.js'
import { createTestTable } from '../support/dynamodb.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'
import { type FakeFunction, type FakeLambda, startFakeLambda } from '../support/fake-lambda.js'
import { httpApiEvent } from '../support/http-events.js'
import { lambdaContext } from '../support/lambda.js'

/**
 * The stack's bootstrap function (functions/entries/bootstrap.ts), cold
 * started from its environment as Lambda runs it, with KEY_SOURCE=kms: the
 * signing key in KMS and the pepper in Secrets Manager at the fake endpoint
 * (test/support/fake-aws.ts), DynamoDB Local behind it. The first test is
 * the Deploy to AWS checklist (docs/deploy.md#deploy-to-aws) run where no
 * account is needed: bootstrap, exchange, `/whoami`, the authorizer.
 * `tollgate bootstrap --function` goes through the real AWS SDK to a
 * loopback endpoint speaking Lambda's Invoke API (test/support/fake-lambda.ts).
 */

let aws: FakeAws
let lambda: FakeLambda
/** A deployment's configuration, as the stack sets it, but for TABLE_NAME. */
let stackEnv: Readonly<Record<string, string>>

beforeAll(async () => {
  aws = await startFakeAws({ dynamoDb: inject('dynamoDbEndpoint') })
  lambda = await startFakeLambda()
  const pepperSecretId = `pepper-${randomUUID()}`
  const { client, tableName } = await createTestTable()
  await initKeys({
    secretsManager: aws.secretsManagerClient(),
    dynamoDb: client,
    tableName,
    alg: 'RS256',
    pepperSecretId,
    signingKeysSecretId: undefined,
    clock: systemClock,
  })
  stackEnv = {
    AWS_LAMBDA_FUNCTION_NAME: 'Tollgate-Bootstrap',
    KEY_SOURCE: 'kms',
    JWT_ALG: 'RS256',
    KMS_KEY_IDS: aws.kms.createKey('RSA_2048').arn,
    ISSUER: 'https://tollgate.example',
    PEPPER_SECRET_ID: pepperSecretId,
    // One endpoint for every service: the fake forwards DynamoDB to DynamoDB Local.
    AWS_ENDPOINT_URL: aws.endpoint,
  }
})
afterAll(async () => {
  await lambda.close()
  await aws.close()
})
afterEach(() => {
  aws.clearFaults()
  vi.unstubAllEnvs()
})

const ENTRIES = {
  bootstrap: () => import('../../functions/entries/bootstrap.js'),
  'exchange-jwt': () => import('../../functions/entries/exchange-jwt.js'),
  whoami: () => import('../../functions/entries/whoami.js'),
  authorizer: () => import('../../functions/entries/authorizer.js'),
}

/** The entry as a cold start loads it: fresh modules, this environment. */
const coldStart = async <K extends keyof typeof ENTRIES>(
  env: Readonly<Record<string, string>>,
  name: K,
): Promise<Awaited<ReturnType<(typeof ENTRIES)[K]>>['handler']> => {
  vi.resetModules()
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value)
  return (await ENTRIES[name]()).handler
}

/** A fresh stack: its own table (the key material is shared), and its bootstrap function. */
const deploy = async () => {
  const { client, tableName } = await createTestTable()
  const env = { ...stackEnv, TABLE_NAME: tableName }
  const bootstrap = (await coldStart(env, 'bootstrap')) as FakeFunction
  const invoke = async (payload: unknown) =>
    (await bootstrap(payload, lambdaContext('Tollgate-Bootstrap'))) as BootstrapAnswer
  const items = async (prefix = '') => {
    const { Items = [] } = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true }),
    )
    return Items.map((item) => String(item.pk?.S)).filter((pk) => pk.startsWith(prefix))
  }
  const marker = async () =>
    (
      await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: 'META' }, sk: { S: 'BOOTSTRAP' } },
          ConsistentRead: true,
        }),
      )
    ).Item?.account_id?.S
  return {
    env,
    tableName,
    bootstrap,
    invoke,
    items,
    marker,
    store: new DynamoDbStore(client, tableName),
  }
}

const minted = (answer: BootstrapAnswer) => {
  if (!answer.ok) throw new Error(`expected an admin, got ${answer.code}: ${answer.message}`)
  return answer
}

const exchange = async (env: Readonly<Record<string, string>>, token: string) => {
  const handler = (await coldStart(env, 'exchange-jwt')) as LambdaHttpHandler
  return handler(
    httpApiEvent('POST /access-tokens/jwt', { body: { access_token: token } }),
    lambdaContext('exchange-jwt'),
  )
}

const jsonOf = (response: APIGatewayProxyResult) => JSON.parse(response.body)

describe('the bootstrap function', () => {
  it('walks the Deploy to AWS checklist: bootstrap, exchange, /whoami, the authorizer', async () => {
    // Prepare
    const stack = await deploy()

    // Act: `aws lambda invoke --function-name <BootstrapFunctionName> --payload '{"name": "admin"}'`
    const answer = minted(await stack.invoke({ name: 'admin' }))
    const exchanged = await exchange(stack.env, answer.token)
    const { jwt } = jsonOf(exchanged)
    const whoami = (await coldStart(stack.env, 'whoami')) as LambdaHttpHandler
    const me = await whoami(
      httpApiEvent('GET /whoami', { headers: { authorization: `Bearer ${jwt}` } }),
      lambdaContext('whoami'),
    )
    const authorizer = (await coldStart(stack.env, 'authorizer')) as AuthorizerHandler
    const sample = await readFile(
      new URL('../../events/authorizer-http-v2.json', import.meta.url),
      'utf8',
    )
    const verdict = await authorizer(JSON.parse(sample.replaceAll('<JWT>', jwt)))

    // Assess
    expect(answer).toMatchObject({
      ok: true,
      recovery: false,
      service_account: { name: 'admin', roles: ['admin'], created_by: 'bootstrap' },
      access_token: { name: 'bootstrap', id: expect.stringMatching(/^[0-9A-Za-z]{22}$/) },
    })
    expect(answer.token).toMatch(/^tgs_[0-9A-Za-z]{71}$/)
    expect(exchanged.statusCode).toBe(200)
    expect(me.statusCode).toBe(200)
    expect(jsonOf(me)).toMatchObject({
      sub: answer.service_account.id,
      kind: 'service',
      roles: ['admin'],
      atid: answer.access_token.id,
    })
    expect(verdict).toMatchObject({
      isAuthorized: true,
      context: { sub: answer.service_account.id },
    })
    expect(await stack.marker()).toBe(answer.service_account.id)
  })

  it('names its admin "admin" when the input names none, no payload included', async () => {
    const withNothing = minted(await (await deploy()).invoke({}))
    const withNull = minted(await (await deploy()).invoke(null))

    expect(withNothing.service_account.name).toBe('admin')
    expect(withNull.service_account.name).toBe('admin')
  })

  it('refuses every later call, says how to recover, and creates nothing', async () => {
    // Prepare
    const stack = await deploy()
    minted(await stack.invoke({}))
    const before = await stack.items()

    // Act
    const again = await stack.invoke({})
    const otherName = await stack.invoke({ name: 'second-admin' })

    // Assess
    for (const answer of [again, otherName]) {
      expect(answer).toEqual({ ok: false, code: 'conflict', message: ALREADY_BOOTSTRAPPED })
    }
    expect(ALREADY_BOOTSTRAPPED).toContain('{"recover": true}')
    expect((await stack.items()).sort()).toEqual(before.sort())
  })

  it.each([2, 5])('makes exactly one admin of %i concurrent calls', async (calls) => {
    // Prepare
    const stack = await deploy()

    // Act
    const answers = await Promise.all(
      Array.from({ length: calls }, (_, i) => stack.invoke({ name: `racer-${i}` })),
    )

    // Assess: one winner, whose account holds the marker; the others wrote nothing.
    const winners = answers.filter((answer) => answer.ok)
    expect(winners).toHaveLength(1)
    expect(answers.filter((answer) => !answer.ok)).toEqual(
      Array(calls - 1).fill({ ok: false, code: 'conflict', message: ALREADY_BOOTSTRAPPED }),
    )
    expect(await stack.items('OWNER#')).toHaveLength(1)
    expect(await stack.items('TOKEN#')).toHaveLength(1)
    expect(await stack.items('SA_NAME#')).toHaveLength(1)
    expect(await stack.marker()).toBe(minted(winners[0] as BootstrapAnswer).service_account.id)
  })

  it('mints a recovery admin on {"recover": true}, audits it as a recovery, and leaves the marker', async () => {
    // Prepare: the first admin's token is lost.
    const stack = await deploy()
    const first = minted(await stack.invoke({}))

    // Act
    const recovered = minted(await stack.invoke({ recover: true }))
    const named = minted(await stack.invoke({ recover: true, name: 'ops-recovery' }))

    // Assess
    expect(recovered).toMatchObject({
      recovery: true,
      service_account: {
        name: expect.stringMatching(/^recovery-admin-\d{8}-\d{6}$/),
        roles: ['admin'],
      },
    })
    expect(named.service_account.name).toBe('ops-recovery')
    const events = await stack.store.listEvents(
      { type: 'service_account', id: recovered.service_account.id },
      { limit: 10, after: undefined },
    )
    expect(events.items).toEqual([
      expect.objectContaining({
        action: RECOVERY_ACTION,
        actor: 'bootstrap',
        requestId: lambdaContext().awsRequestId,
      }),
    ])
    const tokenEvents = await stack.store.listEvents(
      { type: 'token', id: recovered.access_token.id },
      { limit: 10, after: undefined },
    )
    expect(tokenEvents.items.map((event) => event.action)).toEqual([RECOVERY_ACTION])
    expect(await stack.marker()).toBe(first.service_account.id)
    expect((await exchange(stack.env, recovered.token)).statusCode).toBe(200)
  })

  it.each([
    ['a name the API would refuse', { name: 'admin ' }],
    ['a recover that is not a boolean', { recover: 'yes' }],
    ['a field it does not read', { nmae: 'admin' }],
    ['a list', ['admin']],
    ['a string', 'admin'],
  ])('refuses %s with a structured answer and writes nothing', async (_what, payload) => {
    // Prepare
    const stack = await deploy()

    // Act
    const answer = await stack.invoke(payload)

    // Assess
    expect(answer).toMatchObject({ ok: false, code: 'invalid_request' })
    expect(answer.ok ? '' : answer.message).toMatch(/The input is a JSON object|name must be/)
    expect(await stack.items()).toEqual([])
  })

  it('answers a failing key service with a structured error, no stack trace, and creates nothing', async () => {
    // Prepare
    const stack = await deploy()
    aws.inject('GetSecretValue', { kind: 'internal' }, 50)

    // Act
    const answer = await stack.invoke({})

    // Assess
    expect(answer).toMatchObject({ ok: false, code: 'unavailable' })
    expect(answer.ok ? '' : answer.message).toContain('Nothing was created.')
    expect(answer.ok ? '' : answer.message).toContain(lambdaContext().awsRequestId)
    expect(JSON.stringify(answer)).not.toMatch(/\n\s+at |arn:|InternalServiceError/)
    expect(await stack.items()).toEqual([])
  })

  it('logs the account and token by id, never the token', async () => {
    // Prepare: the Logger fixes its level when the entry loads.
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO')
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true')
    const stack = await deploy()
    const lines: string[] = []
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk))
      return true
    }
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture)
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture)

    // Act
    let answer: BootstrapAnswer
    try {
      answer = minted(await stack.invoke({}))
      await stack.invoke({})
    } finally {
      out.mockRestore()
      err.mockRestore()
    }

    // Assess
    const output = lines.join('')
    expect(output).toContain('first admin minted')
    expect(output).toContain(answer.service_account.id)
    expect(output).toContain(answer.access_token.id)
    expect(output).toContain('bootstrap refused')
    expect(output).not.toContain(answer.token.slice(4))
  })
})

describe('tollgate bootstrap --function (Lambda Invoke API, real AWS SDK)', () => {
  /** A stack whose bootstrap function the fake Lambda serves as `name`. */
  const served = async (name = `Tollgate-Bootstrap-${randomUUID().slice(0, 8)}`) => {
    const stack = await deploy()
    lambda.register(name, stack.bootstrap)
    return { ...stack, name }
  }
  const run = (args: readonly string[]) =>
    cli(['bootstrap', ...args], { AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint })

  it('prints the first admin token once, then refuses with the recovery command', async () => {
    // Prepare
    const stack = await served()

    // Act
    const first = await run(['--function', stack.name])
    const second = await run(['--function', stack.name])

    // Assess: one signed, synchronous invocation each, asking for no log tail.
    const token = /^(tgs_\w+)$/m.exec(first.stdout)?.[1] ?? ''
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toBe(`Access token (shown once, stored nowhere):\n${token}\n`)
    expect(first.stderr).toMatch(/^Created service account "admin" \(sa_\w+\) with role admin/)
    expect((await exchange(stack.env, token)).statusCode).toBe(200)
    expect(second.code).toBe(5)
    expect(second.stderr).toBe(
      `tollgate bootstrap: ${ALREADY_BOOTSTRAPPED}\n` +
        `To mint a recovery admin: tollgate bootstrap --function ${stack.name} --recover\n`,
    )
    const calls = lambda.invocations.filter((call) => call.functionName === stack.name)
    expect(calls).toEqual([
      {
        functionName: stack.name,
        invocationType: 'RequestResponse',
        logType: undefined,
        signed: true,
        body: '{}',
      },
      {
        functionName: stack.name,
        invocationType: 'RequestResponse',
        logType: undefined,
        signed: true,
        body: '{}',
      },
    ])
    expect(await stack.items('OWNER#')).toHaveLength(1)
  })

  it('--recover --name mints a recovery admin; --json prints the answer as it came', async () => {
    // Prepare
    const stack = await served()
    await run(['--function', stack.name])

    // Act
    const recovered = await run([
      '--function',
      stack.name,
      '--recover',
      '--name',
      'ops-2',
      '--json',
    ])

    // Assess
    expect(recovered.code, recovered.stderr).toBe(0)
    const answer = JSON.parse(recovered.stdout) as BootstrapAnswer
    expect(answer).toMatchObject({ ok: true, recovery: true, service_account: { name: 'ops-2' } })
    expect(recovered.stderr).toContain('the recovery admin')
    expect(lambda.invocations.at(-1)?.body).toBe('{"name":"ops-2","recover":true}')
  })

  it('says what to do when the function is not there, not allowed, or fails before answering', async () => {
    // Prepare
    const denied = `Denied-${randomUUID().slice(0, 8)}`
    lambda.register(denied, 'denied')
    const broken = `Broken-${randomUUID().slice(0, 8)}`
    lambda.register(broken, async () => {
      throw new TypeError('Invalid configuration: PEPPER_SECRET_ID is required with KEY_SOURCE=kms')
    })

    // Act
    const missing = await run(['--function', 'No-Such-Function'])
    const refused = await run(['--function', denied])
    const failed = await run(['--function', broken])

    // Assess
    expect(missing.code).toBe(4)
    expect(missing.stderr).toMatch(/no function No-Such-Function here .*BootstrapFunctionName/)
    expect(refused.code).toBe(3)
    expect(refused.stderr).toContain(`need lambda:InvokeFunction on ${denied}`)
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain(
      'the function failed before answering (Unhandled, TypeError): Invalid configuration: PEPPER_SECRET_ID',
    )
    for (const run of [missing, refused, failed]) expect(run.stderr).not.toMatch(/\n\s+at /)
  })

  it.each([
    [['--function', 'F', '--recovr'], /unknown option --recovr \(did you mean --recover\?\)/],
    [['--function', 'F', '--force'], /--force is for a local store/],
    [['--recover', '--name', 'x'], /--recover needs --function/],
    [[], /--function NAME \(a deployed stack\) or --name NAME \(a local store\) is required/],
  ])('bootstrap %j is a usage error', async (args, message) => {
    const result = await run(args)

    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
  })
})
