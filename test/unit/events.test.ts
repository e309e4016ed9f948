import { readdir, readFile } from 'node:fs/promises'
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { loadLocalKeys } from '../../functions/adapters/local-key-file.js'
import { systemClock } from '../../functions/adapters/system-clock.js'
import { parseConfig } from '../../functions/core/config.js'
import type { HandlerName } from '../../functions/core/routes.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import { exchangeToken } from '../../functions/core/use-cases/exchange-token.js'
import { createAuthorizerHandler } from '../../functions/handlers/authorizer.js'
import { buildAuthorizerDependencies } from '../../functions/handlers/authorizer-dependencies.js'
import type { ProxyEvent } from '../../functions/handlers/http-event.js'
import { HANDLER_FACTORIES } from '../../functions/handlers/registry.js'
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
const proxyEventFiles = eventFiles.filter((name) => !name.startsWith('authorizer'))
const authorizerEventFiles = eventFiles.filter((name) => name.startsWith('authorizer'))

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
