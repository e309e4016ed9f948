import { readdir, readFile } from 'node:fs/promises'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/core/config.js'
import type { HandlerName } from '../../functions/core/routes.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import type { ProxyEvent } from '../../functions/handlers/http-event.js'
import { HANDLER_FACTORIES } from '../../functions/handlers/registry.js'
import { fixedClock, fixedSecrets, MemoryTokenStore, testSigner } from '../support/fakes.js'

const eventsDir = new URL('../../events/', import.meta.url)
const context = { awsRequestId: 'sam-local', functionName: 'tollgate' } as Context
const deps = {
  config: parseConfig({}),
  store: new MemoryTokenStore(),
  signer: testSigner().signer,
  keySet: { publicKeys: async () => [] },
  secrets: fixedSecrets(),
  clock: fixedClock(),
}
const { secret } = await bootstrapAdmin(deps, { name: 'sam', asFirstAdmin: true })
/** The samples carry a placeholder where a user pastes their own access token. */
const PLACEHOLDER = 'tgs_REPLACE_WITH_AN_ACCESS_TOKEN'

const proxyEventFiles = (await readdir(eventsDir)).filter((name) => !name.startsWith('authorizer'))

describe('events/ samples', () => {
  it.each(proxyEventFiles)('%s is answered by its handler', async (file) => {
    const text = await readFile(new URL(file, eventsDir), 'utf8')
    const event = JSON.parse(text.replace(PLACEHOLDER, secret)) as ProxyEvent
    const handlerName = file.replace(/-(http-v2|rest)\.json$/, '') as HandlerName
    const handle = HANDLER_FACTORIES[handlerName](async () => deps)

    const response = await handle(event, context)

    expect(response.statusCode).toBe(200)
    expect(JSON.parse(response.body)).toBeTypeOf('object')
    if (handlerName === 'whoami') {
      expect(JSON.parse(response.body)).toEqual(JSON.parse(text).requestContext.authorizer.lambda)
    }
  })
})
