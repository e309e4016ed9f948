import { mkdir, stat, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as api from '../../functions/api/schemas.js'
import { isGroup } from '../../functions/cli/command.js'
import { COMMANDS } from '../../functions/cli/tollgate.js'
import { freePort } from '../../functions/local/free-port.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { cli, tempConfigHome } from './run-cli.js'

const ACCESS_TOKEN = /^tg[sp]_[0-9A-Za-z]{71}$/

/** A server answering every request with `answer`, recording what it was asked. */
const stubServer = async (
  answer: (request: IncomingMessage, body: string, response: ServerResponse) => void,
) => {
  const seen: { method: string; url: string; body: string; authorization?: string }[] = []
  const server: Server = createServer(async (request, response) => {
    let body = ''
    for await (const chunk of request) body += chunk
    seen.push({
      method: request.method ?? '',
      url: request.url ?? '',
      body,
      ...(request.headers.authorization === undefined
        ? {}
        : { authorization: request.headers.authorization }),
    })
    answer(request, body, response)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

const problem = (
  response: ServerResponse,
  status: number,
  code: string,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, { 'content-type': 'application/problem+json', ...headers })
  response.end(
    JSON.stringify({
      type: `urn:tollgate:problem:${code}`,
      title: code,
      status,
      detail: `${code} here`,
      code,
      request_id: 'r-1',
    }),
  )
}

describe('tollgate CLI against the dev server', () => {
  let tollgate: RunningTollgate
  let env: Record<string, string>
  let accountId: string

  beforeAll(async () => {
    tollgate = await startTollgate()
    env = {
      TOLLGATE_URL: tollgate.server.url,
      TOLLGATE_ACCESS_TOKEN: tollgate.adminToken,
      XDG_CONFIG_HOME: await tempConfigHome(),
    }
    const created = await cli(
      ['service-accounts', 'create', 'cli-test', '--scopes', 'tokens:read,data:read', '--json'],
      env,
    )
    accountId = JSON.parse(created.stdout).id
  })
  afterAll(() => tollgate.close())

  describe('--json prints the API’s JSON as is, and nothing else on stdout', () => {
    it('service-accounts show: exactly GET /service-accounts/{id}', async () => {
      const jwt = (await cli(['jwt'], env)).stdout.trim()
      const direct = await fetch(`${tollgate.server.url}/service-accounts/${accountId}`, {
        headers: { authorization: `Bearer ${jwt}` },
      })

      const run = await cli(['service-accounts', 'show', accountId, '--json'], env)

      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout)).toEqual(await direct.json())
    })

    it('tokens create: the token with its secret, and a shown-once note on stderr', async () => {
      const run = await cli(
        ['tokens', 'create', 'json-1', '--service-account', accountId, '--json'],
        env,
      )

      expect(run.code).toBe(0)
      const token = api.accessTokenWithSecret.parse(JSON.parse(run.stdout))
      expect(token.token).toMatch(ACCESS_TOKEN)
      expect(run.stderr).toContain('shown this once')
    })

    it('tokens list: the page; with --all every page as one, next_cursor null', async () => {
      for (const name of ['page-a', 'page-b', 'page-c']) {
        await cli(['tokens', 'create', name, '--service-account', accountId], env)
      }

      const page = await cli(
        ['tokens', 'list', '--owner', accountId, '--limit', '2', '--json'],
        env,
      )
      const all = await cli(
        ['tokens', 'list', '--owner', accountId, '--limit', '2', '--all', '--json'],
        env,
      )

      expect(page.code).toBe(0)
      const first = api.listOf(api.accessToken).parse(JSON.parse(page.stdout))
      expect(first.items).toHaveLength(2)
      expect(first.next_cursor).toEqual(expect.any(String))
      const every = api.listOf(api.accessToken).parse(JSON.parse(all.stdout))
      expect(every.next_cursor).toBeNull()
      expect(every.items.map((t) => t.name)).toEqual(
        expect.arrayContaining(['page-a', 'page-b', 'page-c', 'json-1']),
      )
      expect(page.stderr).toBe('')
    })

    it('jwt: the JWT and a newline, nothing else, so $(tollgate jwt) works', async () => {
      const run = await cli(['jwt', '--scope', 'tokens:read', '--duration', '2m'], env)

      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
      expect(run.stderr).toBe('')
      const claims = JSON.parse(Buffer.from(run.stdout.split('.')[1] ?? '', 'base64url').toString())
      expect(claims.scope).toBe('tokens:read')
      expect(claims.exp - claims.iat).toBe(120)
    })

    it('jwt --json: the exchange answer', async () => {
      const run = await cli(['jwt', '--json'], env)
      expect(api.exchangeResponse.parse(JSON.parse(run.stdout)).token_type).toBe('Bearer')
    })

    it('whoami --json: GET /whoami', async () => {
      const run = await cli(['whoami', '--json'], env)
      expect(api.whoami.parse(JSON.parse(run.stdout))).toMatchObject({
        kind: 'service',
        roles: ['admin'],
      })
    })
  })

  describe('human output', () => {
    it('prints aligned tables with ISO times and marks a secret as shown once', async () => {
      const created = await cli(
        ['tokens', 'create', 'human-1', '--service-account', accountId, '--expires-in', '30d'],
        env,
      )
      const listed = await cli(['tokens', 'list', '--owner', accountId, '--name', 'human-1'], env)

      expect(created.code).toBe(0)
      expect(created.stdout).toMatch(
        /^Access token secret \(shown this once.*\):\ntg[sp]_[0-9A-Za-z]{71}\n$/m,
      )
      expect(created.stdout).toMatch(/^expires_at\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/m)
      const [header, row] = listed.stdout.split('\n')
      expect(header).toMatch(/^ID\s+NAME\s+OWNER\s+STATUS\s+SCOPES\s+EXPIRES_AT\s+LAST_USED_AT$/)
      expect(row?.indexOf('human-1')).toBe(header?.indexOf('NAME'))
    })

    it('escapes control characters from stored text', async () => {
      // The API refuses such descriptions now; an older version stored them as sent.
      const created = await cli(['service-accounts', 'create', 'escapes', '--json'], env)
      const ref = { type: 'service_account', id: JSON.parse(created.stdout).id } as const
      const { store } = tollgate.dependencies
      const owner = await store.getOwner(ref)
      if (owner?.account === undefined) throw new Error('the account was not stored')
      await store.commit([
        {
          kind: 'updateOwner',
          owner: {
            ...owner,
            account: { ...owner.account, description: 'a\u001b[31mred' },
            version: owner.version + 1,
          },
          expectedVersion: owner.version,
        },
      ])

      const run = await cli(['service-accounts', 'show', ref.id], env)

      expect(run.stdout).toContain('a\\u001b[31mred')
      expect(run.stdout).not.toContain('\u001b')
    })

    it.each([
      ['name', ['service-accounts', 'create', 'admin ']],
      ['description', ['service-accounts', 'create', 'bell', '--description', 'ring \u0007']],
    ])('passes a hostile %s through as given and shows the 400 naming it', async (field, argv) => {
      const run = await cli(argv, env)

      expect(run.code).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(
        new RegExp(`^tollgate service-accounts create: ${field}: .*\\(invalid_request, HTTP 400`),
      )
    })
  })

  describe('exit codes', () => {
    const notFoundId = 'AAAAAAAAAAAAAAAAAAAAAA'

    it.each([
      ['no arguments', 2, []],
      ['an unknown command', 2, ['frobnicate']],
      ['an unknown option', 2, ['tokens', 'list', '--frob']],
      ['a missing argument', 2, ['tokens', 'show']],
      ['a group without a subcommand', 2, ['tokens']],
      ['--status outside its values', 2, ['tokens', 'list', '--status', 'dead']],
      ['destructive without --yes', 2, ['tokens', 'revoke-all', '--owner', 'sa_x']],
      ['a request the API refuses (400)', 2, ['jwt', '--duration', '10']],
      ['not found (404)', 4, ['tokens', 'show', notFoundId]],
      ['a taken name (409)', 5, ['service-accounts', 'create', 'cli-test']],
    ])('%s → %i', async (_what, expected, argv) => {
      const run = await cli(argv, env)

      expect(run.code).toBe(expected)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(/^(tollgate[ :]|Usage: tollgate )/)
    })

    it('a stale --if-match → 5', async () => {
      await cli(['service-accounts', 'update', accountId, '--description', 'one'], env)

      const run = await cli(
        ['service-accounts', 'update', accountId, '--description', 'two', '--if-match', '"1"'],
        env,
      )

      expect(run.code).toBe(5)
      expect(run.stderr).toContain('precondition_failed')
    })

    it('no credentials → 3, saying how to get some', async () => {
      const run = await cli(['tokens', 'list'], {
        TOLLGATE_URL: tollgate.server.url,
        XDG_CONFIG_HOME: await tempConfigHome(),
      })

      expect(run.code).toBe(3)
      expect(run.stderr).toContain('tollgate login')
    })

    it('a bad access token → 3, and the token is not echoed', async () => {
      const bad = `tgs_${'B'.repeat(71)}`
      const run = await cli(['whoami'], { ...env, TOLLGATE_ACCESS_TOKEN: bad })

      expect(run.code).toBe(3)
      expect(run.stderr).toContain('invalid_token')
      expect(run.stderr).not.toContain(bad)
    })

    it('not allowed (403) → 3', async () => {
      const token = JSON.parse(
        (
          await cli(
            [
              'tokens',
              'create',
              'reader',
              '--service-account',
              accountId,
              '--scopes',
              'tokens:read',
              '--json',
            ],
            env,
          )
        ).stdout,
      ).token

      const run = await cli(['service-accounts', 'create', 'nope'], {
        ...env,
        TOLLGATE_ACCESS_TOKEN: token,
      })

      expect(run.code).toBe(3)
      expect(run.stderr).toMatch(/\((forbidden|insufficient_scope), HTTP 403/)
    })

    it('nothing listening → 6', async () => {
      const run = await cli(['whoami'], {
        ...env,
        TOLLGATE_URL: `http://127.0.0.1:${await freePort()}`,
      })

      expect(run.code).toBe(6)
      expect(run.stderr).toContain('Could not reach')
    })

    it('503 after the retries → 6; 500 → 1', async () => {
      const busy = await stubServer((_request, _body, response) =>
        problem(response, 503, 'unavailable', { 'retry-after': '0' }),
      )
      const broken = await stubServer((_request, _body, response) =>
        problem(response, 500, 'internal'),
      )
      try {
        const jwtEnv = { TOLLGATE_JWT: 'a.b.c', XDG_CONFIG_HOME: env.XDG_CONFIG_HOME }
        const unavailable = await cli(['whoami'], { ...jwtEnv, TOLLGATE_URL: busy.url })
        const failed = await cli(['whoami'], { ...jwtEnv, TOLLGATE_URL: broken.url })

        expect(unavailable.code).toBe(6)
        expect(busy.seen).toHaveLength(4)
        expect(failed.code).toBe(1)
        expect(broken.seen).toHaveLength(1)
      } finally {
        await busy.close()
        await broken.close()
      }
    })
  })

  describe('credentials', () => {
    it('login stores the token 0600 in a 0700 directory, says where, and later commands use it', async () => {
      const home = await tempConfigHome()
      const bare = { TOLLGATE_URL: tollgate.server.url, XDG_CONFIG_HOME: home }

      const login = await cli(['login', '--token', '-'], bare, {
        stdin: `${tollgate.adminToken}\n`,
      })
      const whoami = await cli(['whoami'], bare)
      const elsewhere = await cli(['whoami'], { ...bare, TOLLGATE_URL: 'http://127.0.0.1:9' })

      const path = join(home, 'tollgate', 'credentials.json')
      expect(login.code).toBe(0)
      expect(login.stderr).toContain(path)
      expect((await stat(path)).mode & 0o777).toBe(0o600)
      expect((await stat(join(home, 'tollgate'))).mode & 0o777).toBe(0o700)
      expect(whoami.code).toBe(0)
      expect(whoami.stdout).toMatch(/^credential\s+access token from .*credentials\.json$/m)
      // A token stored for one URL is never sent to another.
      expect(elsewhere.code).toBe(3)

      const logout = await cli(['logout'], bare)
      expect(logout.code).toBe(0)
      expect((await cli(['whoami'], bare)).code).toBe(3)
    })

    it('login refuses a token that does not work, and stores nothing', async () => {
      const home = await tempConfigHome()
      const run = await cli(['login', '--token', `tgs_${'C'.repeat(71)}`], {
        TOLLGATE_URL: tollgate.server.url,
        XDG_CONFIG_HOME: home,
      })

      expect(run.code).toBe(3)
      await expect(stat(join(home, 'tollgate', 'credentials.json'))).rejects.toThrow()
    })

    it('acts with TOLLGATE_JWT as is and prints it from jwt', async () => {
      const jwt = (await cli(['jwt'], env)).stdout.trim()
      const personEnv = {
        TOLLGATE_URL: tollgate.server.url,
        TOLLGATE_JWT: jwt,
        XDG_CONFIG_HOME: env.XDG_CONFIG_HOME,
      }

      expect((await cli(['jwt'], personEnv)).stdout).toBe(`${jwt}\n`)
      expect((await cli(['whoami'], personEnv)).stdout).toMatch(
        /^credential\s+jwt from TOLLGATE_JWT$/m,
      )
      expect((await cli(['jwt', '--scope', 'x'], personEnv)).code).toBe(2)
    })

    it('login --dev on a server without the dev issuer → 4, saying where it exists', async () => {
      // What a server outside local mode answers: the route does not exist there.
      const notLocal = await stubServer((_request, _body, response) => {
        response.writeHead(404, { 'content-type': 'application/problem+json' })
        response.end(
          JSON.stringify({
            type: 'x',
            title: 'Not found',
            status: 404,
            detail: 'x',
            code: 'not_found',
            request_id: 'r',
          }),
        )
      })
      try {
        const run = await cli(['login', '--dev', 'alice'], {
          TOLLGATE_URL: notLocal.url,
          XDG_CONFIG_HOME: await tempConfigHome(),
        })

        expect(run.code).toBe(4)
        expect(run.stderr).toContain('only the dev server')
      } finally {
        await notLocal.close()
      }
    })

    it('never quotes a damaged credentials file, which holds tokens', async () => {
      const home = await tempConfigHome()
      await mkdir(join(home, 'tollgate'), { recursive: true })
      await writeFile(
        join(home, 'tollgate', 'credentials.json'),
        `{"version":1,"credentials":{"x":"${tollgate.adminToken}"`,
      )

      // Unexpected failures reach bin.ts, which prints the message and exits 1.
      const error = await cli(['whoami'], {
        TOLLGATE_URL: tollgate.server.url,
        XDG_CONFIG_HOME: home,
      }).catch((e: Error) => e)

      expect((error as Error).message).toMatch(/credentials\.json is not valid JSON/)
      expect((error as Error).message).not.toContain(tollgate.adminToken.slice(4, 20))
    })

    it('login --dev NAME --roles prints the dev JWT only, stores nothing, and the JWT works', async () => {
      const home = await tempConfigHome()

      const run = await cli(['login', '--dev', 'alice', '--roles', 'admin,auditor'], {
        TOLLGATE_URL: tollgate.server.url,
        XDG_CONFIG_HOME: home,
      })
      const whoami = await cli(['whoami', '--json'], {
        TOLLGATE_URL: tollgate.server.url,
        TOLLGATE_JWT: run.stdout.trim(),
        XDG_CONFIG_HOME: home,
      })

      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
      expect(run.stderr).toContain('user:dev:alice')
      await expect(stat(join(home, 'tollgate'))).rejects.toThrow()
      expect(JSON.parse(whoami.stdout)).toMatchObject({
        sub: 'user:dev:alice',
        kind: 'person',
        roles: ['admin', 'auditor'],
      })
    })
  })
})

describe('tollgate --help', () => {
  const everyCommand = COMMANDS.flatMap((entry): string[][] =>
    isGroup(entry)
      ? [[entry.name], ...entry.subcommands.map((sub) => [entry.name, sub.name])]
      : [[entry.name]],
  )

  it.each(everyCommand.map((path) => path.join(' ')))(
    '%s --help: usage and an example, exit 0',
    async (command) => {
      const path = command.split(' ')
      const run = await cli([...path, '--help'], {})

      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^Usage: tollgate /)
      // A group's help lists its commands; each of those carries the examples.
      const groups = COMMANDS.filter(isGroup).map((group) => group.name)
      if (path.length === 2 || !groups.includes(path[0] as string)) {
        expect(run.stdout).toMatch(/\nExamples?:\n {2}\S/)
      }
    },
  )

  it('documents the exit codes', async () => {
    const run = await cli(['--help'], {})

    expect(run.code).toBe(0)
    for (const line of [
      '0  success',
      '2  usage',
      '3  auth',
      '4  not found',
      '5  conflict',
      '6  unavailable',
    ]) {
      expect(run.stdout).toContain(line)
    }
  })
})
