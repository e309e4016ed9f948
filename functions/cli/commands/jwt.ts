import { durationOption, helpText, listOption, parseCommand } from '../args.js'
import type { Command } from '../command.js'
import { UsageError } from '../exit-codes.js'
import { printer } from '../output.js'
import { openSession } from '../session.js'

export const jwtCommand: Command = {
  name: 'jwt',
  summary: 'Print a short-lived JWT for scripts: $(tollgate jwt)',
  help: helpText({
    usage: 'tollgate jwt [--scope SCOPES] [--duration DURATION]',
    description: `Exchanges the access token (TOLLGATE_ACCESS_TOKEN, --access-token or the one
stored by \`tollgate login\`) for a new JWT and prints only the JWT and a
newline on stdout. With TOLLGATE_JWT set instead, prints that JWT as is.
--json prints the whole exchange answer (jwt, expires_in, expires_at, scope).`,
    options: `  --scope SCOPES         scopes to ask for (space- or comma-separated; default: all
                         of the token's)
  --duration DURATION    life of the JWT: 60s to the server's maximum, e.g. 300, 15m,
                         1h (default 300 s, or what the token has left if less);
                         never beyond the token's own expiry
`,
    examples: [
      'curl -H "Authorization: Bearer $(tollgate jwt)" "$TOLLGATE_URL/whoami"',
      'tollgate jwt --scope datasets:read --duration 15m',
    ],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('jwt', args, {
      scope: { type: 'string', multiple: true },
      duration: { type: 'string', duration: true },
    })
    const scope = listOption(values.scope)?.join(' ')
    const duration = durationOption('duration', values.duration)
    const { client, credential } = await openSession(values, io)
    const out = printer(io, values.json === true)
    if (credential?.kind === 'jwt') {
      if (scope !== undefined || duration !== undefined) {
        throw new UsageError(
          'tollgate jwt: --scope and --duration need an access token; TOLLGATE_JWT is printed as is',
        )
      }
      out.data({ jwt: credential.value, token_type: 'Bearer' }, () => `${credential.value}\n`)
      return 0
    }
    const answer = await client.exchange({
      access_token: credential?.value ?? '',
      ...(duration === undefined ? {} : { duration_seconds: duration }),
      ...(scope === undefined ? {} : { scope }),
    })
    out.data(answer, () => `${answer.jwt}\n`)
    return 0
  },
}
