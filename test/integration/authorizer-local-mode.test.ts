import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LOCAL_ENDPOINT_FILE } from '../../functions/adapters/local-endpoint.js'
import { apiAs, exchangeFor } from '../support/api-client.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'

/**
 * docs/design.md#configuration: "in local mode [the authorizer] finds the dev server's
 * DynamoDB Local for the deny-list through DATA_DIR, as tollgate bootstrap
 * does" — run the
 * Lambda entry point with only the dev server's DATA_DIR, ISSUER, AUDIENCE
 * and TABLE_NAME, as `sam local invoke` would, and no DynamoDB endpoint.
 */
describe('the Lambda authorizer in local mode, with the dev server’s DATA_DIR only', () => {
  let tollgate: RunningTollgate | undefined
  afterEach(async () => {
    vi.unstubAllEnvs()
    await tollgate?.close()
  })

  it('reads the deny-list from the DynamoDB Local that npm start recorded in DATA_DIR', async () => {
    tollgate = await startTollgate()
    const { config } = tollgate
    // What npm start writes next to the key file; startTollgate has its own DynamoDB Local.
    await writeFile(
      join(config.dataDir, LOCAL_ENDPOINT_FILE),
      JSON.stringify({ endpoint: config.dynamoDbEndpoint, ownerPid: process.pid, dynamoDbPid: 0 }),
    )
    const admin = await apiAs(tollgate, tollgate.adminToken)
    const account = await admin.post('/service-accounts', { name: 'local', roles: [], scopes: [] })
    const kept = await admin.post('/access-tokens', {
      name: 'kept',
      service_account_id: account.body.id,
    })
    const revoked = await admin.post('/access-tokens', {
      name: 'gone',
      service_account_id: account.body.id,
    })
    const keptJwt = await exchangeFor(tollgate, kept.body.token as string)
    const revokedJwt = await exchangeFor(tollgate, revoked.body.token as string)
    await admin.delete(`/access-tokens/${revoked.body.id}`)
    for (const [name, value] of Object.entries({
      DATA_DIR: config.dataDir,
      ISSUER: config.issuer,
      AUDIENCE: config.audience,
      TABLE_NAME: config.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: '',
      AWS_ENDPOINT_URL: '',
    })) {
      vi.stubEnv(name, value)
    }
    vi.resetModules()
    const { handler } = await import('../../functions/entries/authorizer.js')
    const decide = (jwt: string) =>
      handler({
        type: 'TOKEN',
        authorizationToken: `Bearer ${jwt}`,
        methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/x',
      }).then(
        (answer) => ('principalId' in answer ? 'allow' : 'other'),
        (error: Error) => error.message,
      )

    expect(await decide(keptJwt)).toBe('allow')
    expect(await decide(revokedJwt)).toBe('Unauthorized')
  })
})
