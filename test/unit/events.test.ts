import { randomUUID } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { RotateSecretCommand } from '@aws-sdk/client-secrets-manager'
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadLocalKeys } from '../../functions/adapters/local-key-file.js'
import { createSecret } from '../../functions/adapters/secret-versions.js'
import { systemClock } from '../../functions/adapters/system-clock.js'
import { parseConfig } from '../../functions/core/config.js'
import type { HandlerName } from '../../functions/core/routes.js'
import { parseSigningKeySet } from '../../functions/core/signing-keys.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import { exchangeToken } from '../../functions/core/use-cases/exchange-token.js'
import { createAuthorizerHandler } from '../../functions/handlers/authorizer.js'
import { createBootstrapHandler } from '../../functions/handlers/bootstrap.js'
import type { ProxyEvent } from '../../functions/handlers/http-event.js'
import {
  createKeyRotationHandler,
  type RotationEvent,
} from '../../functions/handlers/key-rotation.js'
import { createKeysInitHandler, KEYS_INIT_PHYSICAL_ID } from '../../functions/handlers/keys-init.js'
import { HANDLER_FACTORIES } from '../../functions/handlers/registry.js'
import { initKeys } from '../../functions/operations/keys-init.js'
import { buildAuthorizerDependencies } from '../../functions/wiring/authorizer.js'
import { keyStoresOf, rotationTimingOf } from '../../functions/wiring/key-management.js'
import { createTestTable } from '../support/dynamodb.js'
import { type FakeAws, startFakeAws } from '../support/fake-aws.js'
import { fakeDependencies, fixedSecrets, MemoryStore } from '../support/fakes.js'
import { useTempDirs } from '../support/temp-dirs.js'

const eventsDir = new URL('../../events/', import.meta.url)
const context = { awsRequestId: 'sam-local', functionName: 'tollgate' } as Context
const tempDir = useTempDirs()
const keys = await loadLocalKeys(await tempDir('events'), 'RS256')
const deps = fakeDependencies({
  config: parseConfig({}),
  store: new MemoryStore(),
  signer: keys.signer,
  keySet: keys.keySet,
  secrets: fixedSecrets(),
  clock: systemClock,
})
const admin = await bootstrapAdmin(deps, { name: 'sam', asFirstAdmin: true })
const { secret } = admin
/** The samples carry a placeholder where a user pastes their own access token. */
const PLACEHOLDER = 'tgs_REPLACE_WITH_AN_ACCESS_TOKEN'

/** Authorizer samples carry `<JWT>` where a user pastes a JWT from the exchange. */
const JWT_PLACEHOLDER = '<JWT>'

const eventFiles = await readdir(eventsDir)
/** Handlers that are not API Gateway proxies: each has its own kind of event. */
const NOT_PROXIES = ['authorizer', 'keys-init', 'key-rotation', 'bootstrap']
const proxyEventFiles = eventFiles.filter(
  (name) => !NOT_PROXIES.some((handler) => name.startsWith(`${handler}-`)),
)
const authorizerEventFiles = eventFiles.filter((name) => name.startsWith('authorizer-'))
const keysInitEventFiles = eventFiles.filter((name) => name.startsWith('keys-init-'))
const keyRotationEventFiles = eventFiles.filter((name) => name.startsWith('key-rotation-'))
const bootstrapEventFiles = eventFiles.filter((name) => name.startsWith('bootstrap-'))
const readEvent = async (file: string) =>
  JSON.parse(await readFile(new URL(file, eventsDir), 'utf8')) as Record<string, unknown>

/** `<handler>[-<case>]-(http-v2|rest).json`: the longest handler name the file starts with. */
const handlerOf = (file: string): HandlerName => {
  const names = Object.keys(HANDLER_FACTORIES) as HandlerName[]
  const found = names
    .filter((name) => file.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0]
  if (found === undefined) throw new Error(`${file} names no handler`)
  return found
}

describe('events/ samples', () => {
  it('cover every handler module of the route table', () => {
    const covered = new Set(proxyEventFiles.map(handlerOf))

    expect([...covered].sort()).toEqual(Object.keys(HANDLER_FACTORIES).sort())
  })

  it.each(proxyEventFiles)('%s is answered by its handler', async (file) => {
    const { jwt } = await exchangeToken(deps, { accessToken: secret })
    const text = await readFile(new URL(file, eventsDir), 'utf8')
    const event = JSON.parse(
      text.replace(PLACEHOLDER, secret).replaceAll(JWT_PLACEHOLDER, jwt),
    ) as ProxyEvent
    const handlerName = handlerOf(file)
    const handle = HANDLER_FACTORIES[handlerName](async () => deps)

    const response = await handle(event, context)

    expect([200, 201]).toContain(response.statusCode)
    expect(JSON.parse(response.body)).toBeTypeOf('object')
    if (handlerName === 'whoami') {
      expect(JSON.parse(response.body)).toMatchObject({ sub: admin.account.id, kind: 'service' })
    }
  })

  it.each(authorizerEventFiles)('%s, with a JWT from the exchange, is allowed', async (file) => {
    const { jwt } = await exchangeToken(deps, { accessToken: secret })
    const text = await readFile(new URL(file, eventsDir), 'utf8')
    const authorizer = createAuthorizerHandler(async () =>
      buildAuthorizerDependencies({ config: deps.config, keySet: deps.keySet, clock: deps.clock }),
    )

    const answer = await authorizer(JSON.parse(text.replaceAll(JWT_PLACEHOLDER, jwt)), context)

    expect(answer).toMatchObject(
      file.includes('http-v2')
        ? { isAuthorized: true }
        : { policyDocument: { Statement: [{ Effect: 'Allow' }] } },
    )
  })
})

describe('events/ samples of the bootstrap function', () => {
  it('cover the first admin and a recovery', () => {
    expect(bootstrapEventFiles.sort()).toEqual([
      'bootstrap-first-admin.json',
      'bootstrap-recover.json',
    ])
  })

  it.each(bootstrapEventFiles)('%s mints an admin on a fresh table', async (file) => {
    // Prepare: recovery is for a table bootstrapped already.
    const fresh = { ...deps, store: new MemoryStore() }
    const handler = createBootstrapHandler(async () => fresh)
    const event = await readEvent(file)
    if (event.recover === true) await handler({}, context)

    // Act
    const answer = await handler(event, context)

    // Assess
    expect(answer).toMatchObject({
      ok: true,
      recovery: event.recover === true,
      service_account: { roles: ['admin'] },
    })
  })
})

/**
 * keys-init (the deploy-time custom resource) and key-rotation (Secrets
 * Manager's four steps) against the fake KMS/Secrets Manager endpoint and
 * DynamoDB Local: each sample, with the secret names and table of a fresh
 * stack, does what `sam local invoke` would make it do.
 */
describe('events/ samples of the key-material functions', () => {
  let aws: FakeAws
  beforeAll(async () => {
    aws = await startFakeAws()
  })
  afterAll(() => aws.close())

  /** A fresh stack's secrets as the stack declares them (placeholders), and its table. */
  const freshStack = async () => {
    const { client: dynamoDb, tableName } = await createTestTable()
    const secretsManager = aws.secretsManagerClient()
    const ids = { pepper: `pepper-${randomUUID()}`, signingKeys: `signing-keys-${randomUUID()}` }
    for (const id of Object.values(ids)) {
      const placeholder = JSON.stringify({ uninitialized: true, placeholder: randomUUID() })
      await createSecret(secretsManager, id, placeholder)
    }
    return { dynamoDb, tableName, secretsManager, ids }
  }

  it('cover Create, Update and Delete of keys init, and the four rotation steps', () => {
    expect(keysInitEventFiles.map((file) => String(file.match(/-(\w+)\.json$/)?.[1]))).toEqual(
      expect.arrayContaining(['create', 'update', 'delete']),
    )
    expect(keyRotationEventFiles).toHaveLength(4)
  })

  it.each(keysInitEventFiles)('%s is answered by keys-init', async (file) => {
    // Prepare
    const stack = await freshStack()
    const event = await readEvent(file)
    const properties = event.ResourceProperties as Record<string, unknown>
    const handler = createKeysInitHandler(async () => ({
      keyStores: (tableName) => keyStoresOf(stack.secretsManager, stack.dynamoDb, tableName),
      clock: systemClock,
      log: () => undefined,
    }))

    // Act
    const answer = await handler({
      ...event,
      ResourceProperties: {
        ...properties,
        TableName: stack.tableName,
        PepperSecretId: stack.ids.pepper,
        SigningKeysSecretId: stack.ids.signingKeys,
      },
    } as unknown as CloudFormationCustomResourceEvent)

    // Assess
    expect(answer.PhysicalResourceId).toBe(KEYS_INIT_PHYSICAL_ID)
    const seeded = aws.secretsManager.valueOf(stack.ids.signingKeys) ?? ''
    if (event.RequestType === 'Delete') expect(seeded).toMatch(/uninitialized/)
    else expect(parseSigningKeySet(seeded).current.alg).toBe(properties.JwtAlg)
  })

  const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret']

  it.each(keyRotationEventFiles)('%s is answered by key-rotation', async (file) => {
    // Prepare: a seeded stack with a rotation started, and the steps before this one done.
    const stack = await freshStack()
    const event = await readEvent(file)
    await initKeys({
      secretsManager: stack.secretsManager,
      dynamoDb: stack.dynamoDb,
      tableName: stack.tableName,
      alg: 'RS256',
      pepperSecretId: stack.ids.pepper,
      signingKeysSecretId: stack.ids.signingKeys,
      clock: systemClock,
    })
    const token = String(event.ClientRequestToken)
    await stack.secretsManager.send(
      new RotateSecretCommand({ SecretId: stack.ids.signingKeys, ClientRequestToken: token }),
    )
    const handler = createKeyRotationHandler(async () => ({
      ...keyStoresOf(stack.secretsManager, stack.dynamoDb, stack.tableName),
      alg: 'RS256',
      timing: rotationTimingOf(parseConfig({})),
      clock: systemClock,
      log: () => undefined,
    }))
    const step = STEPS.indexOf(String(event.Step))
    for (const earlier of STEPS.slice(0, step)) {
      await handler({ Step: earlier, SecretId: stack.ids.signingKeys, ClientRequestToken: token })
    }

    // Act
    await handler({ ...event, SecretId: stack.ids.signingKeys } as unknown as RotationEvent)

    // Assess: each step leaves what the next one needs.
    expect(step).toBeGreaterThanOrEqual(0)
    const stages = aws.secretsManager.stagesOf(stack.ids.signingKeys)[token]
    expect(stages).toEqual(step === 3 ? ['AWSCURRENT'] : ['AWSPENDING'])
  })
})
