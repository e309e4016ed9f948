import { join } from 'node:path'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import { ROUTES, routeKey } from '../../functions/core/routes.js'
import { DEFAULT_LIMITS } from '../../functions/local/dev-server.js'
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.js'
import { superviseDynamoDbLocal } from '../../functions/local/dynamodb-supervisor.js'
import { enableInvocationScopes } from '../../functions/local/invocation-scope.js'
import { ensureTokenTable } from '../../functions/operations/token-table-setup.js'
import { startTollgate } from '../support/dev-server.js'
import {
  expectOutageSemantics,
  MAX_DELAY_MS,
  OUTAGE_ENV,
  outageLanes,
  successOf,
  sweepEveryRoute,
} from '../support/outage.js'
import { NEEDS_NO_STORE } from '../support/route-samples.js'
import { startTcpProxy } from '../support/tcp-proxy.js'
import { useTempDirs } from '../support/temp-dirs.js'
import { type Exchange, startTraffic, waitUntil } from '../support/traffic.js'

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms))

/** Every lane's last answer is its success again. */
const allRecovered =
  (exchanges: readonly Exchange[], kinds: Readonly<Record<string, string>>, after: number) => () =>
    Object.entries(kinds).every(([lane, kind]) => {
      const last = exchanges.filter((e) => e.lane === lane && e.startedAt > after).at(-1)
      return last?.status === successOf(kind as Parameters<typeof successOf>[0])
    })

/**
 * Issue 12, part 4: DynamoDB goes away under steady traffic on every kind of
 * route, and comes back, with no restart of the dev server. What each answer
 * may be is in expectOutageSemantics (test/support/outage.ts).
 */
describe('Tollgate while DynamoDB is gone', () => {
  const tempDir = useTempDirs()

  beforeAll(async () => {
    // Before this file's first AWS SDK call (see enableInvocationScopes).
    await enableInvocationScopes(DEFAULT_LIMITS.maxConnections)
  })

  it('DynamoDB Local killed mid-run: 503s (the authorizer 500s once stale), then back by itself', async () => {
    // The supervisor waits this long before it starts DynamoDB Local again:
    // seconds with no DynamoDB process at all, longer than the revocation budget.
    const gapMs = MAX_DELAY_MS + 3_000
    const dataDir = join(await tempDir('outage'), 'dynamodb')
    const first = await startDynamoDbLocal({ dataDir })
    const tableName = 'tollgate-outage'
    let restartedAt: number | undefined
    const supervisor = superviseDynamoDbLocal(first, {
      dataDir,
      log: () => {},
      onRestart: async (instance) => {
        const check = createDynamoDbClient(instance.endpoint)
        await ensureTokenTable(check, tableName).finally(() => check.destroy())
        restartedAt = Date.now()
      },
      backoff: { initialMs: gapMs, maxMs: gapMs },
    })
    const client: DynamoDBClient = createDynamoDbClient(() => supervisor.endpoint())
    try {
      await ensureTokenTable(client, tableName)
      const tollgate = await startTollgate(OUTAGE_ENV, {
        table: { client, endpoint: first.endpoint, tableName },
      })
      try {
        const { lanes, kinds, adminJwt, ids } = await outageLanes(tollgate)
        // The revoked token's deny entry reaches the authorizer's copy.
        await sleep(2_500)
        const traffic = startTraffic(tollgate.server.url, lanes)
        await sleep(1_500)

        const from = Date.now()
        process.kill(first.pid, 'SIGKILL')
        await first.exited
        const until = Date.now() + gapMs
        // Once the copy is stale and before DynamoDB Local starts again.
        await sleep(Math.max(0, from + MAX_DELAY_MS + 500 - Date.now()))
        const sweep = await sweepEveryRoute(tollgate.server.url, adminJwt, ids)
        await waitUntil('DynamoDB Local restarted', () => restartedAt !== undefined, {
          timeoutMs: 90_000,
        })
        await waitUntil('every lane recovered', allRecovered(traffic.exchanges, kinds, until), {
          timeoutMs: 30_000,
        })
        await sleep(1_000)
        const exchanges = await traffic.stop()

        expectOutageSemantics(exchanges, kinds, { from, until })
        expect(sweep.every((answer) => answer.endedAt < until)).toBe(true)
        expect(
          sweep.map(({ key, status, code, retryAfter }) => ({ key, status, code, retryAfter })),
        ).toEqual(
          ROUTES.map((route) => {
            const key = routeKey(route)
            if (NEEDS_NO_STORE.has(key))
              return { key, status: 200, code: undefined, retryAfter: null }
            if (route.authorization === 'authorizer') {
              return { key, status: 500, code: undefined, retryAfter: null }
            }
            // /oauth2/* answers in RFC 6749's form: the same outage is temporarily_unavailable.
            const code = key.startsWith('POST /oauth2/') ? 'temporarily_unavailable' : 'unavailable'
            return { key, status: 503, code, retryAfter: '1' }
          }),
        )
      } finally {
        await tollgate.close()
      }
    } finally {
      client.destroy()
      await supervisor.stop()
    }
  })

  it('DynamoDB accepting connections and never answering: the same, in bounded time', async () => {
    const proxy = await startTcpProxy(inject('dynamoDbEndpoint'), { kind: 'forward', delayMs: 0 })
    const tollgate = await startTollgate(OUTAGE_ENV, { dynamoDbEndpoint: proxy.endpoint })
    try {
      const { lanes, kinds } = await outageLanes(tollgate)
      await sleep(2_500)
      const traffic = startTraffic(tollgate.server.url, lanes)
      await sleep(1_500)

      const from = Date.now()
      proxy.setMode({ kind: 'hang' })
      proxy.dropConnections()
      // Long enough for a hung request to fail (3 attempts of 2 s) well after the budget.
      await sleep(MAX_DELAY_MS + 7_000)
      const until = Date.now()
      proxy.setMode({ kind: 'forward', delayMs: 0 })
      await waitUntil('every lane recovered', allRecovered(traffic.exchanges, kinds, until), {
        timeoutMs: 30_000,
      })
      await sleep(1_000)
      const exchanges = await traffic.stop()
      expectOutageSemantics(exchanges, kinds, { from, until })
    } finally {
      await tollgate.close()
      await proxy.close()
    }
  })
})
