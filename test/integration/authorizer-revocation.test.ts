import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { beforeAll, describe, expect, it } from 'vitest'
import { awsJsonClientFor } from '../../functions/adapters/aws-json-client.js'
import { jsonQueryPartitionPage } from '../../functions/adapters/aws-json-reads.js'
import { createDenyListReader } from '../../functions/adapters/deny-list-reader.js'
import { DynamoDbDenyListReader } from '../../functions/adapters/dynamodb-deny-list.js'
import { DynamoDbStore } from '../../functions/adapters/dynamodb-store.js'
import { parseConfig } from '../../functions/core/config.js'
import type { DenyListReader } from '../../functions/core/deny-list.js'
import type { KeySet } from '../../functions/core/ports.js'
import {
  regenerateToken,
  revokeToken,
  updateToken,
} from '../../functions/core/use-cases/change-token.js'
import { createToken } from '../../functions/core/use-cases/create-token.js'
import { exchangeToken } from '../../functions/core/use-cases/exchange-token.js'
import { revokeOwnerTokens } from '../../functions/core/use-cases/revoke-owner-tokens.js'
import {
  createServiceAccount,
  deleteServiceAccount,
  updateServiceAccount,
} from '../../functions/core/use-cases/service-accounts.js'
import { createAuthorizerHandler } from '../../functions/handlers/authorizer.js'
import { buildAuthorizerDependencies } from '../../functions/wiring/authorizer.js'
import { createTestTable } from '../support/dynamodb.js'
import { fakeDependencies, fixedClock, fixedSecrets, testSigner } from '../support/fakes.js'
import { callers, contextOf } from '../support/management.js'

const admin = contextOf(callers.admin())
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/datasets/1'
const REFRESH_SECONDS = 10

/**
 * Prompt revocation end to end on DynamoDB Local: revoking changes write their
 * deny entries in the same transaction, and the authorizer's copy, refreshed
 * at the start of an invocation, refuses the JWTs concerned. The copy is
 * read with the SDK (the dev server) and with the signed requests of
 * aws-json-client.ts (the authorizer's Lambda).
 */
describe.each(['sdk', 'json'] as const)(
  'the authorizer with REVOCATION_CHECK, against DynamoDB Local (%s reads)',
  (via) => {
    let client: DynamoDBClient
    let tableName: string
    let reader: () => DenyListReader
    const clock = fixedClock(Date.now())
    const { signer, publicKey } = testSigner('RS256')
    const keySet: KeySet = {
      publicKeys: async () => [
        { ...publicKey.export({ format: 'jwk' }), kid: 'test-RS256', alg: 'RS256', use: 'sig' },
      ],
    }
    const config = parseConfig({ REVOCATION_REFRESH_SECONDS: String(REFRESH_SECONDS) })
    let deps: ReturnType<typeof fakeDependencies>
    let authorize: (jwt: string) => Promise<'allow' | 'unauthorized'>

    beforeAll(async () => {
      let endpoint: string
      ;({ client, endpoint, tableName } = await createTestTable())
      const json = awsJsonClientFor('dynamodb', endpoint, {}, {})
      if (json === undefined) throw new Error('no JSON client for DynamoDB Local')
      reader = () =>
        via === 'sdk'
          ? new DynamoDbDenyListReader(client, tableName)
          : createDenyListReader(jsonQueryPartitionPage(json), tableName)
      const store = new DynamoDbStore(client, tableName)
      deps = fakeDependencies({ config, store, signer, keySet, secrets: fixedSecrets(), clock })
      const authorizerDeps = buildAuthorizerDependencies({
        config,
        keySet,
        clock,
        denyListReader: async () => reader(),
      })
      const handler = createAuthorizerHandler(async () => authorizerDeps)
      authorize = async (jwt) => {
        try {
          await handler({
            type: 'TOKEN',
            authorizationToken: `Bearer ${jwt}`,
            methodArn: METHOD_ARN,
          })
          return 'allow'
        } catch (error) {
          if ((error as Error).message === 'Unauthorized') return 'unauthorized'
          throw error
        }
      }
    })

    const freshToken = async (name: string) => {
      const account = await createServiceAccount(deps, admin, {
        name,
        roles: ['r'],
        scopes: ['a:b', 'c:d'],
      })
      const { record, secret } = await createToken(deps, admin, {
        name: 't',
        serviceAccountId: account.id,
      })
      const mint = async (accessToken = secret) => (await exchangeToken(deps, { accessToken })).jwt
      return { account, record, secret, mint }
    }
    /** Past the refresh interval: the next invocation reads the deny-list again. */
    const nextRefresh = () => clock.advance(REFRESH_SECONDS * 1000)

    it('refuses a revoked token’s JWTs after the next refresh, not before', async () => {
      const { record, mint } = await freshToken('revoked')
      const jwt = await mint()
      expect(await authorize(jwt)).toBe('allow')

      await revokeToken(deps, admin, record.id)
      const beforeRefresh = await authorize(jwt)
      nextRefresh()

      expect(beforeRefresh).toBe('allow')
      expect(await authorize(jwt)).toBe('unauthorized')
    })

    it('after a regenerate refuses JWTs of the old secret and accepts those of the new, same second', async () => {
      const { record, mint } = await freshToken('regenerated')
      const old = await mint()
      const { secret } = await regenerateToken(deps, admin, record.id)
      const fresh = await mint(secret)
      nextRefresh()

      expect(await authorize(old)).toBe('unauthorized')
      expect(await authorize(fresh)).toBe('allow')
    })

    it('refuses older JWTs after a narrowing of the token or of its account, not newer ones', async () => {
      const token = await freshToken('narrowed-token')
      const account = await freshToken('narrowed-account')
      const [oldToken, oldAccount] = [await token.mint(), await account.mint()]

      await updateToken(deps, admin, { tokenId: token.record.id, ifMatch: '*', scopes: ['a:b'] })
      await updateServiceAccount(deps, admin, {
        id: account.account.id,
        ifMatch: '*',
        scopes: ['a:b'],
      })
      nextRefresh()

      expect(await authorize(oldToken)).toBe('unauthorized')
      expect(await authorize(oldAccount)).toBe('unauthorized')
      expect(await authorize(await token.mint())).toBe('allow')
      expect(await authorize(await account.mint())).toBe('allow')
    })

    it('refuses every JWT of an owner after revoke-all or deletion', async () => {
      const revoked = await freshToken('all-revoked')
      const deleted = await freshToken('deleted')
      const jwts = [await revoked.mint(), await deleted.mint()]

      await revokeOwnerTokens(deps, admin, revoked.account.id)
      await deleteServiceAccount(deps, admin, deleted.account.id)
      nextRefresh()

      for (const jwt of jwts) expect(await authorize(jwt)).toBe('unauthorized')
    })

    it('finds, on its first load, entries written hours ago in older partitions', async () => {
      const { record, mint } = await freshToken('old-partition')
      const jwt = await mint()
      await revokeToken(deps, admin, record.id)
      clock.advance(3 * 3_600_000)
      // A new instance (cold start) loads the whole look-back window.
      const coldDeps = buildAuthorizerDependencies({
        config,
        keySet,
        clock,
        denyListReader: async () => reader(),
      })
      const cold = createAuthorizerHandler(async () => coldDeps)

      const answer = await cold({
        type: 'TOKEN',
        authorizationToken: `Bearer ${jwt}`,
        methodArn: METHOD_ARN,
      }).catch((e: Error) => e.message)

      expect(answer).toBe('Unauthorized')
    })

    it('throws, and never allows, when the deny-list cannot be read', async () => {
      const broken = buildAuthorizerDependencies({
        config,
        keySet,
        clock,
        denyListReader: async () => ({
          entriesSince: async () => {
            throw new Error('DynamoDB down')
          },
        }),
      })
      const { mint } = await freshToken('outage')

      const answer = await createAuthorizerHandler(async () => broken)({
        type: 'TOKEN',
        authorizationToken: `Bearer ${await mint()}`,
        methodArn: METHOD_ARN,
      }).catch((e: Error) => e.message)

      expect(answer).toBe('Authorizer could not decide')
    })
  },
)
