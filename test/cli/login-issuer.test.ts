import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../functions/local/free-port.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import {
  type RunningOidcProvider,
  startOidcProvider,
  trustedIssuerEntry,
} from '../support/oidc-provider.js'
import { type CliRun, cli, tempConfigHome } from './run-cli.js'

/**
 * `tollgate login --issuer ID` against the real dev server and a real
 * OpenID Provider (oidc-provider) on loopback: the test plays the browser,
 * with plain HTTP requests through the provider's sign-in and consent forms.
 */

const CLIENT_ID = 'tollgate-people'

let idp: RunningOidcProvider
let tollgate: RunningTollgate

beforeAll(async () => {
  // Tollgate must trust the provider before it starts: the provider's port is reserved first.
  const idpPort = await freePort()
  const issuer = `http://127.0.0.1:${idpPort}`
  tollgate = await startTollgate({
    TRUSTED_ISSUERS: JSON.stringify([trustedIssuerEntry(issuer, CLIENT_ID)]),
  })
  // One registration, two redirect URIs: the console's and the CLI's loopback (any port).
  idp = await startOidcProvider({
    clientId: CLIENT_ID,
    redirectUris: [`${tollgate.server.url}/console`, 'http://127.0.0.1/callback'],
    people: { ada: ['tollgate-admins'] },
    port: idpPort,
  })
}, 60_000)

afterAll(async () => {
  await tollgate?.close()
  await idp?.close()
})

/**
 * Starts `login --issuer`, and hands the authorization URL it prints to
 * `browse` (the test's browser) while the command waits for the redirect.
 */
const loginThrough = async (
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  browse: (authorizationUrl: URL) => Promise<void> = async () => {},
): Promise<CliRun> => {
  let browsing: Promise<void> | undefined
  const result = await cli(['login', ...args], env, {
    onStderr: (soFar) => {
      const line = /^ {2}(http\S+)$/m.exec(soFar)?.[1]
      if (line !== undefined && browsing === undefined) browsing = browse(new URL(line))
    },
  })
  await browsing
  return result
}

/**
 * What a browser does with the authorization URL: follows redirects with its
 * cookies, submits the provider's sign-in form (as `login`) and consent
 * form, and finally loads the redirect URI, the CLI's loopback listener.
 */
const signInLikeABrowser = async (start: URL, login: string): Promise<Response> => {
  const cookies = new Map<string, string>()
  let request: { url: URL; init: RequestInit } = { url: start, init: {} }
  for (let step = 0; step < 20; step++) {
    const response = await fetch(request.url, {
      ...request.init,
      redirect: 'manual',
      headers: {
        ...(request.init.headers as Record<string, string> | undefined),
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      },
    })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';')
      const [name = '', value = ''] = pair.split('=')
      cookies.set(name.trim(), value)
    }
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location !== null) {
      request = { url: new URL(location, request.url), init: {} }
      continue
    }
    const html = await response.text()
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1]
    if (action === undefined) return new Response(html, { status: response.status })
    const fields = new URLSearchParams()
    for (const [, name = '', value = ''] of html.matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)"/g,
    )) {
      fields.set(name, value)
    }
    if (html.includes('name="login"')) {
      fields.set('login', login)
      fields.set('password', 'any password: the development form takes any')
    }
    request = {
      url: new URL(action, request.url),
      init: {
        method: 'POST',
        body: fields.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    }
  }
  throw new Error('the sign-in did not reach the redirect URI in 20 steps')
}

const envFor = async () => ({
  TOLLGATE_URL: tollgate.server.url,
  XDG_CONFIG_HOME: await tempConfigHome(),
})

describe('tollgate login --issuer', () => {
  it('signs a person in through the IdP with code + PKCE, and whoami shows them', async () => {
    const env = await envFor()
    let redirectUri: URL | undefined
    let landing: Response | undefined

    const login = await loginThrough(
      ['--issuer', 'acme', '--no-browser', '--json'],
      env,
      async (url) => {
        redirectUri = new URL(url.searchParams.get('redirect_uri') ?? '')
        expect(url.origin).toBe(idp.issuer)
        expect(url.searchParams.get('client_id')).toBe(CLIENT_ID)
        expect(url.searchParams.get('code_challenge_method')).toBe('S256')
        expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/)
        expect(url.searchParams.get('state')).toMatch(/^[\w-]{20,}$/)
        expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/)
        expect(url.searchParams.get('scope')).toBe('openid offline_access')
        landing = await signInLikeABrowser(url, 'ada')
      },
    )

    expect(login.code, login.stderr).toBe(0)
    expect(redirectUri?.hostname).toBe('127.0.0.1')
    expect(redirectUri?.pathname).toBe('/callback')
    expect(Number(redirectUri?.port)).toBeGreaterThan(0)
    expect(landing?.status).toBe(200)
    expect(await landing?.text()).toContain('You can close this tab')
    expect(JSON.parse(login.stdout)).toMatchObject({ sub: 'user:acme:ada', kind: 'person' })
    expect(login.stderr).toContain('Logged in to')
    expect(login.stderr).toContain('renew it with acme')

    const path = join(env.XDG_CONFIG_HOME, 'tollgate', 'credentials.json')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const stored = JSON.parse(await readFile(path, 'utf8')).credentials[tollgate.server.url]
    expect(stored).toMatchObject({
      identity_provider: { id: 'acme', issuer: idp.issuer, client_id: CLIENT_ID },
      id_token: expect.stringMatching(/^ey/),
      refresh_token: expect.any(String),
    })
    // The code and the tokens never reach the terminal.
    expect(login.stderr).not.toContain(stored.id_token)
    expect(login.stderr).not.toContain(stored.refresh_token)

    const whoami = await cli(['whoami'], env)
    expect(whoami.code).toBe(0)
    expect(whoami.stdout).toMatch(/^sub\s+user:acme:ada$/m)
    expect(whoami.stdout).toMatch(/^kind\s+person$/m)
    expect(whoami.stdout).toMatch(/^roles\s+admin$/m)
    expect(whoami.stdout).toMatch(
      /^credential\s+jwt from .*credentials\.json \(sign-in through acme, until /m,
    )

    // A sign-in stored for one Tollgate is never sent to another.
    expect((await cli(['whoami'], { ...env, TOLLGATE_URL: 'http://127.0.0.1:9' })).code).toBe(3)

    // An ID token about to end is renewed with the refresh token (rotated, stored again).
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        credentials: {
          [tollgate.server.url]: {
            ...stored,
            expires_at: new Date(Date.now() - 1000).toISOString(),
          },
        },
      }),
      { mode: 0o600 },
    )
    const renewed = await cli(['whoami', '--json'], env)
    expect(renewed.code, renewed.stderr).toBe(0)
    expect(renewed.stderr).toBe('')
    expect(JSON.parse(renewed.stdout)).toMatchObject({ sub: 'user:acme:ada' })
    const after = JSON.parse(await readFile(path, 'utf8')).credentials[tollgate.server.url]
    // (The ID token may equal the first one: same claims within the same second.)
    expect(Date.parse(after.expires_at)).toBeGreaterThan(Date.now())
    expect(after.refresh_token).toEqual(expect.any(String))
    expect(after.refresh_token).not.toBe(stored.refresh_token)

    // Once the IdP refuses to renew (the refresh token is gone), the command says what to run.
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        credentials: {
          [tollgate.server.url]: {
            ...after,
            refresh_token: 'not-a-refresh-token-the-idp-issued',
            expires_at: new Date(Date.now() - 1000).toISOString(),
          },
        },
      }),
      { mode: 0o600 },
    )
    const ended = await cli(['whoami'], env)
    expect(ended.code).toBe(3)
    expect(ended.stderr).toContain('could not be renewed')
    expect(ended.stderr).toContain('run `tollgate login --issuer acme` again')
  })

  it('refuses an answer with another state, and saves nothing', async () => {
    const env = await envFor()
    let landing: Response | undefined

    const login = await loginThrough(['--issuer', 'acme', '--no-browser'], env, async (url) => {
      // What a forged redirect carries: a code from elsewhere and a state this run never sent.
      const forged = new URL(url.searchParams.get('redirect_uri') ?? '')
      forged.search = new URLSearchParams({
        code: 'forged',
        state: 'not-this-runs-state',
      }).toString()
      landing = await fetch(forged)
    })

    expect(login.code).toBe(3)
    expect(login.stderr).toContain('another state than this login sent')
    expect(login.stderr).toContain('Run `tollgate login --issuer acme` again')
    expect(landing?.status).toBe(400)
    await expect(stat(join(env.XDG_CONFIG_HOME, 'tollgate', 'credentials.json'))).rejects.toThrow()
  })

  it("passes on the IdP's refusal with what to do", async () => {
    const env = await envFor()

    const login = await loginThrough(['--issuer', 'acme', '--no-browser'], env, async (url) => {
      const refused = new URL(url.searchParams.get('redirect_uri') ?? '')
      refused.search = new URLSearchParams({
        error: 'access_denied',
        error_description: 'the person said no\u001b[2J',
        state: url.searchParams.get('state') ?? '',
      }).toString()
      await fetch(refused)
    })

    expect(login.code).toBe(3)
    expect(login.stderr).toContain('did not sign you in (access_denied: the person said no')
    expect(login.stderr).not.toContain('\u001b')
  })

  it('refuses an issuer id the server does not offer, naming the ones it does', async () => {
    const login = await cli(['login', '--issuer', 'okta', '--no-browser'], await envFor())

    expect(login.code).toBe(2)
    expect(login.stderr).toContain('offers acme: run `tollgate login --issuer acme`')
    expect(login.stderr).not.toContain('okta')
  })

  it('gives up after --timeout, saying how to try again', async () => {
    const env = await envFor()

    const login = await loginThrough(['--issuer', 'acme', '--no-browser', '--timeout', '1s'], env)

    expect(login.code).toBe(3)
    expect(login.stderr).toContain('No sign-in came back within 1 s')
    expect(login.stderr).toContain('--timeout')
    await expect(stat(join(env.XDG_CONFIG_HOME, 'tollgate', 'credentials.json'))).rejects.toThrow()
  })

  it('refuses --issuer with --token, and --no-browser without --issuer', async () => {
    const env = await envFor()

    const both = await cli(['login', '--issuer', 'acme', '--token', 'tgs_x'], env)
    const stray = await cli(['login', '--no-browser'], env)

    expect(both.code).toBe(2)
    expect(both.stderr).toContain('exclude each other')
    expect(stray.code).toBe(2)
    expect(stray.stderr).toContain('go with --issuer')
  })
})
