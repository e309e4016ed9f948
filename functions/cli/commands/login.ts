import { TollgateApiError } from '../../client/index.js'
import { looksLikeJwt } from '../../core/credential-kinds.js'
import { durationOption, helpText, listOption, parseCommand } from '../args.js'
import { openInBrowser } from '../browser.js'
import type { Command } from '../command.js'
import { storeAccessToken, storeSignIn } from '../credentials.js'
import { UsageError } from '../exit-codes.js'
import type { CliIo } from '../io.js'
import { printer } from '../output.js'
import { clientFor, openSession, resolveUrl } from '../session.js'

/** How long `login --issuer` waits for the browser to come back, unless --timeout says. */
const SIGN_IN_TIMEOUT_SECONDS = 300

export const loginCommand: Command = {
  name: 'login',
  summary:
    'Store an access token for this URL, sign in through your identity provider (--issuer), or print a development JWT (--dev)',
  help: helpText({
    usage:
      'tollgate login [--token TOKEN | --token -]\n       tollgate login --issuer ID [--no-browser] [--timeout 5m]\n       tollgate login --dev NAME [--roles r1,r2]',
    description: `With --token (or neither --issuer nor --dev): checks an access token against
Tollgate (one exchange), then stores it for this URL in $XDG_CONFIG_HOME/tollgate/credentials.json
(~/.config/tollgate/credentials.json), mode 0600 in a 0700 directory, and says
where. Later commands use it when TOLLGATE_ACCESS_TOKEN is not set. The token
comes from --token (\`-\`: read it from stdin, which keeps it out of process
lists and shell history), else TOLLGATE_ACCESS_TOKEN, else stdin.

With --issuer ID: signs you in through the identity provider the server lists
under that id (GET /console/config.json: TRUSTED_ISSUERS entries with a
client_id), with OpenID Connect authorization code + PKCE: it prints the
sign-in URL, opens your browser (not with --no-browser), waits for the
browser to come back to http://127.0.0.1:<port>/callback, checks the ID
token, and stores it for this URL like an access token, with the refresh
token if the IdP gave one: later commands act as you and renew the session
by themselves until the IdP ends it. Register the client's loopback redirect
URI http://127.0.0.1/callback (any port) at the IdP (docs/people.md).

With --dev (the dev server of \`npm start\` only): asks POST /dev/login for a
person's JWT (user:dev:NAME with the roles given), prints it on stdout and
stores nothing. Use it as TOLLGATE_JWT.`,
    options: `  --token TOKEN          the access token, or - to read it from stdin
  --issuer ID            sign in through this identity provider instead
  --no-browser           with --issuer: only print the sign-in URL
  --timeout DURATION     with --issuer: how long to wait for the sign-in (default 5m)
  --dev NAME             a development person's JWT instead (dev server only)
  --roles r1,r2          the development person's roles (with --dev)
`,
    examples: [
      'tollgate login --token - < token.txt',
      'tollgate login --issuer okta',
      'export TOLLGATE_JWT=$(tollgate login --dev alice --roles admin)',
    ],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('login', args, {
      token: { type: 'string' },
      dev: { type: 'string' },
      roles: { type: 'string', multiple: true },
      issuer: { type: 'string' },
      'no-browser': { type: 'boolean' },
      timeout: { type: 'string', duration: true },
    })
    const ways = [values.token, values.dev, values.issuer].filter((way) => way !== undefined)
    if (ways.length > 1) {
      throw new UsageError('tollgate login: --token, --issuer and --dev exclude each other')
    }
    if (
      values.issuer === undefined &&
      (values['no-browser'] !== undefined || values.timeout !== undefined)
    ) {
      throw new UsageError('tollgate login: --no-browser and --timeout go with --issuer')
    }
    if (values.issuer !== undefined) return issuerLogin(io, values, values.issuer)
    if (values.dev !== undefined) {
      return devLogin(io, values, values.dev, listOption(values.roles) ?? [])
    }
    if (values.roles !== undefined) throw new UsageError('tollgate login: --roles goes with --dev')
    const token = await tokenToStore(io, values.token)
    const session = await openSession({ ...values, 'access-token': token }, io)
    const caller = await session.client.whoami()
    const { path } = await storeAccessToken(io.env, session.url, token)
    printer(io, values.json === true).data(caller, () => '')
    io.stderr.write(
      `Logged in to ${session.url} as ${caller.sub} (${caller.kind}).\n` +
        `Access token saved to ${path} (mode 0600); \`tollgate logout\` removes it.\n`,
    )
    return 0
  },
}

const issuerLogin = async (
  io: CliIo,
  values: {
    readonly url?: string
    readonly json?: boolean
    readonly 'no-browser'?: boolean
    readonly timeout?: string
  },
  id: string,
): Promise<number> => {
  const timeoutSeconds = durationOption('timeout', values.timeout) ?? SIGN_IN_TIMEOUT_SECONDS
  if (timeoutSeconds < 1) throw new UsageError('tollgate login: --timeout must be at least 1 s')
  const url = resolveUrl(values, io)
  const provider = await identityProviderOf(io, url, id)
  const command = `tollgate login --issuer ${provider.id}`
  // Loaded only here: the OIDC client is a chunk of its own that no other command needs.
  const { signInInBrowser } = await import('../identity-provider.js')
  const signIn = await signInInBrowser(provider, io, {
    command,
    timeoutMs: timeoutSeconds * 1000,
    openBrowser: values['no-browser'] === true ? () => {} : openInBrowser,
  })
  const caller = await clientFor(url, io, {
    kind: 'jwt',
    value: signIn.id_token,
    source: provider.id,
  }).whoami()
  const { path } = await storeSignIn(io.env, url, signIn)
  printer(io, values.json === true).data(caller, () => '')
  io.stderr.write(
    `Logged in to ${url} as ${caller.sub} (${caller.kind}) through ${provider.id}.\n` +
      `Sign-in saved to ${path} (mode 0600); \`tollgate logout\` removes it. ` +
      (signIn.refresh_token === undefined
        ? `It ends at ${signIn.expires_at} (${provider.id} gave no refresh token): then run \`${command}\` again.\n`
        : `Its ID token ends at ${signIn.expires_at}; commands renew it with ${provider.id} by themselves.\n`),
  )
  return 0
}

/** The identity provider the server offers under `id`, or a refusal that lists the ones it offers. */
const identityProviderOf = async (io: CliIo, url: string, id: string) => {
  const config = await clientFor(url, io)
    .console.config()
    .catch((error: unknown) => {
      if (error instanceof TollgateApiError && error.code === 'not_found') {
        throw new TollgateApiError({
          ...error,
          code: 'not_found',
          detail: `${url} lists no sign-in options (GET /console/config.json): it predates sign-in through an identity provider; use \`tollgate login --token -\`.`,
        })
      }
      throw error
    })
  const provider = config.identity_providers.find((candidate) => candidate.id === id)
  if (provider !== undefined) return provider
  const offered = config.identity_providers.map((candidate) => candidate.id)
  throw new UsageError(
    offered.length === 0
      ? `tollgate login: ${url} offers no sign-in through an identity provider (no TRUSTED_ISSUERS entry has a client_id); use \`tollgate login --token -\`.`
      : `tollgate login: ${url} has no identity provider with that --issuer ID; it offers ${offered.join(', ')}: run \`tollgate login --issuer ${offered[0]}\`.`,
  )
}

const devLogin = async (
  io: CliIo,
  values: { readonly url?: string; readonly json?: boolean },
  name: string,
  roles: string[],
): Promise<number> => {
  const { client, url } = await openSession(values, io, { required: false })
  const answer = await client.dev.login({ name, roles }).catch((error: unknown) => {
    if (error instanceof TollgateApiError && error.code === 'not_found') {
      throw new TollgateApiError({
        ...error,
        code: 'not_found',
        detail: `${url} offers no development login: only the dev server (npm start, KEY_SOURCE=local) has POST /dev/login.`,
      })
    }
    throw error
  })
  printer(io, values.json === true).data(answer, () => `${answer.jwt}\n`)
  io.stderr.write(
    `Development JWT for ${answer.sub}, valid ${answer.expires_in} s; nothing was saved.\n`,
  )
  return 0
}

const tokenToStore = async (io: CliIo, flag: string | undefined): Promise<string> => {
  const fromStdin = async () => {
    if (io.stdinIsTty) {
      throw new UsageError('tollgate login: give the token with --token -, piped on stdin')
    }
    return (await io.readStdin()).trim()
  }
  const token =
    flag === '-' ? await fromStdin() : (flag ?? io.env.TOLLGATE_ACCESS_TOKEN ?? (await fromStdin()))
  if (token.trim() === '') throw new UsageError('tollgate login: the access token is empty')
  if (looksLikeJwt(token.trim())) {
    throw new UsageError(
      'tollgate login: that is a JWT, not an access token; login stores access tokens (tgs_… or tgp_…). ' +
        'To act with a JWT as is, set TOLLGATE_JWT instead.',
    )
  }
  return token.trim()
}

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Remove what `tollgate login` stored for this URL',
  help: helpText({
    usage: 'tollgate logout',
    description: `Removes the access token or sign-in stored for this URL (TOLLGATE_URL or --url).
An access token itself stays valid: revoke it with \`tollgate tokens revoke ID\`
if it should die; a sign-in's session at the identity provider ends there.`,
    examples: ['tollgate logout'],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('logout', args, {})
    const url = resolveUrl(values, io)
    const { path, changed } = await storeAccessToken(io.env, url, undefined)
    io.stderr.write(
      changed
        ? `Removed what was stored for ${url} from ${path}.\n`
        : `Nothing stored for ${url} (in ${path}).\n`,
    )
    return 0
  },
}
