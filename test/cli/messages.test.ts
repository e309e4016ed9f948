import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { durationOption } from '../../functions/cli/args.js'
import { closestNames } from '../../functions/cli/suggest.js'
import { cli, tempConfigHome } from './run-cli.js'

const ACCESS_TOKEN = `tgs_${'A'.repeat(71)}`
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYV8xIn0.c2lnbmF0dXJl'

/** A fetch that answers like Tollgate and records each request's path and body. */
const fakeTollgate = (options: { readonly tokenLifeSeconds?: number } = {}) => {
  const requests: { path: string; body: unknown; authorization: string | null }[] = []
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const path = new URL(String(url)).pathname
    const body = init?.body === undefined ? undefined : JSON.parse(String(init.body))
    const authorization = new Headers(init?.headers).get('authorization')
    requests.push({ path, body, authorization })
    if (path === '/access-tokens/jwt') {
      const life = options.tokenLifeSeconds ?? 86_400
      const duration = (body as { duration_seconds?: number }).duration_seconds ?? 300
      if (duration > life) {
        return Response.json(
          {
            type: 'urn:tollgate:problem:invalid_request',
            title: 'Bad request',
            status: 400,
            detail: `duration_seconds must not exceed the access token's remaining life (${life} s): ask for ${life} or less.`,
            code: 'invalid_request',
            request_id: 'r-1',
            max_duration_seconds: life,
          },
          { status: 400, headers: { 'content-type': 'application/problem+json' } },
        )
      }
      return Response.json({
        jwt: JWT,
        token_type: 'Bearer',
        expires_in: duration,
        expires_at: new Date(Date.now() + duration * 1000).toISOString(),
        scope: '',
      })
    }
    if (path === '/whoami') {
      return Response.json({
        sub: 'sa_1',
        kind: 'service',
        roles: [],
        scopes: [],
        atid: 'a',
        jti: 'j',
      })
    }
    return Response.json(
      { type: 'x', title: 'x', status: 404, detail: 'x', code: 'not_found', request_id: 'r' },
      { status: 404 },
    )
  }
  return { fetch, requests }
}

const envWith = async (extra: Record<string, string> = {}) => ({
  TOLLGATE_URL: 'http://tollgate.test',
  XDG_CONFIG_HOME: await tempConfigHome(),
  ...extra,
})

describe('tollgate: a mistyped command line gets "did you mean" and the usage', () => {
  it.each([
    [
      ['tokns', 'list'],
      'tollgate: unknown command "tokns" (did you mean tokens?)',
      'Usage: tollgate <command> [options]',
    ],
    [
      ['service-account', 'list'],
      'tollgate: unknown command "service-account" (did you mean service-accounts?)',
      'Commands: login, logout, jwt',
    ],
    [
      ['tokens', 'lst'],
      'tollgate tokens: unknown command "lst" (did you mean list?)',
      'Usage: tollgate tokens <command> [options]',
    ],
    [
      ['jwt', '--duraton', '5m'],
      'tollgate jwt: unknown option --duraton (did you mean --duration?)',
      'Usage: tollgate jwt [--scope SCOPES] [--duration DURATION]',
    ],
    [
      ['tokens', 'create', 'x', '--desc', 'y'],
      'tollgate tokens create: unknown option --desc (did you mean --description?)',
      'Usage: tollgate tokens create NAME [options]',
    ],
    [
      ['login', '--tokne', '-'],
      'tollgate login: unknown option --tokne (did you mean --token?)',
      'Usage: tollgate login [--token TOKEN | --token -]',
    ],
    [
      ['help', 'tokes'],
      'tollgate help: unknown command "tokes" (did you mean tokens?)',
      'Usage: tollgate <command> [options]',
    ],
  ])('%j', async (argv, first, usage) => {
    const run = await cli(argv, await envWith())

    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    const lines = run.stderr.split('\n')
    expect(lines[0]).toBe(first)
    expect(lines.slice(1).join('\n')).toContain(usage)
    expect(run.stderr).toMatch(/Run `tollgate [a-z -]*--help` for more\.\n$/)
  })

  it('says what is wrong with an option in its own words, never node’s', async () => {
    const env = await envWith()

    expect((await cli(['jwt', '--duration'], env)).stderr).toMatch(
      /^tollgate jwt: --duration needs a value/,
    )
    expect((await cli(['whoami', '--json=yes'], env)).stderr).toMatch(
      /^tollgate whoami: --json takes no value\n/,
    )
    const unknown = await cli(['tokens', 'list', '--frob'], env)
    expect(unknown.stderr).toMatch(/^tollgate tokens list: unknown option --frob\n/)
    expect(unknown.stderr).not.toMatch(/To specify a positional argument|'-- "/)
  })

  it('names missing and extra arguments without quoting them (they could be secrets)', async () => {
    const env = await envWith()

    expect((await cli(['tokens', 'show'], env)).stderr).toMatch(
      /^tollgate tokens show: missing ID\nUsage: tollgate tokens show ID\n/,
    )
    const extra = await cli(['tokens', 'show', 'id1', ACCESS_TOKEN], env)
    expect(extra.stderr).toMatch(
      /^tollgate tokens show: one argument too many \(expected ID\); quote a value that has spaces\n/,
    )
    expect(extra.stderr).not.toContain(ACCESS_TOKEN.slice(4))
  })

  it('repeats back neither an unknown command nor an option that looks like a pasted secret', async () => {
    const env = await envWith()

    const command = await cli([ACCESS_TOKEN], env)
    const option = await cli(['whoami', `--${ACCESS_TOKEN}`], env)

    expect(command.stderr).toMatch(/^tollgate: unknown command\n/)
    expect(option.stderr).toMatch(/^tollgate whoami: an unknown option/)
    expect(command.stderr + option.stderr).not.toContain(ACCESS_TOKEN.slice(4))
  })
})

describe('durations as people type them', () => {
  it.each([
    ['3600', 3600],
    ['30s', 30],
    ['90m', 5400],
    ['12h', 43_200],
    ['7d', 604_800],
    ['1w', 604_800],
    ['1 week', 604_800],
    ['2 days', 172_800],
    ['2 Weeks', 1_209_600],
    ['1h30m', 5400],
    ['1 day 12 hours', 129_600],
    ['1 day, 12 hours', 129_600],
  ])('%j is %i s', (text, seconds) => {
    expect(durationOption('expires-in', text)).toBe(seconds)
  })

  it.each([
    ['1 fortnight', '--expires-in: "fortnight" is not a unit; a duration looks like'],
    ['soon', '--expires-in must be a duration like 3600, 30s, 90m, 12h, 7d, 1w, "2 days" or 1h30m'],
    ['1h 30', '--expires-in must be a duration like'],
    ['', '--expires-in must be a duration like'],
  ])('%j is refused, saying what a duration looks like', (text, message) => {
    expect(() => durationOption('expires-in', text)).toThrow(message)
  })

  it('reads `--expires-in 1 week`, unquoted, as one week (not as a second NAME)', async () => {
    const server = fakeTollgate()
    const created = {
      id: 't1',
      name: 'deploy',
      description: '',
      kind: 'service',
      owner: { type: 'service_account', id: 'sa_1' },
      scopes: [],
      roles: [],
      created_at: '2026-01-01T00:00:00.000Z',
      created_by: 'sa_1',
      expires_at: null,
      last_used_at: null,
      status: 'active',
      revoked_at: null,
      revoked_by: null,
      revoked_by_event: null,
      token_hint: 'tgs_…AAAA',
      version: 1,
      generation: 1,
      token: ACCESS_TOKEN,
    }
    const fetch = async (url: string | URL | Request, init?: RequestInit) => {
      const answer = await server.fetch(url, init)
      return new URL(String(url)).pathname === '/access-tokens'
        ? Response.json(created, { status: 201 })
        : answer
    }

    const run = await cli(
      [
        'tokens',
        'create',
        'deploy',
        '--expires-in',
        '1',
        'week',
        '--service-account',
        'sa_1',
        '--json',
      ],
      await envWith({ TOLLGATE_ACCESS_TOKEN: ACCESS_TOKEN }),
      { fetch },
    )

    expect(run.stderr).not.toMatch(/argument/)
    expect(run.code).toBe(0)
    expect(server.requests.find((r) => r.path === '/access-tokens')?.body).toMatchObject({
      name: 'deploy',
      expires_in_seconds: 604_800,
    })
  })

  it('refuses a bad duration before any request', async () => {
    const server = fakeTollgate()

    const run = await cli(
      ['tokens', 'create', 'deploy', '--expires-in', '1 eon'],
      await envWith({ TOLLGATE_ACCESS_TOKEN: ACCESS_TOKEN }),
      { fetch: server.fetch },
    )

    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^tollgate tokens create: --expires-in: "eon" is not a unit/)
    expect(server.requests).toEqual([])
  })
})

describe('a credential in the wrong place is named, with the fix', () => {
  it('TOLLGATE_ACCESS_TOKEN holding a JWT: use TOLLGATE_JWT', async () => {
    const server = fakeTollgate()

    const run = await cli(['whoami'], await envWith({ TOLLGATE_ACCESS_TOKEN: JWT }), {
      fetch: server.fetch,
    })

    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(
      /^tollgate whoami: TOLLGATE_ACCESS_TOKEN holds a JWT, not an access token: to act with a JWT as is, set TOLLGATE_JWT instead/,
    )
    expect(run.stderr).not.toContain(JWT)
    expect(server.requests).toEqual([])
  })

  it('TOLLGATE_JWT holding an access token: use TOLLGATE_ACCESS_TOKEN', async () => {
    const run = await cli(['whoami'], await envWith({ TOLLGATE_JWT: ACCESS_TOKEN }))

    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(
      /^tollgate whoami: TOLLGATE_JWT holds an access token, not a JWT: set TOLLGATE_ACCESS_TOKEN instead/,
    )
    expect(run.stderr).not.toContain(ACCESS_TOKEN.slice(4))
  })

  it('login given a JWT: login stores access tokens', async () => {
    const run = await cli(['login', '--token', JWT], await envWith())

    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^tollgate login: that is a JWT, not an access token/)
    expect(run.stderr).toContain('TOLLGATE_JWT')
  })
})

describe('a token with less than five minutes left', () => {
  it('whoami asks for the life the token has left, on a duration the user never chose', async () => {
    const server = fakeTollgate({ tokenLifeSeconds: 200 })

    const run = await cli(['whoami'], await envWith({ TOLLGATE_ACCESS_TOKEN: ACCESS_TOKEN }), {
      fetch: server.fetch,
    })

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(
      server.requests
        .filter((r) => r.path === '/access-tokens/jwt')
        .map((r) => (r.body as { duration_seconds?: number }).duration_seconds),
    ).toEqual([300, 195])
  })

  it('jwt without --duration does the same; with --duration the refusal says how much is left', async () => {
    const env = await envWith({ TOLLGATE_ACCESS_TOKEN: ACCESS_TOKEN })
    const fitting = await cli(['jwt', '--json'], env, {
      fetch: fakeTollgate({ tokenLifeSeconds: 200 }).fetch,
    })
    const chosen = await cli(['jwt', '--duration', '5m'], env, {
      fetch: fakeTollgate({ tokenLifeSeconds: 200 }).fetch,
    })

    expect(fitting.code).toBe(0)
    expect(JSON.parse(fitting.stdout)).toMatchObject({ expires_in: 195 })
    expect(chosen.code).toBe(2)
    expect(chosen.stderr).toContain('remaining life (200 s): ask for 200 or less')
  })
})

describe('closestNames', () => {
  it('suggests typos, swaps and prefixes, best first, and nothing far off', () => {
    const options = ['--duration', '--scope', '--description', '--json', '--url']

    expect(closestNames('--duraton', options)).toEqual(['--duration'])
    expect(closestNames('--scpoe', options)).toEqual(['--scope'])
    expect(closestNames('--desc', options)).toEqual(['--description'])
    expect(closestNames('--frobnicate', options)).toEqual([])
    expect(closestNames('', options)).toEqual([])
  })
})

describe('federation and client_credentials: refusals say what to do next', () => {
  const OUTSIDE_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2NpLnRlc3QifQ.c2lnbmF0dXJl'

  /** A token endpoint refusing every form with `error`, recording what it was sent. */
  const refusingTokenEndpoint = (status: number, error: string, description: string) => {
    const forms: URLSearchParams[] = []
    const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
      forms.push(new URLSearchParams(String(init?.body)))
      return Response.json({ error, error_description: description }, { status })
    }
    return { fetch, forms }
  }

  it('jwt --federate with a terminal for stdin: pipe the token, never an argument', async () => {
    const run = await cli(['jwt', '--federate'], await envWith())

    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(
      /^tollgate jwt --federate: pipe the outside OIDC token on stdin \(`tollgate jwt --federate < token`\)/,
    )
  })

  it('a Tollgate access token on stdin is named and never sent', async () => {
    const server = refusingTokenEndpoint(400, 'invalid_request', 'x')

    const run = await cli(['jwt', '--federate'], await envWith(), {
      stdin: `${ACCESS_TOKEN}\n`,
      fetch: server.fetch,
    })

    expect(run.code).toBe(2)
    expect(run.stderr).toContain('stdin holds a Tollgate access token')
    expect(run.stderr).toContain('TOLLGATE_ACCESS_TOKEN')
    expect(run.stderr).not.toContain(ACCESS_TOKEN.slice(4))
    expect(server.forms).toEqual([])
  })

  it('no policy matched: the reason, then "simulate as an admin"; the token is not echoed', async () => {
    const server = refusingTokenEndpoint(
      400,
      'invalid_request',
      'No trust policy matches: tp_1 (deploy) fails subject, saw "repo:acme/api:ref:refs/heads/dev".',
    )

    const run = await cli(['jwt', '--federate', '--policy', 'deploy'], await envWith(), {
      stdin: OUTSIDE_TOKEN,
      fetch: server.fetch,
    })

    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    const [first, hint] = run.stderr.split('\n')
    expect(first).toBe(
      'tollgate jwt: No trust policy matches: tp_1 (deploy) fails subject, saw "repo:acme/api:ref:refs/heads/dev". (invalid_request, HTTP 400)',
    )
    expect(hint).toContain('an admin runs `tollgate trust-policies simulate --claims claims.json`')
    expect(run.stderr).not.toContain(OUTSIDE_TOKEN.split('.')[1])
    expect(Object.fromEntries(server.forms[0] ?? [])).toMatchObject({
      subject_token: OUTSIDE_TOKEN,
      policy: 'deploy',
    })
  })

  it('federation off: the operator sets FEDERATION_ISSUERS; no Tollgate credential is looked at', async () => {
    const server = refusingTokenEndpoint(
      400,
      'invalid_request',
      'federation is not configured: FEDERATION_ISSUERS is empty',
    )

    // A credential other commands would refuse as misplaced: federation never reads it.
    const run = await cli(['jwt', '--federate'], await envWith({ TOLLGATE_ACCESS_TOKEN: JWT }), {
      stdin: OUTSIDE_TOKEN,
      fetch: server.fetch,
    })

    expect(run.code).toBe(2)
    expect(run.stderr).toContain('its operator lists yours in FEDERATION_ISSUERS')
    expect(server.forms).toHaveLength(1)
  })

  it.each([
    ['invalid_client', 401, 3, 'check TOLLGATE_ACCESS_TOKEN'],
    ['unauthorized_client', 400, 2, 'run `tollgate jwt` without --client-credentials'],
    ['invalid_scope', 400, 2, 'or leave out --scope'],
  ])(
    'jwt --client-credentials refused with %s → exit %i (HTTP %i), saying what to do',
    async (error, status, code, next) => {
      const server = refusingTokenEndpoint(status, error, `${error} here`)

      const run = await cli(
        ['jwt', '--client-credentials'],
        await envWith({ TOLLGATE_ACCESS_TOKEN: ACCESS_TOKEN }),
        { fetch: server.fetch },
      )

      expect(run.code).toBe(code)
      expect(run.stderr).toMatch(
        new RegExp(`^tollgate jwt: ${error} here \\(${error}, HTTP ${status}\\)\\n`),
      )
      expect(run.stderr).toContain(next)
      expect(run.stderr).not.toContain(ACCESS_TOKEN.slice(4))
    },
  )

  it('--client-credentials with a TOLLGATE_JWT, or with --federate: which credential it needs', async () => {
    const withJwt = await cli(['jwt', '--client-credentials'], await envWith({ TOLLGATE_JWT: JWT }))
    const both = await cli(['jwt', '--client-credentials', '--federate'], await envWith())

    expect(withJwt.code).toBe(2)
    expect(withJwt.stderr).toMatch(/^tollgate jwt: .*--client-credentials need an access token/)
    expect(both.code).toBe(2)
    expect(both.stderr).toMatch(/^tollgate jwt: --federate and --client-credentials .* choose one/)
  })

  it('trust-policies create: a malformed --claim and an unreadable --file, without their content', async () => {
    const env = await envWith({ TOLLGATE_ACCESS_TOKEN: ACCESS_TOKEN })
    const home = env.XDG_CONFIG_HOME
    const notJson = join(home, 'policy.json')
    await writeFile(notJson, `{"audience": "${ACCESS_TOKEN}"`)

    const claim = await cli(['tp', 'create', 'x', '--claim', 'repository_owner'], env)
    const missing = await cli(['tp', 'create', '--file', join(home, 'none.json')], env)
    const broken = await cli(['tp', 'create', '--file', notJson], env)
    const noName = await cli(['tp', 'create', '--issuer', 'https://ci.test'], env)

    expect(claim.stderr).toMatch(/^tollgate trust-policies create: --claim takes NAME=PATTERN/)
    expect(missing.stderr).toMatch(/--file: cannot read .*none\.json \(ENOENT\)/)
    expect(broken.stderr).toMatch(/--file: .*policy\.json is not valid JSON; check it with `jq/)
    expect(broken.stderr).not.toContain(ACCESS_TOKEN.slice(4))
    expect(noName.stderr).toMatch(/missing NAME \(or "name" in --file\)/)
    expect([claim, missing, broken, noName].map((run) => run.code)).toEqual([2, 2, 2, 2])
  })
})
