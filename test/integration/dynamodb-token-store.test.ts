import {
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import { DynamoDbTokenStore } from '../../functions/adapters/dynamodb-token-store.js'
import { itemKeys, ownerKey } from '../../functions/adapters/token-table.js'
import { parseConfig } from '../../functions/core/config.js'
import { TollgateError } from '../../functions/core/errors.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import { exchangeToken } from '../../functions/core/use-cases/exchange-token.js'
import { freePort } from '../../functions/local/free-port.js'
import { createTestTable } from '../support/dynamodb.js'
import { fixedClock, fixedSecrets, testSigner } from '../support/fakes.js'

const DAY_MS = 86_400_000
const config = parseConfig({})

describe('Class: DynamoDbTokenStore (against DynamoDB Local)', () => {
  let client: DynamoDBClient
  let tableName: string
  let store: DynamoDbTokenStore
  const clock = fixedClock()
  const deps = () => ({ store, secrets: fixedSecrets(), clock, config })

  beforeAll(async () => {
    ;({ client, tableName } = await createTestTable())
    store = new DynamoDbTokenStore(client, tableName)
  })

  describe('Method: createServiceAccountWithToken', () => {
    it('stores the account and token, and getToken reads the token back', async () => {
      const { account, token } = await bootstrapAdmin(deps(), {
        name: 'reader',
        asFirstAdmin: false,
      })

      const stored = await store.getToken(token.id)

      expect(stored).toEqual(token)
      expect(stored?.owner).toEqual({ type: 'service_account', id: account.id })
    })

    it('never stores the secret itself, only its hash', async () => {
      const { secret, token } = await bootstrapAdmin(deps(), {
        name: 'hashed',
        asFirstAdmin: false,
      })

      const { Items } = await client.send(new ScanCommand({ TableName: tableName }))

      const dump = JSON.stringify(Items)
      expect(dump).not.toContain(secret)
      expect(dump).not.toContain(secret.slice(4 + 22, -6))
      expect(dump).toContain(token.secretHash)
    })

    it('refuses a second account with the same name as a conflict', async () => {
      await bootstrapAdmin(deps(), { name: 'twin', asFirstAdmin: false })

      const second = bootstrapAdmin(deps(), { name: 'twin', asFirstAdmin: false })

      await expect(second).rejects.toMatchObject({ code: 'conflict', status: 409 })
    })

    it('bootstraps the first admin exactly once, even when raced', async () => {
      expect(await store.isBootstrapped()).toBe(false)

      const results = await Promise.allSettled(
        ['first-a', 'first-b', 'first-c'].map((name) =>
          bootstrapAdmin(deps(), { name, asFirstAdmin: true }),
        ),
      )

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      for (const failure of results.filter((r) => r.status === 'rejected')) {
        expect((failure as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' })
      }
      expect(await store.isBootstrapped()).toBe(true)
    })

    it('counts the owner as holding one active token', async () => {
      const { token } = await bootstrapAdmin(deps(), { name: 'counted', asFirstAdmin: false })
      const documents = DynamoDBDocumentClient.from(client)

      const { Item } = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: itemKeys.activeTokenCount(ownerKey(token.owner)),
        }),
      )

      expect(Item?.active_count).toBe(1)
    })

    it('sets a TTL a retention period after expiry, on a table with TTL enabled', async () => {
      const { token } = await bootstrapAdmin(deps(), { name: 'ttl', asFirstAdmin: false })
      const documents = DynamoDBDocumentClient.from(client)

      const [{ Item }, ttl] = await Promise.all([
        documents.send(new GetCommand({ TableName: tableName, Key: itemKeys.token(token.id) })),
        client.send(new DescribeTimeToLiveCommand({ TableName: tableName })),
      ])

      expect(ttl.TimeToLiveDescription?.AttributeName).toBe('ttl')
      expect(Item?.ttl).toBeGreaterThan((token.expiresAt ?? 0) / 1000)
      expect(Item?.ttl).toBeLessThan(((token.expiresAt ?? 0) + 500 * DAY_MS) / 1000)
    })
  })

  describe('Method: getToken', () => {
    it('answers undefined for an unknown id', async () => {
      expect(await store.getToken('0000000000000000000000')).toBeUndefined()
    })
  })

  describe('Method: recordTokenUse', () => {
    it('writes last_used_at at most once within the window', async () => {
      const { token } = await bootstrapAdmin(deps(), { name: 'used', asFirstAdmin: false })
      const t0 = clock.now()

      await store.recordTokenUse(token.id, t0, t0 - 60_000)
      await store.recordTokenUse(token.id, t0 + 30_000, t0 + 30_000 - 60_000)
      const afterTwo = await store.getToken(token.id)
      await store.recordTokenUse(token.id, t0 + 61_000, t0 + 1_000)
      const afterThree = await store.getToken(token.id)

      expect(afterTwo?.lastUsedAt).toBe(t0)
      expect(afterThree?.lastUsedAt).toBe(t0 + 61_000)
    })

    it('does not create an item for an unknown token', async () => {
      await store.recordTokenUse('1111111111111111111111', 1, 0)

      expect(await store.getToken('1111111111111111111111')).toBeUndefined()
    })

    it('loses a race quietly: concurrent uses leave one value', async () => {
      const { token } = await bootstrapAdmin(deps(), { name: 'raced', asFirstAdmin: false })
      const t0 = clock.now()

      await Promise.all(
        [1, 2, 3, 4].map((i) => store.recordTokenUse(token.id, t0 + i, t0 - 60_000)),
      )

      expect([t0 + 1, t0 + 2, t0 + 3, t0 + 4]).toContain(
        (await store.getToken(token.id))?.lastUsedAt,
      )
    })
  })

  describe('an item edited outside Tollgate', () => {
    it.each(['expired', 'disabled'])('refuses to exchange a token stored as %j', async (stored) => {
      const { token, secret } = await bootstrapAdmin(deps(), {
        name: `edited-${stored}`,
        asFirstAdmin: false,
      })
      await DynamoDBDocumentClient.from(client).send(
        new UpdateCommand({
          TableName: tableName,
          Key: itemKeys.token(token.id),
          UpdateExpression: 'SET #status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': stored },
        }),
      )

      const exchange = exchangeToken(
        { ...deps(), signer: testSigner().signer },
        { accessToken: secret },
      )

      await expect(exchange).rejects.toMatchObject({ code: 'invalid_token' })
    })
  })

  describe('outages', () => {
    it('reports an unreachable DynamoDB as unavailable (503), never as a bad token', async () => {
      const nowhere = createDynamoDbClient(`http://127.0.0.1:${await freePort()}`)
      const downStore = new DynamoDbTokenStore(nowhere, tableName)

      const failure = await downStore.getToken('0000000000000000000000').catch((e: unknown) => e)

      expect(failure).toBeInstanceOf(TollgateError)
      expect(failure).toMatchObject({ code: 'unavailable', status: 503 })
      nowhere.destroy()
    })
  })
})
