import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDynamoDbClient } from '../../functions/adapters/dynamodb-client.js'
import { buildClaims } from '../../functions/core/claims.js'
import { parseConfig } from '../../functions/core/config.js'
import { signJwt } from '../../functions/core/jws.js'
import { VERIFIED_TOKEN_CACHE_SIZE } from '../../functions/core/jwt-verifier.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import { DEFAULT_LIMITS, startDevServer } from '../../functions/local/dev-server.js'
import { startDynamoDbLocal } from '../../functions/local/dynamodb-local.js'
import { freePort } from '../../functions/local/free-port.js'
import { enableInvocationScopes } from '../../functions/local/invocation-scope.js'
import { ensureTokenTable } from '../../functions/operations/token-table-setup.js'
import { buildDependencies } from '../../functions/wiring/dependencies.js'
import type { ServerMessage, ServerRequest } from './protocol.js'

/** Distinct JWTs for the authorizer's row: 2.5 times its verified-token cache (scenarios.ts). */
const DISTINCT_JWTS = (5 * VERIFIED_TOKEN_CACHE_SIZE) / 2

/**
 * The process under load, forked by `npm run load`: an in-memory DynamoDB
 * Local, the real dev server on 127.0.0.1 and a bootstrapped admin, with
 * the defaults of `npm start` except those in LOAD_ENV. Its own process, so
 * its RSS is the server's alone and autocannon does not share its event
 * loop. It stops everything when asked, or when its parent goes away.
 */
const main = async (): Promise<void> => {
  // Before any AWS SDK call (see enableInvocationScopes).
  await enableInvocationScopes(DEFAULT_LIMITS.maxConnections)
  const cleanups: Array<() => Promise<void> | void> = []
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup()
        } catch (error) {
          process.stderr.write(`load server cleanup failed: ${String(error)}\n`)
        }
      }
    })()
    return stopping
  }
  const send = (message: ServerMessage) => process.send?.(message)
  process.on('message', (request: ServerRequest) => {
    if (request.kind === 'rss')
      send({ kind: 'rss', id: request.id, bytes: process.memoryUsage().rss })
    if (request.kind === 'stop') void stop().finally(() => process.exit(0))
  })
  process.once('disconnect', () => void stop().finally(() => process.exit(0)))
  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'tollgate-load-'))
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const dynamoDbLocal = await startDynamoDbLocal()
    cleanups.push(() => dynamoDbLocal.stop())
    const dynamoDb = createDynamoDbClient(dynamoDbLocal.endpoint)
    cleanups.push(() => dynamoDb.destroy())
    const port = await freePort()
    const config = parseConfig({
      ...JSON.parse(process.env.LOAD_ENV ?? '{}'),
      PORT: String(port),
      DATA_DIR: dataDir,
      TABLE_NAME: 'tollgate-load',
    })
    await ensureTokenTable(dynamoDb, config.tableName)
    const dependencies = await buildDependencies(config, dynamoDb)
    const admin = await bootstrapAdmin(dependencies, { name: 'load-admin', asFirstAdmin: true })
    // Signed here as the exchange would sign them, rather than thousands of exchanges.
    const issuedAt = Date.now()
    const jwts: string[] = []
    for (let i = 0; i < DISTINCT_JWTS; i++) {
      const claims = buildClaims({
        issuer: config.issuer,
        audience: config.audience,
        token: admin.token,
        roles: admin.token.roles,
        ownerGeneration: 1,
        scopes: admin.token.scopes,
        issuedAt,
        durationSeconds: 3600,
        jti: randomUUID(),
      })
      jwts.push(await signJwt(dependencies.signer, claims))
    }
    const server = await startDevServer({ dependencies, port, host: '127.0.0.1' })
    cleanups.push(() => server.close())
    send({
      kind: 'ready',
      url: server.url,
      adminToken: admin.secret,
      jwts,
    })
  } catch (error) {
    send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) })
    await stop()
    process.exit(1)
  }
}

void main()
