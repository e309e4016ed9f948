import { TollgateApiError } from '../../client/index.js'
import { looksLikeJwt } from '../../core/credential-kinds.js'
import { helpText, listOption, parseCommand } from '../args.js'
import type { Command } from '../command.js'
import { storeAccessToken } from '../credentials.js'
import { UsageError } from '../exit-codes.js'
import type { CliIo } from '../io.js'
import { printer } from '../output.js'
import { openSession, resolveUrl } from '../session.js'

export const loginCommand: Command = {
  name: 'login',
  summary: 'Store an access token for this URL, or print a development JWT (--dev)',
  help: helpText({
    usage:
      'tollgate login [--token TOKEN | --token -]\n       tollgate login --dev NAME [--roles r1,r2]',
    description: `Without --dev: checks an access token against Tollgate (one exchange), then
stores it for this URL in $XDG_CONFIG_HOME/tollgate/credentials.json
(~/.config/tollgate/credentials.json), mode 0600 in a 0700 directory, and says
where. Later commands use it when TOLLGATE_ACCESS_TOKEN is not set. The token
comes from --token (\`-\`: read it from stdin, which keeps it out of process
lists and shell history), else TOLLGATE_ACCESS_TOKEN, else stdin.

With --dev (the dev server of \`npm start\` only): asks POST /dev/login for a
person's JWT (user:dev:NAME with the roles given), prints it on stdout and
stores nothing. Use it as TOLLGATE_JWT.`,
    options: `  --token TOKEN          the access token, or - to read it from stdin
  --dev NAME             a development person's JWT instead (dev server only)
  --roles r1,r2          the development person's roles (with --dev)
`,
    examples: [
      'tollgate login --token - < token.txt',
      'export TOLLGATE_JWT=$(tollgate login --dev alice --roles admin)',
    ],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('login', args, {
      token: { type: 'string' },
      dev: { type: 'string' },
      roles: { type: 'string', multiple: true },
    })
    if (values.dev !== undefined) {
      if (values.token !== undefined)
        throw new UsageError('tollgate login: --dev and --token exclude each other')
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
  summary: 'Remove the access token `tollgate login` stored for this URL',
  help: helpText({
    usage: 'tollgate logout',
    description: `Removes the access token stored for this URL (TOLLGATE_URL or --url). The token
itself stays valid: revoke it with \`tollgate tokens revoke ID\` if it should die.`,
    examples: ['tollgate logout'],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('logout', args, {})
    const url = resolveUrl(values, io)
    const { path, changed } = await storeAccessToken(io.env, url, undefined)
    io.stderr.write(
      changed
        ? `Removed the access token for ${url} from ${path}.\n`
        : `No access token stored for ${url} (in ${path}).\n`,
    )
    return 0
  },
}
