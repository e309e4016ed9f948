import { type DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import { ownerItemKey } from '../../functions/adapters/dynamodb-items.js'
import { denyPartition } from '../../functions/adapters/dynamodb-log-items.js'
import { DynamoDbStore } from '../../functions/adapters/dynamodb-store.js'
import { itemKeys, TOKEN_TABLE } from '../../functions/adapters/token-table.js'
import { parseConfig } from '../../functions/core/config.js'
import type { TollgateError } from '../../functions/core/errors.js'
import { authenticateCaller } from '../../functions/core/use-cases/authenticate-caller.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import {
  regenerateToken,
  revokeToken,
  updateToken,
} from '../../functions/core/use-cases/change-token.js'
import { createToken } from '../../functions/core/use-cases/create-token.js'
import { exchangeToken } from '../../functions/core/use-cases/exchange-token.js'
import { listTokens } from '../../functions/core/use-cases/queries.js'
import { revokeOwnerTokens } from '../../functions/core/use-cases/revoke-owner-tokens.js'
import {
  createServiceAccount,
  deleteServiceAccount,
} from '../../functions/core/use-cases/service-accounts.js'
import { createTestTable } from '../support/dynamodb.js'
import { rejectionOf } from '../support/errors.js'
import { fakeDependencies, fixedClock, fixedSecrets, testSigner } from '../support/fakes.js'
import { callers, contextOf } from '../support/management.js'

const admin = contextOf(callers.admin())
const { signer, publicKey } = testSigner('RS256')
const jwk = {
  ...publicKey.export({ format: 'jwk' }),
  kid: 'test-RS256',
  alg: 'RS256',
  use: 'sig' as const,
}

/** The management rules again, on DynamoDB Local: conditions and transactions, not a fake. */
describe('Class: DynamoDbStore (against DynamoDB Local)', () => {
  let client: DynamoDBClient
  let tableName: string
  let store: DynamoDbStore
  let documents: DynamoDBDocumentClient
  const clock = fixedClock(Date.now())
  const deps = (env: Record<string, string> = {}) =>
    fakeDependencies({
      config: parseConfig(env),
      store,
      signer,
      keySet: { publicKeys: async () => [jwk] },
      secrets: fixedSecrets(),
      clock,
    })
  const account = async (name: string, env: Record<string, string> = {}) =>
    createServiceAccount(deps(env), admin, {
      name,
      roles: ['reader'],
      scopes: ['datasets:read', 'datasets:write'],
    })

  beforeAll(async () => {
    ;({ client, tableName } = await createTestTable())
    store = new DynamoDbStore(client, tableName)
    documents = DynamoDBDocumentClient.from(client)
  })

  describe('the exchange', () => {
    it('reads token and owner item in one BatchGetItem and mints a JWT', async () => {
      const {
        secret,
        token,
        account: admin1,
      } = await bootstrapAdmin(deps(), {
        name: 'root',
        asFirstAdmin: true,
      })

      const found = await store.getTokenWithOwner(token.id)
      const result = await exchangeToken(deps(), { accessToken: secret })

      expect(found.token).toEqual(token)
      expect(found.owner?.ref).toEqual({ type: 'service_account', id: admin1.id })
      expect(result.claims).toMatchObject({ sub: admin1.id, atid: token.id, atv: 1, otv: 1 })
      expect(await store.isBootstrapped()).toBe(true)
    })

    it('never stores the secret, only its keyed hash', async () => {
      const sa = await account('hashed')
      const { secret, record } = await createToken(deps(), admin, {
        name: 'x',
        serviceAccountId: sa.id,
      })

      const { Items } = await client.send(new ScanCommand({ TableName: tableName }))

      const dump = JSON.stringify(Items)
      expect(dump).not.toContain(secret)
      expect(dump).not.toContain(secret.slice(4 + 22, -6))
      expect(dump).toContain(record.secretHash)
    })

    it('refuses a stored item that does not validate, as an error and never as a token', async () => {
      const sa = await account('broken')
      const { secret, record } = await createToken(deps(), admin, {
        name: 'x',
        serviceAccountId: sa.id,
      })
      const { Item } = await documents.send(
        new GetCommand({ TableName: tableName, Key: itemKeys.token(record.id) }),
      )
      await documents.send(
        new PutCommand({ TableName: tableName, Item: { ...Item, version: 'one' } }),
      )

      const error = await rejectionOf(exchangeToken(deps(), { accessToken: secret }))

      expect(error.code).toBe('internal')
      expect(error.message).not.toContain(record.secretHash)
    })
  })

  describe('the per-owner cap and names', () => {
    it('holds under 10 parallel creates against a cap of 1: one 201, nine 409', async () => {
      const env = { MAX_ACTIVE_TOKENS_PER_OWNER: '1' }
      const sa = await account('capped', env)

      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          createToken(deps(env), admin, { name: `t${i}`, serviceAccountId: sa.id }),
        ),
      )

      const codes = results.map((r) =>
        r.status === 'fulfilled' ? 'created' : (r.reason as TollgateError).code,
      )
      expect(codes.filter((c) => c === 'created')).toHaveLength(1)
      expect(codes.filter((c) => c === 'conflict')).toHaveLength(9)
      const owner = await store.getOwner({ type: 'service_account', id: sa.id })
      expect(owner?.tokens).toHaveLength(1)
    })

    it('frees slot and name on revoke: the next create with the same name succeeds', async () => {
      const env = { MAX_ACTIVE_TOKENS_PER_OWNER: '1' }
      const sa = await account('recycled', env)
      const first = await createToken(deps(env), admin, { name: 'deploy', serviceAccountId: sa.id })
      expect(
        (
          await rejectionOf(
            createToken(deps(env), admin, { name: 'deploy', serviceAccountId: sa.id }),
          )
        ).code,
      ).toBe('conflict')

      await revokeToken(deps(env), admin, first.record.id)
      const second = await createToken(deps(env), admin, {
        name: 'deploy',
        serviceAccountId: sa.id,
      })

      expect(second.record.name).toBe('deploy')
    })

    it('frees slot and name once a token expires, with nobody revoking it', async () => {
      const env = { MAX_ACTIVE_TOKENS_PER_OWNER: '1' }
      const sa = await account('expiring', env)
      await createToken(deps(env), admin, {
        name: 'deploy',
        serviceAccountId: sa.id,
        expiresInSeconds: 60,
      })

      clock.advance(60_000)
      const again = await createToken(deps(env), admin, { name: 'deploy', serviceAccountId: sa.id })

      expect(again.owner.tokens.map((t) => t.id)).toEqual([again.record.id])
    })

    it('keeps service-account names unique under parallel creates', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () =>
          createServiceAccount(deps(), admin, { name: 'twin', roles: [], scopes: [] }),
        ),
      )

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    })
  })

  describe('races', () => {
    it('revoke vs exchange: no JWT from the revoked token is accepted once revoke commits', async () => {
      const sa = await account('racer')
      for (let round = 0; round < 5; round++) {
        const { secret, record } = await createToken(deps(), admin, {
          name: `r${round}`,
          serviceAccountId: sa.id,
        })
        const exchanges = Array.from({ length: 8 }, () =>
          exchangeToken(deps(), { accessToken: secret }).then(
            (r) => r.jwt,
            () => undefined,
          ),
        )
        await revokeToken(deps(), admin, record.id)
        const jwts = (await Promise.all(exchanges)).filter((jwt) => jwt !== undefined)

        for (const jwt of jwts) {
          const error = await rejectionOf(authenticateCaller(deps(), `Bearer ${jwt}`))
          expect(error.code).toBe('invalid_token')
        }
        expect((await rejectionOf(exchangeToken(deps(), { accessToken: secret }))).code).toBe(
          'invalid_token',
        )
      }
    })

    it('regenerate vs exchange: old-secret JWTs refused, new-secret JWTs accepted, same second', async () => {
      const sa = await account('regen')
      const { secret, record } = await createToken(deps(), admin, {
        name: 'r',
        serviceAccountId: sa.id,
      })
      const before = Array.from({ length: 8 }, () =>
        exchangeToken(deps(), { accessToken: secret }).then(
          (r) => r.jwt,
          () => undefined,
        ),
      )

      const { secret: fresh } = await regenerateToken(deps(), admin, record.id)
      const oldJwts = (await Promise.all(before)).filter((jwt) => jwt !== undefined)
      const newJwt = (await exchangeToken(deps(), { accessToken: fresh })).jwt

      for (const jwt of oldJwts) {
        expect((await rejectionOf(authenticateCaller(deps(), `Bearer ${jwt}`))).code).toBe(
          'invalid_token',
        )
      }
      expect((await authenticateCaller(deps(), `Bearer ${newJwt}`)).atid).toBe(record.id)
    })

    it('concurrent PATCH with one ETag: exactly one wins, the rest get 412', async () => {
      const sa = await account('patched')
      const { record } = await createToken(deps(), admin, { name: 'p', serviceAccountId: sa.id })

      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          updateToken(deps(), admin, { tokenId: record.id, ifMatch: [1], description: `d${i}` }),
        ),
      )

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      for (const r of results) {
        if (r.status === 'rejected')
          expect((r.reason as TollgateError).code).toBe('precondition_failed')
      }
    })

    it('never moves last_used_at back when a token is changed', async () => {
      const sa = await account('used')
      const { secret, record } = await createToken(deps(), admin, {
        name: 'u',
        serviceAccountId: sa.id,
      })
      await exchangeToken(deps(), { accessToken: secret })

      await updateToken(deps(), admin, { tokenId: record.id, ifMatch: '*', description: 'x' })

      const found = await store.getTokenWithOwner(record.id)
      expect(found.token?.lastUsedAt).toBe(clock.now())
      expect(found.token?.description).toBe('x')
    })
  })

  describe('revocation records', () => {
    it('writes the deny entry in the same transaction, in its hour partition', async () => {
      const sa = await account('denied')
      const { record } = await createToken(deps(), admin, { name: 'd', serviceAccountId: sa.id })

      await revokeToken(deps(), admin, record.id)
      const { Items } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: denyPartition(clock.now()) } },
          ConsistentRead: true,
        }),
      )

      expect(Items?.some((item) => item.atid?.S === record.id)).toBe(true)
    })

    it('deletes an account in one small transaction however many tokens it has', async () => {
      const env = { MAX_ACTIVE_TOKENS_PER_OWNER: '50' }
      const sa = await account('big', env)
      const tokens = []
      for (let batch = 0; batch < 6; batch++) {
        // Five at a time: creates on one owner serialize on its item (each retries a lost race).
        tokens.push(
          ...(await Promise.all(
            Array.from({ length: 5 }, (_, i) =>
              createToken(deps(env), admin, { name: `t${batch}-${i}`, serviceAccountId: sa.id }),
            ),
          )),
        )
      }

      await deleteServiceAccount(deps(env), admin, sa.id)

      for (const { secret } of tokens.slice(0, 5)) {
        expect((await rejectionOf(exchangeToken(deps(), { accessToken: secret }))).code).toBe(
          'invalid_token',
        )
      }
      const { Item } = await documents.send(
        new GetCommand({ TableName: tableName, Key: ownerItemKey(sa.id) }),
      )
      expect(Item).toMatchObject({ status: 'deleted', tokens: [] })
      expect(Item?.gsi2pk).toBeUndefined()
    })

    it('revokes every token of an owner; the list reads them revoked', async () => {
      const sa = await account('all')
      await createToken(deps(), admin, { name: 'a', serviceAccountId: sa.id })
      await createToken(deps(), admin, { name: 'b', serviceAccountId: sa.id })

      const result = await revokeOwnerTokens(deps(), admin, sa.id)
      const page = await listTokens(deps(), admin, { owner: sa.id }, { limit: 10 })

      expect(result.revoked).toBe(2)
      expect(page.items.map((item) => item.status)).toEqual(['revoked', 'revoked'])
    })
  })

  describe('lists', () => {
    it('pages through the owner and list indexes, visiting every token once', async () => {
      const sa = await account('paged')
      const ids = []
      for (let i = 0; i < 7; i++) {
        clock.advance(1)
        ids.push(
          (await createToken(deps(), admin, { name: `p${i}`, serviceAccountId: sa.id })).record.id,
        )
      }
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await listTokens(deps(), admin, { owner: sa.id }, { limit: 3, cursor })
        seen.push(...page.items.map((item) => item.record.id))
        cursor = page.nextCursor ?? undefined
      } while (cursor !== undefined)

      expect(seen).toEqual([...ids].reverse())
      const all = await listTokens(deps(), admin, { name: 'p3' }, { limit: 100 })
      expect(all.items.map((item) => item.record.id)).toContain(ids[3])
    })

    it('keeps last_used_at out of both indexes, and lists read it from the items', async () => {
      // Prepare
      const sa = await account('touched')
      const { record } = await createToken(deps(), admin, { name: 'u', serviceAccountId: sa.id })
      await store.recordTokenUse(record.id, clock.now(), clock.now() - 60_000)

      // Act
      const byOwner = await listTokens(deps(), admin, { owner: sa.id }, { limit: 10 })
      const byName = await listTokens(deps(), admin, { name: 'u' }, { limit: 100 })
      const indexed = await Promise.all(
        [
          { IndexName: TOKEN_TABLE.ownerIndex.name, pk: `TOKENS_OF#${sa.id}`, key: 'gsi1pk' },
          { IndexName: TOKEN_TABLE.listIndex.name, pk: 'TOKENS', key: 'gsi2pk' },
        ].map(({ IndexName, pk, key }) =>
          client.send(
            new QueryCommand({
              TableName: tableName,
              IndexName,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': key },
              ExpressionAttributeValues: { ':pk': { S: pk } },
            }),
          ),
        ),
      )

      // Assess
      for (const page of [byOwner, byName]) {
        const listed = page.items.find((item) => item.record.id === record.id)
        expect(listed?.record.lastUsedAt).toBe(clock.now())
      }
      for (const [i, { Items }] of indexed.entries()) {
        const item = Items?.find((found) => found.pk?.S === itemKeys.token(record.id).pk)
        const index = [TOKEN_TABLE.ownerIndex, TOKEN_TABLE.listIndex][i]
        expect(Object.keys(item ?? {}).sort()).toEqual(
          [index?.partitionKey, index?.sortKey, 'name', 'pk', 'sk'].sort(),
        )
      }
    })
  })

  describe('owner tags', () => {
    it('never hands one owner another’s item when two share a tag: the create fails, nothing changes', async () => {
      const person = contextOf(callers.person('tagged'))
      const squatter = {
        ...ownerItemKey('user:dev:tagged'),
        owner_type: 'service_account',
        owner_id: 'sa_0000000000000000000001',
        status: 'active',
        tokens: [],
        otv: 1,
        version: 1,
      }
      await documents.send(new PutCommand({ TableName: tableName, Item: squatter }))

      const found = await store.getOwner({ type: 'user', id: 'user:dev:tagged' })
      const error = await rejectionOf(createToken(deps(), person, { name: 'x' }))
      const { Item } = await documents.send(
        new GetCommand({ TableName: tableName, Key: ownerItemKey('user:dev:tagged') }),
      )

      expect(found).toBeUndefined()
      expect(error.code).toBe('unavailable')
      expect(Item).toEqual(squatter)
    }, 60_000)
  })

  describe('layout', () => {
    it('refuses a table bootstrapped by an earlier layout, saying what to do', async () => {
      const { client: other, tableName: oldTable } = await createTestTable()
      await DynamoDBDocumentClient.from(other).send(
        new PutCommand({ TableName: oldTable, Item: { ...itemKeys.bootstrap(), account_id: 'x' } }),
      )

      const error = await rejectionOf(new DynamoDbStore(other, oldTable).isBootstrapped())

      expect(error.message).toContain('DATA_DIR')
    })
  })
})
